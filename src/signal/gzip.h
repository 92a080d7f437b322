#pragma once
// gzip (RFC 1952) in memory over zlib, for WrappedJoinRequest. Pure, any thread.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "common/result.h"

namespace huddle::signal {

enum class GzipError {
  Corrupt,   // not gzip, truncated, bad checksum, or bytes after the end of the stream
  TooLarge,  // the output would exceed the caller's cap (a "gzip bomb")
};

// Stops as soon as the output passes `maxOutput`, so a tiny input cannot make us allocate more
// than the cap.
[[nodiscard]] Result<std::string, GzipError> gunzip(std::span<const std::uint8_t> input,
                                                    std::size_t maxOutput);

[[nodiscard]] std::string gzip(std::span<const std::uint8_t> input);

}  // namespace huddle::signal
