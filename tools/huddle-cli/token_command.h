#pragma once
// `huddle-cli token create|verify`: mint and inspect LiveKit access tokens.

#include <CLI/CLI.hpp>

namespace huddle::cli {

// Registers the subcommand; its callbacks set `exitCode`.
void addTokenCommand(CLI::App& app, int& exitCode);

}  // namespace huddle::cli
