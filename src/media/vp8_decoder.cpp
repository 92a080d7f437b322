#include "media/vp8_decoder.h"

#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>

#include <string>

namespace huddle::media {
namespace {

Error<MediaError> vpxError(MediaError code, const char* what, vpx_codec_ctx_t* ctx, vpx_codec_err_t err) {
  std::string message = std::string(what) + ": " + vpx_codec_err_to_string(err);
  if (ctx != nullptr) {
    if (const char* detail = vpx_codec_error_detail(ctx)) {
      message += std::string(" (") + detail + ")";
    }
  }
  return {code, std::move(message)};
}

}  // namespace

bool parseVp8Keyframe(std::span<const std::uint8_t> frame, Vp8KeyframeInfo* info) noexcept {
  // 3-byte frame tag (P bit 0 on keyframes), start code 9d 01 2a, then 14-bit width and height.
  if (frame.size() < 10 || (frame[0] & 0x01) != 0) {
    return false;
  }
  if (frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a) {
    return false;
  }
  if (info != nullptr) {
    info->width = (frame[6] | (frame[7] << 8)) & 0x3FFF;
    info->height = (frame[8] | (frame[9] << 8)) & 0x3FFF;
  }
  return true;
}

struct Vp8Decoder::Impl {
  vpx_codec_ctx_t ctx{};
  bool initialised = false;
  // False at start and after any error: a delta frame then has no trustworthy reference.
  bool haveReference = false;
  int maxDimension = Vp8Decoder::kMaxDimension;
  Vp8DecoderStats stats;

  ~Impl() {
    if (initialised) {
      vpx_codec_destroy(&ctx);
    }
  }
};

Vp8Decoder::Vp8Decoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Vp8Decoder::~Vp8Decoder() = default;

MediaResult<std::unique_ptr<Vp8Decoder>> Vp8Decoder::create(int threads, int maxDimension) {
  if (threads < 1 || threads > 16) {
    return Error{MediaError::InvalidArgument, "Vp8Decoder: " + std::to_string(threads) + " threads (1..16)"};
  }
  auto impl = std::make_unique<Impl>();
  vpx_codec_dec_cfg_t cfg{};
  cfg.threads = static_cast<unsigned>(threads);
  const vpx_codec_err_t err = vpx_codec_dec_init(&impl->ctx, vpx_codec_vp8_dx(), &cfg, 0);
  if (err != VPX_CODEC_OK) {
    return vpxError(MediaError::CodecInit, "Vp8Decoder: vpx_codec_dec_init", &impl->ctx, err);
  }
  impl->initialised = true;
  impl->maxDimension = maxDimension;
  return std::unique_ptr<Vp8Decoder>(new Vp8Decoder(std::move(impl)));
}

MediaResult<I420View> Vp8Decoder::decode(std::span<const std::uint8_t> data, std::uint32_t rtpTimestamp,
                                                  std::int64_t captureTimeUs) {
  Impl& s = *impl_;
  if (data.size() < 3) {
    ++s.stats.framesRejected;
    s.haveReference = false;
    return Error{MediaError::CorruptInput, "Vp8Decoder: " + std::to_string(data.size()) + "-byte frame"};
  }
  Vp8KeyframeInfo info;
  const bool keyframe = parseVp8Keyframe(data, &info);
  if (keyframe && (info.width == 0 || info.height == 0 || info.width > s.maxDimension ||
                   info.height > s.maxDimension)) {
    // libvpx would allocate whatever the header claims (up to 16383 x 16383, ~400 MB with its
    // references) before finding the rest is garbage: a remote sender must not get to do that.
    ++s.stats.framesRejected;
    s.haveReference = false;
    return Error{MediaError::CorruptInput, "Vp8Decoder: keyframe of " + std::to_string(info.width) + "x" +
                                               std::to_string(info.height) + " is outside 1.." +
                                               std::to_string(s.maxDimension)};
  }
  if (!keyframe && (data[0] & 0x01) == 0) {
    // The P bit says keyframe but the header is not one: damaged.
    ++s.stats.framesRejected;
    s.haveReference = false;
    return Error{MediaError::CorruptInput, "Vp8Decoder: keyframe without a valid start code"};
  }
  if (!keyframe && !s.haveReference) {
    ++s.stats.framesRejected;
    return Error{MediaError::WaitingForKeyframe, "Vp8Decoder: delta frame without a decoded reference"};
  }
  vpx_codec_err_t err = vpx_codec_decode(&s.ctx, data.data(), static_cast<unsigned>(data.size()), nullptr, 0);
  if (err != VPX_CODEC_OK) {
    ++s.stats.framesRejected;
    s.haveReference = false;
    return vpxError(MediaError::CorruptInput, "Vp8Decoder: vpx_codec_decode", &s.ctx, err);
  }
  int corrupted = 0;
  if (vpx_codec_control(&s.ctx, VP8D_GET_FRAME_CORRUPTED, &corrupted) == VPX_CODEC_OK && corrupted != 0) {
    ++s.stats.framesRejected;
    s.haveReference = false;
    return Error{MediaError::CorruptInput, "Vp8Decoder: frame decoded with corruption"};
  }
  vpx_codec_iter_t iter = nullptr;
  const vpx_image_t* img = vpx_codec_get_frame(&s.ctx, &iter);
  if (img == nullptr || img->fmt != VPX_IMG_FMT_I420 || img->d_w == 0 || img->d_h == 0) {
    ++s.stats.framesRejected;
    s.haveReference = false;
    return Error{MediaError::CorruptInput, "Vp8Decoder: no I420 picture from the frame"};
  }
  I420View out;
  out.y = img->planes[VPX_PLANE_Y];
  out.u = img->planes[VPX_PLANE_U];
  out.v = img->planes[VPX_PLANE_V];
  out.strideY = img->stride[VPX_PLANE_Y];
  out.strideU = img->stride[VPX_PLANE_U];
  out.strideV = img->stride[VPX_PLANE_V];
  out.width = static_cast<int>(img->d_w);
  out.height = static_cast<int>(img->d_h);
  out.rtpTimestamp = rtpTimestamp;
  out.captureTimeUs = captureTimeUs;
  s.haveReference = true;
  ++s.stats.framesDecoded;
  return out;
}

const Vp8DecoderStats& Vp8Decoder::stats() const noexcept { return impl_->stats; }

}  // namespace huddle::media
