#include "server/config/config_values.h"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

namespace huddle::server::detail {
namespace {

using Fail = Error<ConfigError>;

constexpr std::array<std::string_view, 4> kLogLevels = {"debug", "info", "warn", "error"};

bool isIpLiteral(const std::string& text) {
  std::array<unsigned char, 16> buf{};
  return inet_pton(AF_INET, text.c_str(), buf.data()) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buf.data()) == 1;
}

bool isIpv4(const std::string& text) {
  std::array<unsigned char, 4> buf{};
  return inet_pton(AF_INET, text.c_str(), buf.data()) == 1;
}

}  // namespace

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<std::uint64_t, ConfigError> parseInteger(std::string_view text, std::string_view name,
                                                std::uint64_t min, std::uint64_t max) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != end) {
    return Fail{ConfigError::InvalidValue,
                std::string(name) + ": expected an integer, got '" + std::string(text) + "'"};
  }
  if (ec == std::errc::result_out_of_range || value < 0 ||
      static_cast<std::uint64_t>(value) < min || static_cast<std::uint64_t>(value) > max) {
    return Fail{ConfigError::InvalidValue, std::string(name) + ": " + std::string(text) +
                                               " is out of range (" + std::to_string(min) + "-" +
                                               std::to_string(max) + ")"};
  }
  return static_cast<std::uint64_t>(value);
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

Result<NodeIp, ConfigError> parseNodeIp(std::string_view text, std::string_view name) {
  std::vector<std::string> parts;
  for (std::size_t from = 0;;) {
    const auto comma = text.find(',', from);
    parts.push_back(
        trim(text.substr(from, comma == std::string_view::npos ? comma : comma - from)));
    if (comma == std::string_view::npos) break;
    from = comma + 1;
  }
  if (parts.size() > 2) {
    return Fail{
        ConfigError::InvalidValue,
        std::string(name) + ": expected 'ip' or 'ipv4,ipv6', got '" + std::string(text) + "'"};
  }
  NodeIp ip;
  for (const auto& part : parts) {
    if (!isIpLiteral(part)) {
      return Fail{ConfigError::InvalidValue,
                  std::string(name) + ": '" + part + "' is not an IP address"};
    }
    std::string& slot = isIpv4(part) ? ip.v4 : ip.v6;
    if (!slot.empty()) {
      return Fail{
          ConfigError::InvalidValue,
          std::string(name) + ": two addresses of the same family in '" + std::string(text) + "'"};
    }
    slot = part;
  }
  return ip;
}

Result<Ok, ConfigError> checkLogLevel(const std::string& level, std::string_view name) {
  if (std::find(kLogLevels.begin(), kLogLevels.end(), level) == kLogLevels.end()) {
    return Fail{ConfigError::InvalidValue,
                std::string(name) + ": '" + level + "' is not one of debug, info, warn, error"};
  }
  return Ok{};
}

Result<Ok, ConfigError> checkBindAddress(const std::string& address, std::string_view name) {
  if (!isIpLiteral(address)) {
    return Fail{ConfigError::InvalidValue,
                std::string(name) + ": '" + address + "' is not an IP address"};
  }
  return Ok{};
}

Result<KeyMap, ConfigError> parseKeyText(std::string_view text, std::string_view name) {
  KeyMap keys;
  const auto malformed = [&] {
    return Fail{ConfigError::InvalidKeys,
                std::string(name) + ": expected \"key: secret\" entries (with ': ' between)"};
  };
  if (text.find('\n') == std::string_view::npos) {
    std::string_view rest = text;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string pair = trim(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      if (pair.empty()) continue;
      const auto colon = pair.find(':');
      if (colon == std::string::npos) return malformed();
      keys[trim(std::string_view(pair).substr(0, colon))] =
          trim(std::string_view(pair).substr(colon + 1));
    }
    return keys;
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception&) {
    return malformed();
  }
  if (root.IsNull()) return keys;
  if (!root.IsMap()) return malformed();
  for (const auto& entry : root) {
    if (!entry.first.IsScalar() || !entry.second.IsScalar()) return malformed();
    keys[entry.first.Scalar()] = entry.second.Scalar();
  }
  return keys;
}

Result<std::string, ConfigError> readFile(const std::string& path, std::string_view name) {
  std::ifstream file(path);
  if (!file) {
    return Fail{ConfigError::FileUnreadable, std::string(name) + ": cannot read '" + path + "'"};
  }
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

Result<KeyMap, ConfigError> readKeyFile(const std::string& path, std::string_view name) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Fail{ConfigError::FileUnreadable, std::string(name) + ": cannot read '" + path + "'"};
  }
  // Same rule as LiveKit: secrets that every local user can read are not secret.
  if ((st.st_mode & (S_IROTH | S_IWOTH | S_IXOTH)) != 0) {
    return Fail{ConfigError::FileUnreadable,
                std::string(name) + ": '" + path +
                    "' is accessible by other users; restrict it (chmod 600)"};
  }
  auto text = readFile(path, name);
  if (!text) return text.error();
  return parseKeyText(*text + "\n", name);  // a file is always read as YAML lines
}

}  // namespace huddle::server::detail
