#pragma once
// Base64 in the two alphabets the LiveKit protocol uses. Pure, any thread.
//  - standard, padded (RFC 4648 section 4): webhook body hashes
//  - URL-safe (section 5): JWT segments (unpadded) and /rtc/v1 join_request (padded)

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace huddle {

enum class Base64Padding { Omit, Keep };

[[nodiscard]] std::string encodeBase64(std::span<const std::uint8_t> bytes);
[[nodiscard]] std::string encodeBase64Url(std::span<const std::uint8_t> bytes,
                                          Base64Padding padding = Base64Padding::Omit);
[[nodiscard]] inline std::string encodeBase64Url(std::string_view text,
                                                 Base64Padding padding = Base64Padding::Omit) {
  return encodeBase64Url({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                         padding);
}

// Decoders are strict about the alphabet: a character from the other alphabet, whitespace or
// misplaced padding yields nullopt. Padding is optional in both (some encoders drop it).
[[nodiscard]] std::optional<std::string> decodeBase64(std::string_view text);
[[nodiscard]] std::optional<std::string> decodeBase64Url(std::string_view text);

// Decodes into a caller buffer without allocating; returns the number of bytes written, or
// nullopt when the text is invalid or `out` is too small.
[[nodiscard]] std::optional<std::size_t> decodeBase64Url(std::string_view text,
                                                         std::span<std::uint8_t> out);

}  // namespace huddle
