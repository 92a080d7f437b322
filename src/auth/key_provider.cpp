#include "auth/key_provider.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace huddle::auth {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

Result<Ok, KeyError> KeyProvider::add(std::string key, std::string secret, KeyPolicy policy) {
  if (key.empty() || secret.empty()) {
    return Error{KeyError::InvalidFormat, "API key '" + key + "' has an empty key or secret"};
  }
  if (secret.size() < kMinSecretBytes && !policy.allowShortSecrets) {
    return Error{KeyError::SecretTooShort, "secret of API key '" + key + "' is " +
                                               std::to_string(secret.size()) + " bytes; at least " +
                                               std::to_string(kMinSecretBytes) +
                                               " are required outside dev mode"};
  }
  keys_[std::move(key)] = std::make_shared<const HmacSha256Key>(secret);
  return Ok{};
}

Result<KeyProvider, KeyError> KeyProvider::fromYamlText(std::string_view text, KeyPolicy policy) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error{KeyError::InvalidFormat, std::string("keys are not valid YAML: ") + e.what()};
  }
  if (!root.IsMap()) return Error{KeyError::InvalidFormat, "keys must be 'key: secret' lines"};
  KeyProvider provider;
  for (const auto& entry : root) {
    if (!entry.first.IsScalar() || !entry.second.IsScalar()) {
      return Error{KeyError::InvalidFormat, "each key entry must be 'key: secret'"};
    }
    auto added =
        provider.add(entry.first.as<std::string>(), entry.second.as<std::string>(), policy);
    if (!added) return added.error();
  }
  if (provider.empty()) return Error{KeyError::EmptyKeySet, "no API keys were given"};
  return provider;
}

Result<KeyProvider, KeyError> KeyProvider::fromYamlFile(const std::string& path, KeyPolicy policy) {
  std::ifstream file(path);
  if (!file) return Error{KeyError::FileUnreadable, "cannot read key file '" + path + "'"};
  std::ostringstream text;
  text << file.rdbuf();
  auto provider = fromYamlText(text.str(), policy);
  if (!provider) return Error{provider.code(), "key file '" + path + "': " + provider.message()};
  return provider;
}

Result<KeyProvider, KeyError> KeyProvider::fromEnvValue(std::string_view value, KeyPolicy policy) {
  if (value.find('\n') != std::string_view::npos) return fromYamlText(value, policy);
  KeyProvider provider;
  while (!value.empty()) {
    const auto comma = value.find(',');
    const std::string_view pair = trim(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    if (pair.empty()) continue;
    const auto colon = pair.find(':');
    if (colon == std::string_view::npos) {
      return Error{KeyError::InvalidFormat,
                   "LIVEKIT_KEYS entry '" + std::string(pair) + "' lacks ': '"};
    }
    auto added = provider.add(std::string(trim(pair.substr(0, colon))),
                              std::string(trim(pair.substr(colon + 1))), policy);
    if (!added) return added.error();
  }
  if (provider.empty()) return Error{KeyError::EmptyKeySet, "LIVEKIT_KEYS names no API key"};
  return provider;
}

const HmacSha256Key* KeyProvider::find(std::string_view apiKey) const {
  const auto it = keys_.find(apiKey);
  return it == keys_.end() ? nullptr : it->second.get();
}

}  // namespace huddle::auth
