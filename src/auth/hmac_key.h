#pragma once
// An HMAC-SHA256 key prepared once, so that signing a token costs one hash, not a key setup.
// Thread-safe after construction: sign() only reads the prepared state.

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

namespace huddle::auth {

class HmacSha256Key final {
 public:
  using Digest = std::array<std::uint8_t, 32>;

  explicit HmacSha256Key(std::string_view secret);
  ~HmacSha256Key();
  HmacSha256Key(HmacSha256Key&&) noexcept;
  HmacSha256Key& operator=(HmacSha256Key&&) noexcept;
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;

  [[nodiscard]] Digest sign(std::string_view data) const;
  // Constant-time comparison of sign(data) with an expected MAC.
  [[nodiscard]] bool verify(std::string_view data, const Digest& expected) const;

  [[nodiscard]] std::size_t secretSize() const { return secretSize_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::size_t secretSize_ = 0;
};

}  // namespace huddle::auth
