#include "rtc/ice/ice_types.h"

namespace huddle::rtc {

std::string_view toString(IceState state) noexcept {
  switch (state) {
    case IceState::New: return "new";
    case IceState::Checking: return "checking";
    case IceState::Connected: return "connected";
    case IceState::Disconnected: return "disconnected";
    case IceState::Failed: return "failed";
    case IceState::Closed: return "closed";
  }
  return "unknown";
}

}  // namespace huddle::rtc
