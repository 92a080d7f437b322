#include "server/config/environment.h"

#include <cstdlib>

namespace huddle::server {

std::optional<std::string> ProcessEnvironment::get(std::string_view name) const {
  const std::string key(name);                   // getenv needs a terminated string
  const char* value = std::getenv(key.c_str());  // NOLINT(concurrency-mt-unsafe): startup only
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<std::string> MapEnvironment::get(std::string_view name) const {
  const auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

}  // namespace huddle::server
