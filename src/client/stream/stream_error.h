#pragma once
// Errors of the client RTP streams (setup only: packets never fail with an error value, they
// are counted and dropped). Pure, any thread.

#include "common/result.h"

namespace huddle::client {

enum class StreamError {
  InvalidConfig,    // an SSRC, payload type, extension id or string the stream cannot use
  InvalidArgument,  // a frame the stream cannot send (empty, too large)
  Codec,            // the Opus decoder could not be set up
};

template <typename T>
using StreamResult = Result<T, StreamError>;

}  // namespace huddle::client
