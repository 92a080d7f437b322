// Client media cost per 720p frame: our send path (test pattern -> Vp8Encoder -> Vp8Packetizer)
// and our receive path (Vp8Depacketizer -> Vp8Decoder, which copies into its own frame) beside
// bare libvpx encode and decode of the same frames in the same run. The bare encoder has the
// settings Vp8Encoder uses, so the ratio is the cost of our wrapping (plane setup, output copy,
// packetizing; reassembly and the decoded-frame copy), not of different codec settings. The
// bare decoder decodes our encoder's bitstream, so both decoders see the same bytes.
//
// Two runs: the plain test pattern (flat areas and moving bars: cheap to code, far below the
// target bitrate) and the pattern with fresh luma noise each frame (added outside the timed
// span), which makes the encoder spend its whole budget, as camera noise does.
//
// Measured: CPU time of this thread (CLOCK_THREAD_CPUTIME_ID) per frame; the machine is shared,
// and wall time would count preemption. Bounded: the default 90 frames per run take a few seconds.
//
//   bench_codec [frames]      default 90 (1..600)

#include <time.h>
#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include "media/synthetic_sources.h"
#include "media/vp8_decoder.h"
#include "media/vp8_encoder.h"
#include "media/vp8_rtp.h"

namespace {

using namespace huddle::media;

constexpr int kWidth = 1280;
constexpr int kHeight = 720;
constexpr int kFps = 30;
constexpr int kBitrateKbps = 1700;  // LiveKit's 720p preset
constexpr int kSpeed = -6;

double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// The settings Vp8Encoder::create applies, repeated here so the bare encoder is its twin.
bool initBareEncoder(vpx_codec_ctx_t& ctx) {
  vpx_codec_enc_cfg_t cfg{};
  if (vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &cfg, 0) != VPX_CODEC_OK) {
    return false;
  }
  cfg.g_w = kWidth;
  cfg.g_h = kHeight;
  cfg.g_threads = 1;
  cfg.g_timebase = {1, 90000};
  cfg.g_lag_in_frames = 0;
  cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
  cfg.rc_end_usage = VPX_CBR;
  cfg.rc_target_bitrate = kBitrateKbps;
  cfg.rc_min_quantizer = 2;
  cfg.rc_max_quantizer = 56;
  cfg.rc_undershoot_pct = 100;
  cfg.rc_overshoot_pct = 15;
  cfg.rc_buf_initial_sz = 500;
  cfg.rc_buf_optimal_sz = 600;
  cfg.rc_buf_sz = 1000;
  cfg.rc_dropframe_thresh = 0;
  cfg.kf_mode = VPX_KF_AUTO;
  cfg.kf_min_dist = 0;
  cfg.kf_max_dist = 3000;
  if (vpx_codec_enc_init(&ctx, vpx_codec_vp8_cx(), &cfg, 0) != VPX_CODEC_OK) {
    return false;
  }
  vpx_codec_control(&ctx, VP8E_SET_CPUUSED, kSpeed);
  vpx_codec_control(&ctx, VP8E_SET_NOISE_SENSITIVITY, 0);
  vpx_codec_control(&ctx, VP8E_SET_STATIC_THRESHOLD, 1);
  vpx_codec_control(&ctx, VP8E_SET_TOKEN_PARTITIONS, VP8_ONE_TOKENPARTITION);
  vpx_codec_control(&ctx, VP8E_SET_MAX_INTRA_BITRATE_PCT, 900u);
  return true;
}

// Sensor-like noise: +-8 on luma, different every frame (a fixed LCG, so runs repeat).
void addNoise(VideoFrame& frame, std::uint32_t& state) {
  for (int y = 0; y < frame.height(); ++y) {
    std::uint8_t* row = frame.dataY() + static_cast<std::ptrdiff_t>(y) * frame.strideY();
    for (int x = 0; x < frame.width(); ++x) {
      state = state * 1664525u + 1013904223u;
      const int v = row[x] + static_cast<int>((state >> 24) % 17) - 8;
      row[x] = static_cast<std::uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
    }
  }
}

