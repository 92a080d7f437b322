#pragma once
// The livekit.yaml document reader: strict about keys, typed about values. Internal to
// server/config. Pure, any thread.

#include <optional>
#include <string>

#include "common/result.h"
#include "server/config/config_values.h"
#include "server/config/server_config.h"

namespace huddle::server::detail {

// What the document said beyond the fields it sets directly on the config.
struct YamlOutcome {
  std::optional<KeyMap> keys;  // from `keys`, or `key_file` when both are given
  std::string keySource;       // "keys" or "key_file"
  bool bindGiven = false;      // bind_addresses was present (--dev must not replace it)
};

// Applies `text` over `config` (whose configSource names the text in messages). Unknown keys
// fail; accepted-but-ignored livekit.yaml keys append to config.warnings.
[[nodiscard]] Result<YamlOutcome, ConfigError> applyYaml(const std::string& text,
                                                         ServerConfig& config);

}  // namespace huddle::server::detail
