#pragma once
// Big-endian field access over raw packet bytes. Pure, any thread.
// Callers check bounds first; these helpers only assemble and split integers.

#include <cstddef>
#include <cstdint>

namespace huddle::rtc::byte_io {

[[nodiscard]] inline std::uint16_t read16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

[[nodiscard]] inline std::uint32_t read24(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | std::uint32_t{p[2]};
}

[[nodiscard]] inline std::uint32_t read32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

[[nodiscard]] inline std::uint64_t read64(const std::uint8_t* p) noexcept {
  return (std::uint64_t{read32(p)} << 32) | std::uint64_t{read32(p + 4)};
}

// Two's complement 24-bit field widened to int32 (cumulative loss, TWCC reference time).
[[nodiscard]] inline std::int32_t readSigned24(const std::uint8_t* p) noexcept {
  std::uint32_t v = read24(p);
  if (v & 0x800000u) {
    v |= 0xFF000000u;
  }
  return static_cast<std::int32_t>(v);
}

inline void write16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

inline void write24(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 16);
  p[1] = static_cast<std::uint8_t>(v >> 8);
  p[2] = static_cast<std::uint8_t>(v);
}

inline void write32(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

inline void write64(std::uint8_t* p, std::uint64_t v) noexcept {
  write32(p, static_cast<std::uint32_t>(v >> 32));
  write32(p + 4, static_cast<std::uint32_t>(v));
}

[[nodiscard]] constexpr std::size_t padTo4(std::size_t n) noexcept { return (n + 3) & ~std::size_t{3}; }

}  // namespace huddle::rtc::byte_io
