#pragma once
// API key options shared by the subcommands: --keys-file, flags, LIVEKIT_API_KEY/SECRET,
// LIVEKIT_KEYS (verification), then --dev.

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <optional>
#include <string>

#include "auth/key_provider.h"
#include "common/result.h"

namespace huddle::cli {

inline constexpr const char* kDevKey = "devkey";
inline constexpr const char* kDevSecret = "secret";

// Where the API key and secret come from: flags, then LIVEKIT_API_KEY/SECRET, then --dev.
struct KeyOptions {
  std::string apiKey;
  std::string apiSecret;
  std::string keysFile;
  bool dev = false;
  bool acceptKeySet = false;  // verification may use any of several keys (LIVEKIT_KEYS)

  void addTo(CLI::App& cmd) {
    cmd.add_option("--api-key", apiKey, "API key (default: $LIVEKIT_API_KEY)");
    cmd.add_option("--api-secret", apiSecret, "API secret (default: $LIVEKIT_API_SECRET)");
    cmd.add_flag("--dev", dev,
                 "use the development key devkey/secret, as huddle-server --dev does");
  }

  // Fills in the defaults; returns an error sentence when no key can be found.
  std::optional<std::string> resolve() {
    if (apiKey.empty()) {
      if (const char* env = std::getenv("LIVEKIT_API_KEY")) apiKey = env;
    }
    if (apiSecret.empty()) {
      if (const char* env = std::getenv("LIVEKIT_API_SECRET")) apiSecret = env;
    }
    if (dev && apiKey.empty() && apiSecret.empty()) {
      apiKey = kDevKey;
      apiSecret = kDevSecret;
    }
    if (apiKey.empty() || apiSecret.empty()) {
      return "no API key: pass --api-key and --api-secret, set LIVEKIT_API_KEY and "
             "LIVEKIT_API_SECRET, or use --dev";
    }
    return std::nullopt;
  }

  // The keys to sign or verify with; short secrets only with --dev.
  [[nodiscard]] Result<auth::KeyProvider, auth::KeyError> provider() {
    if (!keysFile.empty()) {
      return auth::KeyProvider::fromYamlFile(keysFile, auth::KeyPolicy{.allowShortSecrets = dev});
    }
    // The server's own key variable, when no single key was named.
    if (acceptKeySet && apiKey.empty() && apiSecret.empty() &&
        std::getenv("LIVEKIT_API_KEY") == nullptr) {
      if (const char* keys = std::getenv("LIVEKIT_KEYS"); keys != nullptr && *keys != '\0') {
        return auth::KeyProvider::fromEnvValue(keys, auth::KeyPolicy{.allowShortSecrets = dev});
      }
    }
    if (auto error = resolve()) return Error{auth::KeyError::EmptyKeySet, *error};
    auth::KeyProvider keys;
    if (auto added = keys.add(apiKey, apiSecret, auth::KeyPolicy{.allowShortSecrets = dev});
        !added) {
      return Error{added.code(), added.message() + " (use --dev for the development key)"};
    }
    return keys;
  }
};

}  // namespace huddle::cli
