#include "server/demo/demo_assets.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "server/demo/embedded_files.h"

namespace huddle::server::demo {

namespace {

std::string_view contentTypeFor(std::string_view name) {
  struct Type {
    std::string_view suffix;
    std::string_view type;
  };
  static constexpr std::array<Type, 6> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".json", "application/json"},
  }};
  for (const Type& t : kTypes) {
    if (name.ends_with(t.suffix)) return t.type;
  }
  return "application/octet-stream";
}

// FNV-1a 64: enough to tell two builds' files apart for revalidation; not a security boundary.
std::string etagOf(std::string_view bytes) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  char out[24];
  std::snprintf(out, sizeof out, "\"%016llx\"", static_cast<unsigned long long>(h));
  return out;
}

// Hashing 600 KB on every request would be waste; the table is computed once, lazily, so a
// server that never serves the page never pays for it.
const std::vector<std::string>& etags() {
  static const std::vector<std::string> table = [] {
    std::vector<std::string> t;
    t.reserve(kEmbeddedFileCount);
    for (std::size_t i = 0; i < kEmbeddedFileCount; ++i)
      t.push_back(etagOf(kEmbeddedFiles[i].bytes));
    return t;
  }();
  return table;
}

std::optional<DemoAsset> byName(std::string_view name) {
  if (name.empty()) return std::nullopt;
  for (std::size_t i = 0; i < kEmbeddedFileCount; ++i) {
    if (kEmbeddedFiles[i].name == name) {
      return DemoAsset{kEmbeddedFiles[i].name, contentTypeFor(name), kEmbeddedFiles[i].bytes,
                       etags()[i]};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<DemoAsset> findDemoAsset(std::string_view path) {
  if (path == "/" || path == "/meet" || path == "/meet/") return byName("index.html");
  constexpr std::string_view kPrefix = "/demo/";
  if (!path.starts_with(kPrefix)) return std::nullopt;
  const std::string_view name = path.substr(kPrefix.size());
  // Names are flat; this also keeps "/demo/../x" and "/demo/a/b" from matching anything.
  if (name.find('/') != std::string_view::npos || name.starts_with('.')) return std::nullopt;
  return byName(name);
}

bool clientBundleAvailable() { return byName(kClientBundleName).has_value(); }

}  // namespace huddle::server::demo
