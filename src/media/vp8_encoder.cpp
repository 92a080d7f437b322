#include "media/vp8_encoder.h"

#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "media/convert.h"

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

struct Vp8Encoder::Impl {
  Vp8EncoderConfig config;
  vpx_codec_enc_cfg_t cfg{};
  vpx_codec_ctx_t ctx{};
  bool initialised = false;
  vpx_image_t image{};
  vpx_codec_pts_t pts = 0;
  bool keyframePending = false;
  // Output bytes; sized once for a worst-case frame so steady-state encodes never allocate.
  std::vector<std::uint8_t> output;

  ~Impl() {
    if (initialised) {
      vpx_codec_destroy(&ctx);
    }
  }
};

Vp8Encoder::Vp8Encoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Vp8Encoder::~Vp8Encoder() = default;

MediaResult<std::unique_ptr<Vp8Encoder>> Vp8Encoder::create(const Vp8EncoderConfig& config) {
  if (config.width < 16 || config.height < 16 || config.width > 16384 || config.height > 16384 || config.fps <= 0 ||
      config.fps > 240 || config.targetBitrateKbps <= 0 || config.threads < 1 || config.keyframeInterval < 1) {
    return Error{MediaError::InvalidArgument, "Vp8Encoder: bad config " + std::to_string(config.width) + "x" +
                                                  std::to_string(config.height) + "@" + std::to_string(config.fps) +
                                                  " " + std::to_string(config.targetBitrateKbps) + " kbps"};
  }
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  vpx_codec_enc_cfg_t& cfg = impl->cfg;
  vpx_codec_err_t err = vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &cfg, 0);
  if (err != VPX_CODEC_OK) {
    return vpxError(MediaError::CodecInit, "Vp8Encoder: default config", nullptr, err);
  }
  cfg.g_w = static_cast<unsigned>(config.width);
  cfg.g_h = static_cast<unsigned>(config.height);
  cfg.g_threads = static_cast<unsigned>(config.threads);
  // pts ticks on the RTP video clock.
  cfg.g_timebase = {1, static_cast<int>(kVideoClockRate)};
  cfg.g_lag_in_frames = 0;  // real time: a frame in, its bytes out
  cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
  cfg.rc_end_usage = VPX_CBR;
  cfg.rc_target_bitrate = static_cast<unsigned>(config.targetBitrateKbps);
  cfg.rc_min_quantizer = 2;
  cfg.rc_max_quantizer = 56;
  cfg.rc_undershoot_pct = 100;
  cfg.rc_overshoot_pct = 15;
  cfg.rc_buf_initial_sz = 500;
  cfg.rc_buf_optimal_sz = 600;
  cfg.rc_buf_sz = 1000;
  // Dropping frames would break the one-in, one-out contract callers rely on for timestamps.
  cfg.rc_dropframe_thresh = 0;
  cfg.kf_mode = VPX_KF_AUTO;
  cfg.kf_min_dist = 0;
  cfg.kf_max_dist = static_cast<unsigned>(config.keyframeInterval);

  err = vpx_codec_enc_init(&impl->ctx, vpx_codec_vp8_cx(), &cfg, 0);
  if (err != VPX_CODEC_OK) {
    return vpxError(MediaError::CodecInit, "Vp8Encoder: vpx_codec_enc_init", &impl->ctx, err);
  }
  impl->initialised = true;
  vpx_codec_control(&impl->ctx, VP8E_SET_CPUUSED, config.speed);
  vpx_codec_control(&impl->ctx, VP8E_SET_NOISE_SENSITIVITY, 0);
  vpx_codec_control(&impl->ctx, VP8E_SET_STATIC_THRESHOLD, 1);
  vpx_codec_control(&impl->ctx, VP8E_SET_TOKEN_PARTITIONS, VP8_ONE_TOKENPARTITION);
  // A keyframe may take at most nine average frames' worth of bits, so it does not burst the link.
  vpx_codec_control(&impl->ctx, VP8E_SET_MAX_INTRA_BITRATE_PCT, 900u);

  // The image header is filled once by hand (vpx_img_wrap with no data would allocate a frame we
  // never use); encode() only points its planes at each frame.
  vpx_image_t& img = impl->image;
  img.fmt = VPX_IMG_FMT_I420;
  img.bit_depth = 8;
  img.bps = 12;
  img.w = img.d_w = img.r_w = cfg.g_w;
  img.h = img.d_h = img.r_h = cfg.g_h;
  img.x_chroma_shift = 1;
  img.y_chroma_shift = 1;
  // A VP8 frame is never larger than its raw I420 size plus headers.
  impl->output.resize(static_cast<std::size_t>(config.width) * static_cast<std::size_t>(config.height) * 3 / 2 +
                      4096);
  return std::unique_ptr<Vp8Encoder>(new Vp8Encoder(std::move(impl)));
}

