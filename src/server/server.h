#pragma once
// One signaling thread plus N media workers; a room is pinned to one worker; workers and the
// signaling thread exchange work through queues. The Server is the composition root: it owns
// the config, keys, metrics, webhooks, the worker and the HTTP listeners, and runs the
// signaling io_context on the thread that calls run().

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/config/server_config.h"
#include "server/http_server.h"

namespace huddle::server {

class Server final : public HttpRouter {
 public:
  [[nodiscard]] static Result<std::unique_ptr<Server>, HttpServerError> create(
      ServerConfig config);
  ~Server() override;

  // Blocks until shutdown() (or SIGINT/SIGTERM when handleSignals) has finished.
  void run(bool handleSignals);
  // Graceful: refuse new work, tell every participant (leave SERVER_SHUTDOWN), close rooms,
  // flush webhooks, stop. Thread-safe; returns at once.
  void shutdown();

  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::string url() const;

  void route(const std::shared_ptr<HttpConnection>& connection, HttpRequest request) override;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace huddle::server
