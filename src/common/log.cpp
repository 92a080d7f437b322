#include "common/log.h"

namespace huddle::log {

void setLevel(Level level) {
  static constexpr spdlog::level::level_enum kMap[] = {spdlog::level::trace, spdlog::level::debug,
                                                       spdlog::level::info,  spdlog::level::warn,
                                                       spdlog::level::err,   spdlog::level::off};
  spdlog::set_level(kMap[static_cast<int>(level)]);
}

bool setLevel(std::string_view name) {
  struct Entry {
    std::string_view name;
    Level level;
  };
  static constexpr Entry kNames[] = {{"trace", Level::Trace}, {"debug", Level::Debug},
                                     {"info", Level::Info},   {"warn", Level::Warn},
                                     {"error", Level::Error}, {"off", Level::Off}};
  for (const auto& entry : kNames) {
    if (entry.name == name) {
      setLevel(entry.level);
      return true;
    }
  }
  return false;
}

}  // namespace huddle::log
