#pragma once

#include <string>

namespace huddle::cli {

// Prints "huddle-cli: <message>" to stderr and returns the exit code for a failed command.
int fail(const std::string& message);

}  // namespace huddle::cli