MediaResult<EncodedVideoFrame> Vp8Encoder::encode(const I420View& frame, bool forceKeyframe) {
  Impl& s = *impl_;
  if (frame.empty() || frame.width != s.config.width || frame.height != s.config.height) {
    return Error{MediaError::InvalidArgument, "Vp8Encoder: frame " + std::to_string(frame.width) + "x" +
                                                  std::to_string(frame.height) + " is not the configured " +
                                                  std::to_string(s.config.width) + "x" +
                                                  std::to_string(s.config.height)};
  }
  // libvpx only reads the planes; its API is not const-correct.
  s.image.planes[VPX_PLANE_Y] = const_cast<std::uint8_t*>(frame.y);
  s.image.planes[VPX_PLANE_U] = const_cast<std::uint8_t*>(frame.u);
  s.image.planes[VPX_PLANE_V] = const_cast<std::uint8_t*>(frame.v);
  s.image.stride[VPX_PLANE_Y] = frame.strideY;
  s.image.stride[VPX_PLANE_U] = frame.strideU;
  s.image.stride[VPX_PLANE_V] = frame.strideV;

  const vpx_enc_frame_flags_t flags = (forceKeyframe || s.keyframePending) ? VPX_EFLAG_FORCE_KF : 0;
  const auto duration = static_cast<unsigned long>(kVideoClockRate / static_cast<unsigned>(s.config.fps));
  const vpx_codec_err_t err = vpx_codec_encode(&s.ctx, &s.image, s.pts, duration, flags, VPX_DL_REALTIME);
  if (err != VPX_CODEC_OK) {
    return vpxError(MediaError::EncodeFailed, "Vp8Encoder: vpx_codec_encode", &s.ctx, err);
  }
  s.pts += static_cast<vpx_codec_pts_t>(duration);
  s.keyframePending = false;

  EncodedVideoFrame out;
  out.width = frame.width;
  out.height = frame.height;
  out.captureTimeUs = frame.captureTimeUs;
  out.rtpTimestamp = frame.rtpTimestamp;
  std::size_t size = 0;
  vpx_codec_iter_t iter = nullptr;
  while (const vpx_codec_cx_pkt_t* pkt = vpx_codec_get_cx_data(&s.ctx, &iter)) {
    if (pkt->kind != VPX_CODEC_CX_FRAME_PKT) {
      continue;
    }
    const std::size_t n = pkt->data.frame.sz;
    if (size + n > s.output.size()) {
      s.output.resize(size + n);  // only if libvpx ever beats the raw-size bound
    }
    std::memcpy(s.output.data() + size, pkt->data.frame.buf, n);
    size += n;
    out.keyframe = out.keyframe || (pkt->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
  }
  out.data = std::span<const std::uint8_t>(s.output.data(), size);
  return out;
}

void Vp8Encoder::requestKeyframe() noexcept { impl_->keyframePending = true; }

MediaResult<Ok> Vp8Encoder::setTargetBitrate(int kbps) {
  if (kbps <= 0) {
    return Error{MediaError::InvalidArgument, "Vp8Encoder: bitrate " + std::to_string(kbps) + " kbps"};
  }
  impl_->cfg.rc_target_bitrate = static_cast<unsigned>(kbps);
  const vpx_codec_err_t err = vpx_codec_enc_config_set(&impl_->ctx, &impl_->cfg);
  if (err != VPX_CODEC_OK) {
    return vpxError(MediaError::EncodeFailed, "Vp8Encoder: set bitrate", &impl_->ctx, err);
  }
  impl_->config.targetBitrateKbps = kbps;
  return Ok{};
}

const Vp8EncoderConfig& Vp8Encoder::config() const noexcept { return impl_->config; }

// --- simulcast ---

struct SimulcastVp8Encoder::Impl {
  SimulcastConfig config;
  int layers = 0;
  std::array<std::unique_ptr<Vp8Encoder>, kMaxLayers> encoders;
  std::array<VideoFrame, kMaxLayers> scaled;  // reused scaling targets for the smaller layers
  std::array<EncodedVideoFrame, kMaxLayers> out;
  std::array<int, kMaxLayers> widths{};
  std::array<int, kMaxLayers> heights{};
};

SimulcastVp8Encoder::SimulcastVp8Encoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SimulcastVp8Encoder::~SimulcastVp8Encoder() = default;

MediaResult<std::unique_ptr<SimulcastVp8Encoder>> SimulcastVp8Encoder::create(const SimulcastConfig& config) {
  if (config.layers < 1 || config.layers > kMaxLayers) {
    return Error{MediaError::InvalidArgument,
                 "SimulcastVp8Encoder: " + std::to_string(config.layers) + " layers (1..3 allowed)"};
  }
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->layers = config.layers;
  const int first = kMaxLayers - config.layers;  // which of q/h/f the smallest kept layer is
  for (int i = 0; i < config.layers; ++i) {
    const int divisor = 1 << (kMaxLayers - 1 - (first + i));  // 4, 2, 1
    // Even sizes keep the chroma planes exactly half of luma.
    impl->widths[i] = std::max(16, config.width / divisor / 2 * 2);
    impl->heights[i] = std::max(16, config.height / divisor / 2 * 2);
    Vp8EncoderConfig layer;
    layer.width = impl->widths[i];
    layer.height = impl->heights[i];
    layer.fps = config.fps;
    layer.targetBitrateKbps = config.bitratesKbps[static_cast<std::size_t>(first + i)];
    layer.speed = config.speed;
    auto encoder = Vp8Encoder::create(layer);
    if (!encoder) {
      return Error{encoder.code(), "SimulcastVp8Encoder layer " + std::to_string(i) + ": " + encoder.message()};
    }
    impl->encoders[i] = std::move(encoder).value();
    impl->scaled[i].reset(impl->widths[i], impl->heights[i]);
  }
  return std::unique_ptr<SimulcastVp8Encoder>(new SimulcastVp8Encoder(std::move(impl)));
}

MediaResult<std::span<const EncodedVideoFrame>> SimulcastVp8Encoder::encode(const I420View& frame,
                                                                            bool forceKeyframe) {
  Impl& s = *impl_;
  for (int i = 0; i < s.layers; ++i) {
    I420View input = frame;
    if (frame.width != s.widths[i] || frame.height != s.heights[i]) {
      auto scaled = scaleI420(frame, s.scaled[i], s.widths[i], s.heights[i]);
      if (!scaled) {
        return scaled.error();
      }
      input = s.scaled[i].view();
    }
    auto encoded = s.encoders[i]->encode(input, forceKeyframe);
    if (!encoded) {
      return Error{encoded.code(), "SimulcastVp8Encoder layer " + std::to_string(i) + ": " + encoded.message()};
    }
    s.out[i] = *encoded;
  }
  return std::span<const EncodedVideoFrame>(s.out.data(), static_cast<std::size_t>(s.layers));
}

void SimulcastVp8Encoder::requestKeyframe(int layer) noexcept {
  if (layer >= 0 && layer < impl_->layers) {
    impl_->encoders[layer]->requestKeyframe();
  }
}

int SimulcastVp8Encoder::layerCount() const noexcept { return impl_->layers; }
int SimulcastVp8Encoder::layerWidth(int layer) const noexcept {
  return layer >= 0 && layer < impl_->layers ? impl_->widths[layer] : 0;
}
int SimulcastVp8Encoder::layerHeight(int layer) const noexcept {
  return layer >= 0 && layer < impl_->layers ? impl_->heights[layer] : 0;
}

}  // namespace huddle::media
