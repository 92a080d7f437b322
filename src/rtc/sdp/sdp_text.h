#pragma once
// Small text helpers shared by the SDP and candidate parsers. Pure, any thread.
// Internal to the sdp module: not meant to be included from outside src/rtc/sdp.

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace huddle::rtc::sdp_text {

// Whole-token unsigned parse: "12x", "", "+1" and out-of-range values are all rejected,
// because a half-parsed number in SDP usually means we misread the grammar.
template <typename T>
[[nodiscard]] std::optional<T> parseUnsigned(std::string_view text) {
  static_assert(std::is_unsigned_v<T>);
  if (text.empty() || text.size() > 20) {
    return std::nullopt;
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// RTP payload types are 7 bits.
[[nodiscard]] inline std::optional<int> parsePayloadType(std::string_view text) {
  const auto v = parseUnsigned<std::uint32_t>(text);
  if (!v || *v > 127) {
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

// Splits on runs of spaces/tabs; empty tokens never appear.
[[nodiscard]] inline std::vector<std::string_view> splitWhitespace(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
      ++i;
    }
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') {
      ++i;
    }
    if (i > start) {
      out.push_back(text.substr(start, i - start));
    }
  }
  return out;
}

// Splits on one separator character, keeping empty pieces (callers decide whether they matter).
[[nodiscard]] inline std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t pos = text.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(text.substr(start));
      return out;
    }
    out.push_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

[[nodiscard]] inline std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

[[nodiscard]] inline char asciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

[[nodiscard]] inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (asciiLower(a[i]) != asciiLower(b[i])) {
      return false;
    }
  }
  return true;
}

[[nodiscard]] inline std::string toLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = asciiLower(c);
  }
  return out;
}

// RFC 4566 token-char: what SDP allows in names such as attribute names, rids, mids.
[[nodiscard]] inline bool isTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
      return true;
    default:
      return false;
  }
}

[[nodiscard]] inline bool isToken(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    if (!isTokenChar(c)) {
      return false;
    }
  }
  return true;
}

// Printable, no spaces: what a value may contain when we later re-split it on spaces.
[[nodiscard]] inline bool isVisibleNoSpace(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      return false;
    }
  }
  return true;
}

}  // namespace huddle::rtc::sdp_text
