#pragma once
// Test support: huddle-server in the test's own process on 127.0.0.1 (ephemeral ports unless
// given), with the development key devkey/secret, and join tokens for it. The server runs on
// its own thread; stop() (or the destructor) shuts it down and joins it.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "auth/access_token.h"
#include "server/server.h"

namespace huddle::testing {

struct InProcessServerOptions {
  std::uint16_t port = 0;
  std::uint16_t udpPort = 0;
  std::optional<std::uint16_t> advertisedUdpPort;
  bool singlePeerConnection = true;  // serve /rtc/v1
  bool autoCreate = true;
};

class InProcessServer {
 public:
  InProcessServer() = default;
  InProcessServer(const InProcessServer&) = delete;
  InProcessServer& operator=(const InProcessServer&) = delete;
  ~InProcessServer() { stop(); }

  // Fails the calling test (ASSERT) when the server cannot start.
  void start(const InProcessServerOptions& options = {}) {
    server::ServerConfig config;
    config.port = options.port;
    config.rtc.udpPort = options.udpPort;
    config.rtc.advertisedUdpPort = options.advertisedUdpPort;
    config.rtc.tcpPort = 0;
    config.rtc.singlePeerConnection = options.singlePeerConnection;
    config.room.autoCreate = options.autoCreate;
    config.bindAddresses = {"127.0.0.1"};
    config.development = true;
    config.logLevel = "error";
    config.keys = {{"devkey", "secret"}};
    ASSERT_TRUE(config.keyProvider.add("devkey", "secret", auth::KeyPolicy{true}).ok());
    auto created = server::Server::create(std::move(config));
    ASSERT_TRUE(created.ok()) << created.message();
    server_ = std::move(*created);
    thread_ = std::thread([this] { server_->run(false); });
  }

  void stop() {
    if (server_) server_->shutdown();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  [[nodiscard]] bool running() const noexcept { return server_ != nullptr; }
  [[nodiscard]] std::uint16_t port() const { return server_->port(); }
  [[nodiscard]] std::string url() const { return "ws://127.0.0.1:" + std::to_string(port()); }
  [[nodiscard]] server::Server& server() { return *server_; }

 private:
  std::unique_ptr<server::Server> server_;
  std::thread thread_;
};

// A join token for `room` signed with the development key; `adjust` may change the grants.
inline std::string joinToken(const std::string& identity, const std::string& room,
                             const std::function<void(auth::ClaimGrants&)>& adjust = {},
                             const std::string& secret = "secret") {
  auth::ClaimGrants grants;
  grants.identity = identity;
  grants.name = identity;
  auth::VideoGrant video;
  video.roomJoin = true;
  video.room = room;
  grants.video = video;
  if (adjust) adjust(grants);
  auto minted = auth::mintToken(grants, auth::MintOptions{.apiKey = "devkey"}, auth::HmacSha256Key(secret));
  return minted.ok() ? *minted : std::string();
}

}  // namespace huddle::testing
