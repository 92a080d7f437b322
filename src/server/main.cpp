// huddle-server: a LiveKit-compatible media server. `huddle-server --dev` runs on 127.0.0.1:7880
// with the development key (devkey / secret).

#include <cstdio>
#include <exception>

#include "common/log.h"
#include "server/config/environment.h"
#include "server/config/server_config.h"
#include "server/server.h"

int main(int argc, char** argv) {
  using namespace huddle::server;
  try {
    const ProcessEnvironment environment;
    auto config = loadServerConfig(argc, argv, environment);
    if (!config.ok()) {
      if (config.code() == ConfigError::HelpRequested) {
        std::fputs(config.message().c_str(), stdout);
        return 0;
      }
      std::fprintf(stderr, "huddle-server: %s\n", config.message().c_str());
      return 2;
    }
    for (const auto& warning : config->warnings) {
      std::fprintf(stderr, "huddle-server: warning: %s\n", warning.c_str());
    }
    auto server = Server::create(std::move(*config));
    if (!server.ok()) {
      std::fprintf(stderr, "huddle-server: %s\n", server.message().c_str());
      return 1;
    }
    (*server)->run(/*handleSignals=*/true);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "huddle-server: fatal: %s\n", e.what());
    return 1;
  }
}
