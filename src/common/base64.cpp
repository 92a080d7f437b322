#include "common/base64.h"

#include <array>

namespace huddle {
namespace {

constexpr std::string_view kStandardAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> makeReverse(std::string_view alphabet) {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}

constexpr auto kStandardReverse = makeReverse(kStandardAlphabet);
constexpr auto kUrlReverse = makeReverse(kUrlAlphabet);

std::string encode(std::span<const std::uint8_t> in, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const std::uint32_t n =
        (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    out.push_back(alphabet[(n >> 6) & 63]);
    out.push_back(alphabet[n & 63]);
  }
  const std::size_t rest = in.size() - i;
  if (rest == 1) {
    const std::uint32_t n = std::uint32_t{in[i]} << 16;
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    if (pad) out.append("==");
  } else if (rest == 2) {
    const std::uint32_t n = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8);
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    out.push_back(alphabet[(n >> 6) & 63]);
    if (pad) out.push_back('=');
  }
  return out;
}

// Validates and measures: strips padding (which, when present, must complete the last quantum)
// and returns the unpadded text, or nullopt.
std::optional<std::string_view> unpadded(std::string_view in) {
  std::size_t padding = 0;
  while (padding < 2 && !in.empty() && in.back() == '=') {
    in.remove_suffix(1);
    ++padding;
  }
  if (padding > 0 && (in.size() + padding) % 4 != 0) return std::nullopt;
  if (in.size() % 4 == 1) return std::nullopt;  // no byte count encodes to 4n+1 characters
  return in;
}

std::size_t decodedSize(std::string_view unpaddedText) { return unpaddedText.size() * 3 / 4; }

// Writes exactly decodedSize(in) bytes to `out`; false on a foreign character or non-zero
// trailing bits (which would let two encodings decode to the same bytes).
bool decodeInto(std::string_view in, const std::array<std::uint8_t, 256>& reverse,
                std::uint8_t* out) {
  std::uint32_t accumulator = 0;
  int bits = 0;
  for (const char c : in) {
    const std::uint8_t v = reverse[static_cast<unsigned char>(c)];
    if (v == kInvalid) return false;
    accumulator = (accumulator << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *out++ = static_cast<std::uint8_t>((accumulator >> bits) & 0xff);
    }
  }
  return bits == 0 || (accumulator & ((1u << bits) - 1)) == 0;
}

std::optional<std::string> decode(std::string_view text,
                                  const std::array<std::uint8_t, 256>& reverse) {
  const auto in = unpadded(text);
  if (!in) return std::nullopt;
  std::string out(decodedSize(*in), '\0');
  if (!decodeInto(*in, reverse, reinterpret_cast<std::uint8_t*>(out.data()))) return std::nullopt;
  return out;
}

}  // namespace

std::string encodeBase64(std::span<const std::uint8_t> bytes) {
  return encode(bytes, kStandardAlphabet, true);
}

std::string encodeBase64Url(std::span<const std::uint8_t> bytes, Base64Padding padding) {
  return encode(bytes, kUrlAlphabet, padding == Base64Padding::Keep);
}

std::optional<std::string> decodeBase64(std::string_view text) {
  return decode(text, kStandardReverse);
}

std::optional<std::string> decodeBase64Url(std::string_view text) {
  return decode(text, kUrlReverse);
}

std::optional<std::size_t> decodeBase64Url(std::string_view text, std::span<std::uint8_t> out) {
  const auto in = unpadded(text);
  if (!in || decodedSize(*in) > out.size()) return std::nullopt;
  if (!decodeInto(*in, kUrlReverse, out.data())) return std::nullopt;
  return decodedSize(*in);
}

}  // namespace huddle
