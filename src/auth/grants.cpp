#include "auth/grants.h"

#include <algorithm>

namespace huddle::auth {

bool VideoGrant::canPublishSource(std::string_view source) const {
  if (!effectiveCanPublish()) return false;
  if (canPublishSources.empty()) return true;
  return std::find(canPublishSources.begin(), canPublishSources.end(), source) !=
         canPublishSources.end();
}

}  // namespace huddle::auth
