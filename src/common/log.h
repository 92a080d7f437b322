#pragma once
// Structured, quiet-by-default logging over spdlog, tagged by area (auth, ice, dtls, rtp, ...).
// Thread-safe. Messages carry context as key=value pairs:
//   HUDDLE_LOG_WARN(auth, "token rejected reason={} iss={}", reason, iss);

#include <spdlog/spdlog.h>

#include <string_view>

namespace huddle::log {

enum class Level { Trace, Debug, Info, Warn, Error, Off };

void setLevel(Level level);
// Accepts LiveKit's names: debug, info, warn, error (and trace, off). Returns false if unknown.
[[nodiscard]] bool setLevel(std::string_view name);

}  // namespace huddle::log

#define HUDDLE_LOG_IMPL(level, area, fmt, ...)            \
  SPDLOG_LOGGER_CALL(spdlog::default_logger_raw(), level, \
                     "[" #area "] " fmt __VA_OPT__(, ) __VA_ARGS__)
#define HUDDLE_LOG_TRACE(area, fmt, ...) \
  HUDDLE_LOG_IMPL(spdlog::level::trace, area, fmt __VA_OPT__(, ) __VA_ARGS__)
#define HUDDLE_LOG_DEBUG(area, fmt, ...) \
  HUDDLE_LOG_IMPL(spdlog::level::debug, area, fmt __VA_OPT__(, ) __VA_ARGS__)
#define HUDDLE_LOG_INFO(area, fmt, ...) \
  HUDDLE_LOG_IMPL(spdlog::level::info, area, fmt __VA_OPT__(, ) __VA_ARGS__)
#define HUDDLE_LOG_WARN(area, fmt, ...) \
  HUDDLE_LOG_IMPL(spdlog::level::warn, area, fmt __VA_OPT__(, ) __VA_ARGS__)
#define HUDDLE_LOG_ERROR(area, fmt, ...) \
  HUDDLE_LOG_IMPL(spdlog::level::err, area, fmt __VA_OPT__(, ) __VA_ARGS__)
