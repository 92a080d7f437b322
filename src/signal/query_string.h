#pragma once
// URL query strings as browsers and the reference server write them. Pure, any thread.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace huddle::signal {

// application/x-www-form-urlencoded decoding: '+' is a space, %XX is one byte (either case).
// nullopt on a truncated or non-hex escape.
[[nodiscard]] std::optional<std::string> percentDecode(std::string_view text);

// Escapes everything outside RFC 3986's unreserved set, so the result survives any decoder.
[[nodiscard]] std::string percentEncode(std::string_view text);

class QueryParams final {
 public:
  // Accepts the part after '?' (a leading '?' is skipped). nullopt if any name or value has a
  // broken escape. Empty pieces ("a=1&&b=2") are skipped; a piece without '=' has value "".
  [[nodiscard]] static std::optional<QueryParams> parse(std::string_view query);

  // First occurrence wins, as with Go's url.Values.Get on the reference server.
  [[nodiscard]] const std::string* find(std::string_view name) const;
  [[nodiscard]] bool contains(std::string_view name) const { return find(name) != nullptr; }
  [[nodiscard]] std::size_t size() const { return params_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

// Builds "a=1&b=2" with both sides percent-encoded.
class QueryBuilder final {
 public:
  void add(std::string_view name, std::string_view value);
  [[nodiscard]] const std::string& str() const { return query_; }

 private:
  std::string query_;
};

}  // namespace huddle::signal
