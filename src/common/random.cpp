#include "common/random.h"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace huddle {

void fillRandom(std::span<std::uint8_t> out) {
  if (out.empty()) return;
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    // The DRBG failing means the process cannot make safe secrets; nothing sensible follows.
    throw std::runtime_error("OpenSSL RAND_bytes failed: no secure randomness available");
  }
}

std::string randomAlphanumeric(std::size_t length) {
  static constexpr std::string_view kAlphabet =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  // 62 * 4 = 248: bytes at or above it are rejected so every character is equally likely.
  static constexpr std::uint8_t kLimit = 248;
  std::string out;
  out.reserve(length);
  std::array<std::uint8_t, 64> pool{};
  while (out.size() < length) {
    fillRandom(pool);
    for (const std::uint8_t b : pool) {
      if (b >= kLimit) continue;
      out.push_back(kAlphabet[b % kAlphabet.size()]);
      if (out.size() == length) break;
    }
  }
  return out;
}

std::string randomId(std::string_view prefix) {
  std::string id(prefix);
  id += randomAlphanumeric(12);
  return id;
}

}  // namespace huddle
