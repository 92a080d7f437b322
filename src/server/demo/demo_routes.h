#pragma once
// Signaling thread (like every route); handle() itself is pure and only reads what it borrows.
//
// The demo page's HTTP routes, kept out of Server::route so the server gains one line:
//   GET|HEAD /, /meet         the meeting page (index.html)
//   GET|HEAD /demo/<file>     its scripts and styles, with ETag revalidation
//   GET /api/token?...        --dev only: a join token minted with the development key
// Outside --dev /api/token is not a route at all: handle() declines it and the server's 404
// answers, exactly as for any unknown path.

#include <utility>

#include <boost/beast/http.hpp>
#include <optional>
#include <string>

#include "auth/hmac_key.h"
#include "common/clock.h"
#include "server/config/server_config.h"

namespace huddle::server::demo {

// The same types as server/http_server.h's HttpRequest/HttpResponse, named here so this module
// does not depend on the server it plugs into.
using DemoRequest = boost::beast::http::request<boost::beast::http::string_body>;
using DemoResponse = boost::beast::http::response<boost::beast::http::string_body>;

class DemoRoutes final {
 public:
  // borrowed: `config` (its key provider) and `clock` outlive the routes.
  explicit DemoRoutes(const ServerConfig& config, const Clock& clock = SystemClock::instance());

  // A response for the demo paths; nullopt for any other path, which the caller routes on.
  [[nodiscard]] std::optional<DemoResponse> handle(const DemoRequest& request) const;

  // True in --dev with a key to sign with.
  [[nodiscard]] bool tokenEndpointEnabled() const { return secret_ != nullptr; }
  // The key /api/token signs with ("devkey" unless the operator gave others).
  [[nodiscard]] const std::string& tokenApiKey() const { return apiKey_; }

 private:
  [[nodiscard]] DemoResponse handleToken(const DemoRequest& request, std::string_view query) const;

  std::string apiKey_;
  const auth::HmacSha256Key* secret_ = nullptr;
  const Clock& clock_;
};

}  // namespace huddle::server::demo
