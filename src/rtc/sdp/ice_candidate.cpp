#include "rtc/sdp/ice_candidate.h"

#include <arpa/inet.h>

#include <array>

#include "rtc/sdp/sdp_text.h"

namespace huddle::rtc {

namespace {

using namespace sdp_text;

constexpr std::size_t kMaxFoundationLength = 64;  // RFC says 32; be lenient with peers
constexpr std::size_t kMaxHostnameLength = 253;

// RFC 8839 ice-char.
bool isIceChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '+' || c == '/';
}

bool validFoundation(std::string_view text) {
  if (text.empty() || text.size() > kMaxFoundationLength) {
    return false;
  }
  for (char c : text) {
    if (!isIceChar(c)) {
      return false;
    }
  }
  return true;
}

bool isIpv4(std::string_view text) {
  if (text.size() > 15) {
    return false;
  }
  std::array<unsigned char, 4> buf{};
  const std::string z(text);
  return inet_pton(AF_INET, z.c_str(), buf.data()) == 1;
}

bool isIpv6(std::string_view text) {
  if (text.size() > 45) {
    return false;
  }
  std::array<unsigned char, 16> buf{};
  const std::string z(text);
  return inet_pton(AF_INET6, z.c_str(), buf.data()) == 1;
}

bool isHostname(std::string_view text) {
  if (text.empty() || text.size() > kMaxHostnameLength || text.front() == '.' ||
      text.front() == '-') {
    return false;
  }
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    if (!ok) {
      return false;
    }
  }
  return true;
}

bool validAddress(std::string_view text) {
  return isIpv4(text) || isIpv6(text) || isHostname(text);
}

std::optional<CandidateType> parseType(std::string_view text) {
  if (text == "host") return CandidateType::Host;
  if (text == "srflx") return CandidateType::ServerReflexive;
  if (text == "prflx") return CandidateType::PeerReflexive;
  if (text == "relay") return CandidateType::Relay;
  return std::nullopt;
}

std::optional<TcpType> parseTcpType(std::string_view text) {
  if (text == "active") return TcpType::Active;
  if (text == "passive") return TcpType::Passive;
  if (text == "so") return TcpType::SimultaneousOpen;
  return std::nullopt;
}

std::string_view stripPrefix(std::string_view text) {
  text = trim(text);
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  text = trim(text);
  if (text.starts_with("a=")) {
    text.remove_prefix(2);
  }
  constexpr std::string_view kPrefix = "candidate:";
  if (text.size() >= kPrefix.size() && equalsIgnoreCase(text.substr(0, kPrefix.size()), kPrefix)) {
    text.remove_prefix(kPrefix.size());
  }
  return text;
}

}  // namespace

