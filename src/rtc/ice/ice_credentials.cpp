#include "rtc/ice/ice_credentials.h"

#include <algorithm>
#include <string_view>

#include "common/random.h"

namespace huddle::rtc {

namespace {

bool isIceChar(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// RFC 8839: ufrag 4..256 chars, pwd 22..256 chars.
constexpr std::size_t kIceMaxCredentialLength = 256;

bool validField(std::string_view s, std::size_t minLength) noexcept {
  return s.size() >= minLength && s.size() <= kIceMaxCredentialLength &&
         std::all_of(s.begin(), s.end(), isIceChar);
}

}  // namespace

IceCredentials IceCredentials::generate() {
  return IceCredentials{randomAlphanumeric(kIceUfragLength), randomAlphanumeric(kIcePwdLength)};
}

bool IceCredentials::valid() const noexcept {
  return validField(ufrag, kIceMinUfragLength) && validField(pwd, kIceMinPwdLength);
}

}  // namespace huddle::rtc
