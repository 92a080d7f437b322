#pragma once
// `huddle-cli webhook sign|verify`: produce or check the Authorization header LiveKit-style
// webhooks carry, for operators debugging a receiver.

#include <CLI/CLI.hpp>

namespace huddle::cli {

void addWebhookCommand(CLI::App& app, int& exitCode);

}  // namespace huddle::cli
