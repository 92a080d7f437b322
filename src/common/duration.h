#pragma once
// Durations as operators write them in flags and config: "90" or "90s", "10m", "6h", "1h30m",
// "500ms" (Go's time.ParseDuration subset LiveKit's config accepts). Pure, any thread.

#include <chrono>
#include <optional>
#include <string_view>

namespace huddle {

// A bare number is seconds. Returns nullopt on anything else, including overflow.
[[nodiscard]] std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

}  // namespace huddle
