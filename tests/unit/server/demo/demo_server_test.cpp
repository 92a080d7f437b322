// The demo routes wired into a real huddle-server on 127.0.0.1, over HTTP: the page, the token
// endpoint in --dev, a 404 for it otherwise, and the routes that were there before.

#include <gtest/gtest.h>

#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "auth/access_token.h"
#include "server/server.h"

namespace huddle::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

class RunningServer {
 public:
  explicit RunningServer(bool development) {
    ServerConfig config;
    config.port = 0;
    config.rtc.udpPort = 0;  // an ephemeral media port: tests run in parallel
    config.bindAddresses = {"127.0.0.1"};
    config.development = development;
    config.logLevel = "warn";
    const std::string secret = development ? "secret" : std::string(40, 'k');
    config.keys = {{"devkey", secret}};
    EXPECT_TRUE(config.keyProvider.add("devkey", secret, auth::KeyPolicy{development}).ok());
    keys_ = config.keyProvider;
    auto created = Server::create(std::move(config));
    if (!created.ok()) {
      ADD_FAILURE() << created.message();
      return;
    }
    server_ = std::move(*created);
    thread_ = std::thread([this] { server_->run(false); });
  }
  ~RunningServer() {
    if (server_) server_->shutdown();
    if (thread_.joinable()) thread_.join();
  }
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  [[nodiscard]] bool ok() const { return server_ != nullptr; }
  [[nodiscard]] const auth::KeyProvider& keys() const { return keys_; }

  // One request on a fresh connection; the socket timeout bounds a server that never answers.
  http::response<http::string_body> get(const std::string& target) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    http::request<http::empty_body> request(http::verb::get, target, 11);
    request.set(http::field::host, "127.0.0.1:" + std::to_string(server_->port()));
    request.keep_alive(false);
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return response;
  }

  [[nodiscard]] std::uint16_t port() const { return server_->port(); }

 private:
  auth::KeyProvider keys_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST(DemoServer, DevServerServesPageAndTokens) {
  RunningServer server(true);
  ASSERT_TRUE(server.ok());

  for (const char* path : {"/", "/meet"}) {
    auto page = server.get(path);
    EXPECT_EQ(page.result(), http::status::ok) << path;
    EXPECT_EQ(page[http::field::content_type], "text/html; charset=utf-8") << path;
    EXPECT_NE(page.body().find("data-testid=\"join-form\""), std::string::npos) << path;
  }
  auto script = server.get("/demo/app.js");
  EXPECT_EQ(script.result(), http::status::ok);
  EXPECT_EQ(script[http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_FALSE(script[http::field::etag].empty());

  auto token = server.get("/api/token?room=standup&identity=alice-7&name=Alice");
  ASSERT_EQ(token.result(), http::status::ok) << token.body();
  const auto body = nlohmann::json::parse(token.body());
  EXPECT_EQ(body.at("url"), "ws://127.0.0.1:" + std::to_string(server.port()));
  auto verified = auth::TokenVerifier(server.keys(), SystemClock::instance())
                      .verify(body.at("token").get<std::string>());
  ASSERT_TRUE(verified.ok()) << verified.message();
  EXPECT_EQ(verified->identity(), "alice-7");
  EXPECT_EQ(verified->grants.video->room, "standup");

  auto bad = server.get("/api/token?room=standup&identity=");
  EXPECT_EQ(bad.result(), http::status::bad_request);
  EXPECT_NE(bad.body().find("identity is required"), std::string::npos) << bad.body();

  // What was routed before still is.
  EXPECT_EQ(server.get("/metrics").result(), http::status::ok);
  EXPECT_EQ(server.get("/no/such/path").result(), http::status::not_found);
  EXPECT_EQ(server.get("/demo/no-such-file.js").result(), http::status::not_found);
}

TEST(DemoServer, TokenRouteDoesNotExistOutsideDev) {
  RunningServer server(false);
  ASSERT_TRUE(server.ok());
  auto token = server.get("/api/token?room=standup&identity=alice");
  EXPECT_EQ(token.result(), http::status::not_found);
  EXPECT_EQ(token.body().find("token"), std::string::npos) << token.body();
  EXPECT_EQ(server.get("/api/token").result(), http::status::not_found);
  // The page is served; it asks for a pasted token instead.
  auto page = server.get("/");
  EXPECT_EQ(page.result(), http::status::ok);
  EXPECT_NE(page.body().find("data-testid=\"manual-fields\""), std::string::npos);
}

}  // namespace
}  // namespace huddle::server
