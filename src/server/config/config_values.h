#pragma once
// Parsers for the values of config keys and flags, shared by the YAML reader and the flag
// handling. Internal to server/config. Pure, any thread (readKeyFile reads the file system).
// Every error message starts with the `name` it is given: the key or flag being read.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "server/config/server_config.h"

namespace huddle::server::detail {

using KeyMap = std::map<std::string, std::string>;

[[nodiscard]] std::string lower(std::string_view s);
[[nodiscard]] std::string trim(std::string_view s);

// Decimal digits only, no sign, no underscores; min/max inclusive.
[[nodiscard]] Result<std::uint64_t, ConfigError> parseInteger(std::string_view text,
                                                              std::string_view name,
                                                              std::uint64_t min, std::uint64_t max);
// "ip" or "ipv4,ipv6".
[[nodiscard]] Result<NodeIp, ConfigError> parseNodeIp(std::string_view text, std::string_view name);
[[nodiscard]] Result<Ok, ConfigError> checkLogLevel(const std::string& level,
                                                    std::string_view name);
[[nodiscard]] Result<Ok, ConfigError> checkBindAddress(const std::string& address,
                                                       std::string_view name);

// "key: secret" text as LiveKit takes it: a YAML mapping (one pair per line), or on a single
// line pairs separated by commas, the LIVEKIT_KEYS shorthand.
[[nodiscard]] Result<KeyMap, ConfigError> parseKeyText(std::string_view text,
                                                       std::string_view name);
[[nodiscard]] Result<std::string, ConfigError> readFile(const std::string& path,
                                                        std::string_view name);
// Refuses a file other users may access, as LiveKit does.
[[nodiscard]] Result<KeyMap, ConfigError> readKeyFile(const std::string& path,
                                                      std::string_view name);

}  // namespace huddle::server::detail
