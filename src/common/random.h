#pragma once
// Cryptographically secure randomness (OpenSSL's DRBG) for ids, nonces and ICE credentials.
// Thread-safe.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace huddle {

void fillRandom(std::span<std::uint8_t> out);

// `length` characters from [0-9A-Za-z], uniformly distributed (rejection sampling).
[[nodiscard]] std::string randomAlphanumeric(std::size_t length);

// LiveKit-style identifiers: prefix + 12 random alphanumerics, e.g. "PA_x8Kq2mZ0aB1cD".
[[nodiscard]] std::string randomId(std::string_view prefix);

}  // namespace huddle
