// huddle-cli: operator and developer tool: tokens, webhooks, and joining rooms as a bot.
#include <CLI/CLI.hpp>

#include "join_command.h"
#include "token_command.h"
#include "webhook_command.h"

int main(int argc, char** argv) {
  CLI::App app{
      "huddle-cli: tokens, room administration and load tests for Huddle and LiveKit servers"};
  app.require_subcommand(1);
  int exitCode = 0;
  huddle::cli::addTokenCommand(app, exitCode);
  huddle::cli::addWebhookCommand(app, exitCode);
  CLI::App* join = huddle::cli::addJoinCommand(app, exitCode);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    // `join` promises scripts one code for every usage error; the other commands keep CLI11's.
    return code != 0 && join->parsed() ? huddle::cli::kJoinBadArguments : code;
  }
  return exitCode;
}
