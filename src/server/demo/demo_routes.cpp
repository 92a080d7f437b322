#include "server/demo/demo_routes.h"

#include <nlohmann/json.hpp>
#include <string_view>

#include "server/demo/demo_assets.h"
#include "server/demo/dev_token.h"

namespace huddle::server::demo {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kPreferredDevKey = "devkey";

std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

DemoResponse makeReply(const DemoRequest& request, http::status status, std::string body,
                       std::string_view contentType) {
  DemoResponse response(status, request.version());
  response.set(http::field::server, "huddle-server");
  response.set(http::field::content_type, std::string(contentType));
  response.set("X-Content-Type-Options", "nosniff");
  response.keep_alive(request.keep_alive());
  const std::size_t length = body.size();
  if (request.method() != http::verb::head) response.body() = std::move(body);
  // Set by hand: for HEAD the length is the one GET would send, with no body.
  response.content_length(length);
  return response;
}

DemoResponse jsonReply(const DemoRequest& request, http::status status, const nlohmann::json& j) {
  DemoResponse response = makeReply(request, status, j.dump(), "application/json");
  // A token must never sit in a cache, shared or not.
  response.set(http::field::cache_control, "no-store");
  return response;
}

DemoResponse errorReply(const DemoRequest& request, http::status status, const std::string& what) {
  return jsonReply(request, status, nlohmann::json{{"error", what}});
}

DemoResponse methodNotAllowed(const DemoRequest& request, std::string_view allow) {
  DemoResponse response =
      makeReply(request, http::status::method_not_allowed,
                "method not allowed: " + std::string(sv(request.method_string())) + "; use " +
                    std::string(allow),
                "text/plain; charset=utf-8");
  response.set(http::field::allow, std::string(allow));
  return response;
}

}  // namespace

DemoRoutes::DemoRoutes(const ServerConfig& config, const Clock& clock) : clock_(clock) {
  if (!config.development || config.keys.empty()) return;
  apiKey_ = config.keys.contains(std::string(kPreferredDevKey)) ? std::string(kPreferredDevKey)
                                                                : config.keys.begin()->first;
  secret_ = config.keyProvider.find(apiKey_);
}

std::optional<DemoResponse> DemoRoutes::handle(const DemoRequest& request) const {
  const std::string_view target = sv(request.target());
  const auto q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);

  if (path == "/api/token") {
    if (!tokenEndpointEnabled()) return std::nullopt;
    if (request.method() != http::verb::get) return methodNotAllowed(request, "GET");
    return handleToken(request, query);
  }

  const auto asset = findDemoAsset(path);
  if (!asset) {
    if (path == "/demo/" + std::string(kClientBundleName) && !clientBundleAvailable()) {
      return makeReply(request, http::status::not_found,
                       "livekit-client was not built into this huddle-server: run "
                       "scripts/setup.sh, then configure and build again",
                       "text/plain; charset=utf-8");
    }
    return std::nullopt;
  }
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    return methodNotAllowed(request, "GET, HEAD");
  }
  // "no-cache" = revalidate on every use: a rebuilt server serves a new page at once, and the
  // unchanged 600 KB bundle costs a 304.
  const std::string_view ifNoneMatch = sv(request[http::field::if_none_match]);
  if (!ifNoneMatch.empty() && ifNoneMatch.find(asset->etag) != std::string_view::npos) {
    DemoResponse response(http::status::not_modified, request.version());
    response.set(http::field::server, "huddle-server");
    response.set(http::field::etag, std::string(asset->etag));
    response.set(http::field::cache_control, "no-cache");
    response.keep_alive(request.keep_alive());
    return response;
  }
  DemoResponse response =
      makeReply(request, http::status::ok, std::string(asset->body), asset->contentType);
  response.set(http::field::etag, std::string(asset->etag));
  response.set(http::field::cache_control, "no-cache");
  return response;
}

DemoResponse DemoRoutes::handleToken(const DemoRequest& request, std::string_view query) const {
  // No CORS header on purpose: another site open in the developer's browser must not be able
  // to read tokens from here.
  auto parsed = parseDevTokenQuery(query);
  if (!parsed.ok()) return errorReply(request, http::status::bad_request, parsed.message());
  const auto url = signalUrlFromHost(sv(request[http::field::host]));
  if (!url) {
    return errorReply(request, http::status::bad_request,
                      "missing or malformed Host header: cannot tell the client where to connect");
  }
  auto token = mintDevToken(*parsed, apiKey_, *secret_, clock_);
  if (!token.ok()) return errorReply(request, http::status::internal_server_error, token.message());
  return jsonReply(request, http::status::ok, nlohmann::json{{"token", *token}, {"url", *url}});
}

}  // namespace huddle::server::demo
