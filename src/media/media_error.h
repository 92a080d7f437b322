#pragma once
// Errors of the client-side media module (codecs, conversions, RTP payloads). Pure, any thread.

#include "common/result.h"

namespace huddle::media {

enum class MediaError {
  InvalidArgument,     // a size, format or configuration the call cannot honour
  CodecInit,           // libvpx/libopus refused to set up
  EncodeFailed,        // the encoder returned an error
  CorruptInput,        // undecodable or damaged bitstream
  WaitingForKeyframe,  // a delta frame before any keyframe (or after an error): ask for one
  ConvertFailed,       // libyuv rejected the conversion
};

template <typename T>
using MediaResult = Result<T, MediaError>;

}  // namespace huddle::media