struct Packet {
  std::uint16_t seq;
  bool marker;
  std::vector<std::uint8_t> payload;
};

}  // namespace

namespace {

int run(int frames, bool noisy) {
  auto encoder = Vp8Encoder::create(
      {.width = kWidth, .height = kHeight, .fps = kFps, .targetBitrateKbps = kBitrateKbps, .speed = kSpeed});
  auto decoder = Vp8Decoder::create();
  if (!encoder || !decoder) {
    std::fprintf(stderr, "bench_codec: codec setup failed: %s%s\n", encoder ? "" : encoder.message().c_str(),
                 decoder ? "" : decoder.message().c_str());
    return 1;
  }
  vpx_codec_ctx_t bareEnc{};
  vpx_codec_ctx_t bareDec{};
  vpx_codec_dec_cfg_t decCfg{};
  decCfg.threads = 1;
  if (!initBareEncoder(bareEnc) || vpx_codec_dec_init(&bareDec, vpx_codec_vp8_dx(), &decCfg, 0) != VPX_CODEC_OK) {
    std::fprintf(stderr, "bench_codec: bare libvpx setup failed\n");
    return 1;
  }
  vpx_image_t bareImage{};
  bareImage.fmt = VPX_IMG_FMT_I420;
  bareImage.bit_depth = 8;
  bareImage.bps = 12;
  bareImage.w = bareImage.d_w = bareImage.r_w = kWidth;
  bareImage.h = bareImage.d_h = bareImage.r_h = kHeight;
  bareImage.x_chroma_shift = 1;
  bareImage.y_chroma_shift = 1;
  std::vector<std::uint8_t> bareOut(kWidth * kHeight * 3 / 2);

  TestPatternSource pattern(kWidth, kHeight, kFps);
  Vp8Packetizer packetizer;
  Vp8Depacketizer depacketizer;
  VideoFrame frame;
  std::vector<Packet> packets;
  std::vector<std::uint8_t> encoded;
  std::uint16_t seq = 0;
  double patternMs = 0, oursEncMs = 0, bareEncMs = 0, oursDecMs = 0, bareDecMs = 0;
  std::size_t oursBytes = 0, bareBytes = 0, packetCount = 0;
  int counterMismatches = 0, failures = 0;
  std::uint32_t noiseState = 12345;

  for (int i = 0; i < frames; ++i) {
    const double t0 = threadCpuMs();
    pattern.next(frame);
    const double patternEnd = threadCpuMs();
    if (noisy) {
      addNoise(frame, noiseState);  // not part of any timed path
    }
    const double t1 = threadCpuMs();
    // Ours: encode + packetize.
    auto out = (*encoder)->encode(frame);
    std::size_t n = 0;
    if (out) {
      auto count = packetizer.packetize(out->data);
      n = count ? *count : 0;
    }
    const double t2 = threadCpuMs();
    if (!out || n == 0) {
      ++failures;
      continue;
    }
    oursBytes += out->data.size();
    packetCount += n;
    encoded.assign(out->data.begin(), out->data.end());
    packets.clear();
    for (std::size_t k = 0; k < n; ++k) {
      const auto p = packetizer.payload(k);
      packets.push_back({seq++, packetizer.isLast(k), {p.begin(), p.end()}});
    }

    // Bare libvpx encode of the same frame, output copied out as any caller must.
    const double t3 = threadCpuMs();
    bareImage.planes[VPX_PLANE_Y] = frame.dataY();
    bareImage.planes[VPX_PLANE_U] = frame.dataU();
    bareImage.planes[VPX_PLANE_V] = frame.dataV();
    bareImage.stride[VPX_PLANE_Y] = frame.strideY();
    bareImage.stride[VPX_PLANE_U] = frame.strideU();
    bareImage.stride[VPX_PLANE_V] = frame.strideV();
    vpx_codec_encode(&bareEnc, &bareImage, static_cast<vpx_codec_pts_t>(i) * 3000, 3000, 0, VPX_DL_REALTIME);
    vpx_codec_iter_t iter = nullptr;
    while (const vpx_codec_cx_pkt_t* pkt = vpx_codec_get_cx_data(&bareEnc, &iter)) {
      if (pkt->kind == VPX_CODEC_CX_FRAME_PKT && pkt->data.frame.sz <= bareOut.size()) {
        std::memcpy(bareOut.data(), pkt->data.frame.buf, pkt->data.frame.sz);
        bareBytes += pkt->data.frame.sz;
      }
    }
    const double t4 = threadCpuMs();

    // Ours: depacketize + decode.
    std::optional<I420View> decoded;
    for (const Packet& p : packets) {
      const auto r = depacketizer.push({p.seq, frame.rtpTimestamp(), p.marker, p.payload});
      if (r.frameReady) {
        auto d = (*decoder)->decode(depacketizer.frame().data);
        decoded = d ? std::optional<I420View>(*d) : std::nullopt;
      }
    }
    const double t5 = threadCpuMs();

    // Bare libvpx decode of the same bitstream.
    vpx_codec_decode(&bareDec, encoded.data(), static_cast<unsigned>(encoded.size()), nullptr, 0);
    vpx_codec_iter_t diter = nullptr;
    const vpx_image_t* img = vpx_codec_get_frame(&bareDec, &diter);
    const double t6 = threadCpuMs();

    if (!decoded || img == nullptr) {
      ++failures;
    } else if (readFrameCounter(*decoded) != std::optional<std::uint16_t>(static_cast<std::uint16_t>(i))) {
      ++counterMismatches;
    }
    patternMs += patternEnd - t0;
    oursEncMs += t2 - t1;
    bareEncMs += t4 - t3;
    oursDecMs += t5 - t4;
    bareDecMs += t6 - t5;
  }
  vpx_codec_destroy(&bareEnc);
  vpx_codec_destroy(&bareDec);

  const int good = frames - failures;
  if (good <= 0) {
    std::printf("bench_codec: FAILED (no frame made the trip)\n");
    return 1;
  }
  const double f = good;
  const double seconds = f / kFps;
  std::printf("bench_codec: %dx%d VP8 at %d kbps target, cpu-used %d, 1 thread, %d frames of the test pattern%s\n",
              kWidth, kHeight, kBitrateKbps, kSpeed, good, noisy ? " + luma noise" : "");
  std::printf("  test pattern draw          %7.3f ms/frame\n", patternMs / f);
  std::printf("  encode: ours (encode+packetize) %7.3f ms/frame | bare libvpx %7.3f ms/frame | ratio %.3f\n",
              oursEncMs / f, bareEncMs / f, oursEncMs / bareEncMs);
  std::printf("  decode: ours (depacketize+decode) %7.3f ms/frame | bare libvpx %7.3f ms/frame | ratio %.3f\n",
              oursDecMs / f, bareDecMs / f, oursDecMs / bareDecMs);
  std::printf("  send path incl. pattern    %7.3f ms/frame = %.1f%% of one core at %d fps\n",
              (patternMs + oursEncMs) / f, (patternMs + oursEncMs) / f * kFps / 10.0, kFps);
  std::printf("  receive path               %7.3f ms/frame = %.1f%% of one core at %d fps\n", oursDecMs / f,
              oursDecMs / f * kFps / 10.0, kFps);
  std::printf("  bitrate: ours %.0f kbps (%zu packets, %.1f per frame) | bare %.0f kbps\n",
              static_cast<double>(oursBytes) * 8 / seconds / 1000, packetCount,
              static_cast<double>(packetCount) / f, static_cast<double>(bareBytes) * 8 / seconds / 1000);
  std::printf("  frame counter read back wrong on %d of %d frames; %d frames failed\n", counterMismatches, good,
              failures);
  return counterMismatches == 0 && failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  int frames = 90;
  if (argc > 1) {
    frames = std::atoi(argv[1]);
    if (frames < 1 || frames > 600) {
      std::fprintf(stderr, "usage: bench_codec [frames in 1..600]\n");
      return 2;
    }
  }
  const int plain = run(frames, false);
  const int noisy = run(frames, true);
  return plain != 0 ? plain : noisy;
}
