#include "media/convert.h"

#include <libyuv/convert.h>
#include <libyuv/convert_from_argb.h>
#include <libyuv/convert_argb.h>
#include <libyuv/scale.h>

#include <string>

namespace huddle::media {
namespace {

Error<MediaError> invalid(const char* what, int width, int height) {
  return {MediaError::InvalidArgument,
          std::string(what) + ": bad image " + std::to_string(width) + "x" + std::to_string(height)};
}

Error<MediaError> libyuvFailed(const char* what, int rc) {
  return {MediaError::ConvertFailed, std::string(what) + ": libyuv returned " + std::to_string(rc)};
}

}  // namespace

MediaResult<Ok> packedToI420(const PackedImage& in, VideoFrame& out) {
  if (in.data == nullptr || in.width <= 0 || in.height <= 0 || in.stride < in.width * 4) {
    return invalid("packedToI420", in.width, in.height);
  }
  out.reset(in.width, in.height);
  // libyuv names formats by the order of a little-endian 32-bit word, the reverse of ours.
  decltype(&libyuv::ARGBToI420) fn = nullptr;
  switch (in.format) {
    case PackedFormat::Rgba: fn = &libyuv::ABGRToI420; break;
    case PackedFormat::Bgra: fn = &libyuv::ARGBToI420; break;
    case PackedFormat::Argb: fn = &libyuv::BGRAToI420; break;
  }
  const int rc = fn(in.data, in.stride, out.dataY(), out.strideY(), out.dataU(), out.strideU(), out.dataV(),
                    out.strideV(), in.width, in.height);
  if (rc != 0) {
    return libyuvFailed("packedToI420", rc);
  }
  return Ok{};
}

MediaResult<Ok> nv12ToI420(const Nv12Image& in, VideoFrame& out) {
  if (in.y == nullptr || in.uv == nullptr || in.width <= 0 || in.height <= 0 || in.strideY < in.width ||
      in.strideUV < (in.width + 1) / 2 * 2) {
    return invalid("nv12ToI420", in.width, in.height);
  }
  out.reset(in.width, in.height);
  const int rc = libyuv::NV12ToI420(in.y, in.strideY, in.uv, in.strideUV, out.dataY(), out.strideY(), out.dataU(),
                                    out.strideU(), out.dataV(), out.strideV(), in.width, in.height);
  if (rc != 0) {
    return libyuvFailed("nv12ToI420", rc);
  }
  return Ok{};
}

MediaResult<Ok> i420ToPacked(const I420View& frame, PackedFormat format, std::uint8_t* dst, int dstStride) {
  if (frame.empty() || dst == nullptr || dstStride < frame.width * 4) {
    return invalid("i420ToPacked", frame.width, frame.height);
  }
  decltype(&libyuv::I420ToARGB) fn = nullptr;
  switch (format) {
    case PackedFormat::Rgba: fn = &libyuv::I420ToABGR; break;
    case PackedFormat::Bgra: fn = &libyuv::I420ToARGB; break;
    case PackedFormat::Argb: fn = &libyuv::I420ToBGRA; break;
  }
  const int rc = fn(frame.y, frame.strideY, frame.u, frame.strideU, frame.v, frame.strideV, dst, dstStride, frame.width,
                    frame.height);
  if (rc != 0) {
    return libyuvFailed("i420ToPacked", rc);
  }
  return Ok{};
}

MediaResult<Ok> scaleI420(const I420View& src, VideoFrame& dst, int width, int height) {
  // Scaling a frame into itself would resize the buffer under the source.
  if (src.empty() || width <= 0 || height <= 0 || (!dst.empty() && src.y == dst.dataY())) {
    return invalid("scaleI420", width, height);
  }
  dst.reset(width, height);
  dst.setCaptureTimeUs(src.captureTimeUs);
  dst.setRtpTimestamp(src.rtpTimestamp);
  const int rc = libyuv::I420Scale(src.y, src.strideY, src.u, src.strideU, src.v, src.strideV, src.width, src.height,
                                   dst.dataY(), dst.strideY(), dst.dataU(), dst.strideU(), dst.dataV(), dst.strideV(),
                                   width, height, libyuv::kFilterBox);
  if (rc != 0) {
    return libyuvFailed("scaleI420", rc);
  }
  return Ok{};
}

}  // namespace huddle::media
