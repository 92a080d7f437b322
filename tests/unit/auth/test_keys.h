#pragma once

#include <stdexcept>
#include <string>

#include "auth/grants.h"
#include "auth/key_provider.h"

namespace huddle::auth::testing {

inline constexpr const char* kApiKey = "APIgolden";
inline constexpr const char* kSecret = "0123456789abcdef0123456789abcdef";

inline KeyProvider goldenKeys() {
  KeyProvider keys;
  if (!keys.add(kApiKey, kSecret, KeyPolicy{})) throw std::logic_error("test key refused");
  return keys;
}

inline ClaimGrants withIdentity(std::string identity) {
  ClaimGrants grants;
  grants.identity = std::move(identity);
  return grants;
}

}  // namespace huddle::auth::testing
