#pragma once
// IceCandidate: one RFC 8839 "candidate:" line, parsed and formatted on its own so trickle
// messages can use it without a whole SDP. Pure, any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace huddle::rtc {

enum class CandidateType : std::uint8_t { Host, ServerReflexive, PeerReflexive, Relay };
enum class CandidateTransport : std::uint8_t { Udp, Tcp };
// RFC 6544; only meaningful when transport is Tcp.
enum class TcpType : std::uint8_t { Active, Passive, SimultaneousOpen };
enum class CandidateAddressKind : std::uint8_t { Ipv4, Ipv6, Hostname };

// A key/value pair after the typ field that we do not interpret (generation, ufrag,
// network-id, network-cost...). Kept so a candidate we forward is the one we received.
struct CandidateExtension {
  std::string name;
  std::string value;
  bool operator==(const CandidateExtension&) const = default;
};

struct IceCandidate {
  std::string foundation;
  std::uint16_t component = 1;
  CandidateTransport transport = CandidateTransport::Udp;
  std::uint32_t priority = 0;
  std::string address;  // IPv4, IPv6 (no brackets) or a host name such as an mDNS "x.local"
  std::uint16_t port = 0;
  CandidateType type = CandidateType::Host;
  std::optional<std::string> relatedAddress;
  std::optional<std::uint16_t> relatedPort;
  std::optional<TcpType> tcpType;
  std::vector<CandidateExtension> extensions;

  // Accepts "candidate:...", "a=candidate:..." or the bare fields, with surrounding blanks or a
  // trailing CRLF (trickle strings arrive in all these shapes). Returns nullopt on anything
  // that does not follow the grammar, including the empty end-of-candidates string.
  [[nodiscard]] static std::optional<IceCandidate> parse(std::string_view text);

  // "candidate:<foundation> <component> udp|tcp ..." without "a=" or a line ending.
  [[nodiscard]] std::string toString() const;

  [[nodiscard]] CandidateAddressKind addressKind() const;
  // Browsers hide host addresses behind "<uuid>.local" names (mDNS) unless allowed otherwise.
  [[nodiscard]] bool isMdns() const;
  [[nodiscard]] std::optional<std::string_view> extension(std::string_view name) const;

  // RFC 8445 section 5.1.2.1: (2^24)*type + (2^8)*local + (256 - component).
  [[nodiscard]] static std::uint32_t computePriority(std::uint8_t typePreference,
                                                     std::uint16_t localPreference,
                                                     std::uint16_t component);

  bool operator==(const IceCandidate&) const = default;
};

[[nodiscard]] std::string_view toString(CandidateType type);
[[nodiscard]] std::string_view toString(TcpType type);

}  // namespace huddle::rtc