std::optional<IceCandidate> IceCandidate::parse(std::string_view text) {
  const auto fields = splitWhitespace(stripPrefix(text));
  // foundation component transport priority address port "typ" type
  if (fields.size() < 8 || fields[6] != "typ") {
    return std::nullopt;
  }
  IceCandidate c;
  if (!validFoundation(fields[0])) {
    return std::nullopt;
  }
  c.foundation = std::string(fields[0]);

  const auto component = parseUnsigned<std::uint16_t>(fields[1]);
  if (!component || *component < 1 || *component > 256) {
    return std::nullopt;
  }
  c.component = *component;

  if (equalsIgnoreCase(fields[2], "udp")) {
    c.transport = CandidateTransport::Udp;
  } else if (equalsIgnoreCase(fields[2], "tcp")) {
    c.transport = CandidateTransport::Tcp;
  } else {
    return std::nullopt;
  }

  const auto priority = parseUnsigned<std::uint32_t>(fields[3]);
  if (!priority) {
    return std::nullopt;
  }
  c.priority = *priority;

  if (!validAddress(fields[4])) {
    return std::nullopt;
  }
  c.address = std::string(fields[4]);

  const auto port = parseUnsigned<std::uint16_t>(fields[5]);
  if (!port) {
    return std::nullopt;
  }
  c.port = *port;

  const auto type = parseType(fields[7]);
  if (!type) {
    return std::nullopt;
  }
  c.type = *type;

  // The rest is name/value pairs; raddr, rport and tcptype are the ones we interpret.
  if ((fields.size() - 8) % 2 != 0) {
    return std::nullopt;
  }
  for (std::size_t i = 8; i + 1 < fields.size(); i += 2) {
    const std::string_view name = fields[i];
    const std::string_view value = fields[i + 1];
    if (name == "raddr") {
      if (c.relatedAddress || !validAddress(value)) {
        return std::nullopt;
      }
      c.relatedAddress = std::string(value);
    } else if (name == "rport") {
      const auto rport = parseUnsigned<std::uint16_t>(value);
      if (c.relatedPort || !rport) {
        return std::nullopt;
      }
      c.relatedPort = *rport;
    } else if (name == "tcptype") {
      const auto tcpType = parseTcpType(value);
      if (c.tcpType || !tcpType) {
        return std::nullopt;
      }
      c.tcpType = *tcpType;
    } else {
      if (!isToken(name)) {
        return std::nullopt;
      }
      c.extensions.push_back({std::string(name), std::string(value)});
    }
  }
  return c;
}

std::string IceCandidate::toString() const {
  std::string out;
  out.reserve(128);
  out += "candidate:";
  out += foundation;
  out += ' ';
  out += std::to_string(component);
  out += transport == CandidateTransport::Udp ? " udp " : " tcp ";
  out += std::to_string(priority);
  out += ' ';
  out += address;
  out += ' ';
  out += std::to_string(port);
  out += " typ ";
  out += rtc::toString(type);
  if (relatedAddress) {
    out += " raddr ";
    out += *relatedAddress;
  }
  if (relatedPort) {
    out += " rport ";
    out += std::to_string(*relatedPort);
  }
  if (tcpType) {
    out += " tcptype ";
    out += rtc::toString(*tcpType);
  }
  for (const auto& ext : extensions) {
    out += ' ';
    out += ext.name;
    out += ' ';
    out += ext.value;
  }
  return out;
}

CandidateAddressKind IceCandidate::addressKind() const {
  if (isIpv4(address)) {
    return CandidateAddressKind::Ipv4;
  }
  if (isIpv6(address)) {
    return CandidateAddressKind::Ipv6;
  }
  return CandidateAddressKind::Hostname;
}

bool IceCandidate::isMdns() const {
  constexpr std::string_view kSuffix = ".local";
  return addressKind() == CandidateAddressKind::Hostname && address.size() > kSuffix.size() &&
         equalsIgnoreCase(std::string_view(address).substr(address.size() - kSuffix.size()),
                          kSuffix);
}

std::optional<std::string_view> IceCandidate::extension(std::string_view name) const {
  for (const auto& ext : extensions) {
    if (ext.name == name) {
      return std::string_view(ext.value);
    }
  }
  return std::nullopt;
}

std::uint32_t IceCandidate::computePriority(std::uint8_t typePreference,
                                            std::uint16_t localPreference,
                                            std::uint16_t component) {
  const std::uint32_t comp = component > 256 ? 256u : component;
  return (static_cast<std::uint32_t>(typePreference) << 24) +
         (static_cast<std::uint32_t>(localPreference) << 8) + (256u - comp);
}

std::string_view toString(CandidateType type) {
  switch (type) {
    case CandidateType::Host: return "host";
    case CandidateType::ServerReflexive: return "srflx";
    case CandidateType::PeerReflexive: return "prflx";
    case CandidateType::Relay: return "relay";
  }
  return "host";
}

std::string_view toString(TcpType type) {
  switch (type) {
    case TcpType::Active: return "active";
    case TcpType::Passive: return "passive";
    case TcpType::SimultaneousOpen: return "so";
  }
  return "active";
}

}  // namespace huddle::rtc
