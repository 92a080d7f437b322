#pragma once
// ICE credentials (RFC 8445 section 5.3): plain values, any thread.

#include <cstddef>
#include <string>

namespace huddle::rtc {

// RFC 8445 demands at least 24 bits of randomness in the ufrag (4 chars) and 128 in the pwd
// (22 chars); a little more costs nothing and keeps ufrag collisions on a shared UDP mux rare.
inline constexpr std::size_t kIceUfragLength = 8;
inline constexpr std::size_t kIcePwdLength = 24;
inline constexpr std::size_t kIceMinUfragLength = 4;
inline constexpr std::size_t kIceMinPwdLength = 22;

struct IceCredentials {
  std::string ufrag;
  std::string pwd;

  // Fresh random credentials; an ICE restart is simply a call to this.
  [[nodiscard]] static IceCredentials generate();
  // Lengths are within RFC 8445 bounds and every character is an ice-char (ALPHA/DIGIT/+/).
  [[nodiscard]] bool valid() const noexcept;

  friend bool operator==(const IceCredentials&, const IceCredentials&) = default;
};

}  // namespace huddle::rtc
