// huddle-cli: operator and developer tool (tokens now; rooms, join and load tests later).
#include <CLI/CLI.hpp>

#include "token_command.h"
#include "webhook_command.h"

int main(int argc, char** argv) {
  CLI::App app{
      "huddle-cli: tokens, room administration and load tests for Huddle and LiveKit servers"};
  app.require_subcommand(1);
  int exitCode = 0;
  huddle::cli::addTokenCommand(app, exitCode);
  huddle::cli::addWebhookCommand(app, exitCode);
  CLI11_PARSE(app, argc, argv);
  return exitCode;
}
