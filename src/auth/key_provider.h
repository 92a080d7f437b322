#pragma once
// API keys and their secrets, from LiveKit's key file format, LIVEKIT_KEYS or a flag.
// Immutable after loading, so any thread may look keys up.

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "auth/errors.h"
#include "auth/hmac_key.h"
#include "common/result.h"

namespace huddle::auth {

// Secrets shorter than this are guessable by brute force; only dev mode may use them.
inline constexpr std::size_t kMinSecretBytes = 32;

struct KeyPolicy {
  bool allowShortSecrets = false;  // true only in --dev
};

class KeyProvider final {
 public:
  KeyProvider() = default;

  // Adds one key, refusing a short secret unless the policy allows it.
  [[nodiscard]] Result<Ok, KeyError> add(std::string key, std::string secret, KeyPolicy policy);

  // "key: secret" lines, as LiveKit's key file (a YAML mapping).
  [[nodiscard]] static Result<KeyProvider, KeyError> fromYamlText(std::string_view text,
                                                                  KeyPolicy policy);
  [[nodiscard]] static Result<KeyProvider, KeyError> fromYamlFile(const std::string& path,
                                                                  KeyPolicy policy);
  // LIVEKIT_KEYS: the same YAML mapping, or pairs separated by commas ("k1: s1, k2: s2").
  [[nodiscard]] static Result<KeyProvider, KeyError> fromEnvValue(std::string_view value,
                                                                  KeyPolicy policy);

  // nullptr when the key is unknown.
  [[nodiscard]] const HmacSha256Key* find(std::string_view apiKey) const;
  [[nodiscard]] std::size_t size() const { return keys_.size(); }
  [[nodiscard]] bool empty() const { return keys_.empty(); }

 private:
  std::map<std::string, std::shared_ptr<const HmacSha256Key>, std::less<>> keys_;
};

}  // namespace huddle::auth
