#include "common/duration.h"

#include <cstdint>
#include <limits>

namespace huddle {

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / 3'600'000;
  std::int64_t totalMs = 0;
  std::size_t i = 0;
  bool bareNumber = true;
  while (i < text.size()) {
    std::int64_t number = 0;
    const std::size_t digitsStart = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      number = number * 10 + (text[i] - '0');
      if (number > kMax) return std::nullopt;
      ++i;
    }
    if (i == digitsStart) return std::nullopt;
    std::int64_t unitMs = 1000;  // a trailing bare number means seconds
    if (i < text.size()) {
      bareNumber = false;
      const std::string_view rest = text.substr(i);
      if (rest.starts_with("ms")) {
        unitMs = 1;
        i += 2;
      } else if (rest[0] == 'h') {
        unitMs = 3'600'000;
        ++i;
      } else if (rest[0] == 'm') {
        unitMs = 60'000;
        ++i;
      } else if (rest[0] == 's') {
        ++i;
      } else {
        return std::nullopt;
      }
    } else if (!bareNumber) {
      return std::nullopt;  // "1h30" is ambiguous
    }
    totalMs += number * unitMs;
    if (totalMs < 0 || totalMs > kMax * 3'600'000 / 2) return std::nullopt;
  }
  return std::chrono::milliseconds{totalMs};
}

}  // namespace huddle
