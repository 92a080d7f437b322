#pragma once
// `huddle-cli join`: joins a room with the C++ client SDK as a bot, publishes synthetic media
// (test pattern with a frame counter, sine tone), subscribes to everything and measures what
// arrives (frames, bitrate, loss, freezes, frame counter, luma, tone pitch and level), sends and
// records data messages, and writes the figures as JSON for scripts and interop tests.
//
// Exit codes: 0 success, 1 the join (or publishing, or the session) failed, 2 bad arguments,
// 3 joined fine but fewer remote tracks delivered media than --expect-tracks asked for.

#include <CLI/CLI.hpp>

namespace huddle::cli {

inline constexpr int kJoinBadArguments = 2;
inline constexpr int kJoinExpectationFailed = 3;

// Registers the subcommand; its callback sets `exitCode`. Returns it so that main() can map
// its parse errors to kJoinBadArguments.
CLI::App* addJoinCommand(CLI::App& app, int& exitCode);

}  // namespace huddle::cli
