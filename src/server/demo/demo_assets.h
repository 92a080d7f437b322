#pragma once
// The demo meeting page, compiled into huddle-server: our index.html, app.js and style.css plus
// livekit-client's UMD bundle, copied from node_modules when the build was configured. Pure,
// any thread: the bytes are static and the lookup allocates nothing.

#include <optional>
#include <string_view>

namespace huddle::server::demo {

// The bundle's name under /demo/; index.html loads it before app.js.
inline constexpr std::string_view kClientBundleName = "livekit-client.umd.js";

struct DemoAsset {
  std::string_view name;         // file name, e.g. "app.js"
  std::string_view contentType;  // with charset for text
  std::string_view body;
  std::string_view etag;  // quoted strong validator, e.g. "\"1f3a...\""
};

// "/" and "/meet" -> index.html; "/demo/<file>" -> that file. nullopt for anything else,
// including "/demo/" paths that name no embedded file.
[[nodiscard]] std::optional<DemoAsset> findDemoAsset(std::string_view path);

// False when node_modules/livekit-client was missing at configure time: the page then says so.
[[nodiscard]] bool clientBundleAvailable();

}  // namespace huddle::server::demo
