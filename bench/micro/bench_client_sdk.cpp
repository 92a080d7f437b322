// Client SDK media cost per 720p frame (issue 8): the pipelines a published and a subscribed
// video track run, beside the bare codecs measured in the same run.
//
//  - send: VideoSendPipeline (copy into its queue, hand-off to the codec thread, scaling for
//    simulcast, encoders, RTP streams with header extensions and send history) into a sink that
//    copies every packet into a preallocated ring, as the hand-off to the network thread would.
//    1 layer (720p) and 3 simulcast layers. References: bare Vp8Encoder with the pipeline's
//    top-layer settings, and for 3 layers also bare scaleI420 + three Vp8Encoders (the same codec
//    work without the SDK around it).
//  - receive: the RTP of a 720p stream captured once from a VideoSendPipeline, fed through
//    VideoReceivePipeline::onRtp (reorder buffer, depacketizer, queue to the decode thread,
//    Vp8Decoder) into a counting frame sink. Reference: bare Vp8Decoder on the same frames.
//  - audio: AudioSendPipeline (two 10 ms pushes per 20 ms Opus packet) beside bare OpusEncoder.
//
// Measured: CPU time of the whole process (CLOCK_PROCESS_CPUTIME_ID), because the pipelines work
// on their own threads; nothing else in the process runs meanwhile. One frame at a time: the
// next is pushed once the previous one is fully sent (or decoded), so nothing is dropped and each
// frame's cost falls inside its own window. Drawing the pattern and adding noise are outside the
// timed span (PauseTiming), as is the capture of the receive stream. The calling thread's own
// CPU is counted apart too (caller_us, network_us), so the SDK's cost splits into its threads.
//
// Two inputs: the plain test pattern (cheap to code, well below the target bitrate, so about 1.5
// packets per frame) and the pattern with fresh luma noise each frame, which spends the whole
// bitrate as camera noise does, so per-packet costs show.
//
// The machine is shared, so every case runs in several passes (all cases in order, then again):
// the summary gives the median per figure and the median (and range) of the per-pass ratios,
// each SDK figure over the reference measured just before it.
//
//   bench_client_sdk [--frames=N] [--passes=P] [benchmark flags]
//     N frames per video case (30..1800, default 180), P passes (1..9, default 3)

#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "client/pipeline/audio_send_pipeline.h"
#include "client/pipeline/video_receive_pipeline.h"
#include "client/pipeline/video_send_pipeline.h"
#include "media/convert.h"
#include "media/opus_codec.h"
#include "media/synthetic_sources.h"
#include "media/vp8_decoder.h"
#include "media/vp8_encoder.h"
#include "media/vp8_rtp.h"
#include "rtc/rtp/rtp_packet.h"

namespace {

using namespace huddle;
using namespace huddle::client;
using namespace std::chrono_literals;

constexpr int kWidth = 1280;
constexpr int kHeight = 720;
constexpr int kFps = 30;
constexpr int kAudioPackets = 500;  // 10 s of 20 ms packets
constexpr auto kWaitLimit = 5s;     // per frame; a pipeline that stalls longer is an error
int gFrames = 180;
int gPasses = 3;

double clockUs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}
double processCpuUs() { return clockUs(CLOCK_PROCESS_CPUTIME_ID); }
// The calling thread alone: splits an SDK figure into the caller's (or network thread's) share
// and the pipeline thread's.
double threadCpuUs() { return clockUs(CLOCK_THREAD_CPUTIME_ID); }

// Per-unit CPU (us) of each case, one entry per pass, for the summary table after the run.
std::map<std::string, std::vector<double>> gUs;

void record(benchmark::State& state, const std::string& key, double totalUs, std::int64_t units) {
  const double us = totalUs / static_cast<double>(units);
  gUs[key].push_back(us);
  state.counters["cpu_us"] = us;
}

// SDK over reference of this pass: the reference ran just before, under the same load.
void ratioCounter(benchmark::State& state, const char* name, const std::string& sdkKey, const std::string& refKey) {
  const auto sdk = gUs.find(sdkKey);
  const auto ref = gUs.find(refKey);
  if (sdk != gUs.end() && ref != gUs.end() && !sdk->second.empty() && !ref->second.empty() && ref->second.back() > 0) {
    state.counters[name] = sdk->second.back() / ref->second.back();
  }
}

std::string keyOf(const char* what, bool noise) { return std::string(what) + (noise ? "/noise" : "/plain"); }

// Sensor-like noise: +-8 on luma, different every frame (a fixed LCG, so runs repeat).
void addNoise(media::VideoFrame& frame, std::uint32_t& state) {
  for (int y = 0; y < frame.height(); ++y) {
    std::uint8_t* row = frame.dataY() + static_cast<std::ptrdiff_t>(y) * frame.strideY();
    for (int x = 0; x < frame.width(); ++x) {
      state = state * 1664525u + 1013904223u;
      const int v = row[x] + static_cast<int>((state >> 24) % 17) - 8;
      row[x] = static_cast<std::uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
    }
  }
}

// The same frame sequence for every case of one input kind.
class Input {
 public:
  explicit Input(bool noise) : noise_(noise) {}
  const media::VideoFrame& next() {
    pattern_.next(frame_);
    if (noise_) {
      addNoise(frame_, noiseState_);
    }
    return frame_;
  }

 private:
  bool noise_;
  media::TestPatternSource pattern_{kWidth, kHeight, kFps};
  media::VideoFrame frame_;
  std::uint32_t noiseState_ = 12345;
};

// Where the network thread would take packets from: fixed slots, one memcpy per packet.
class PacketRing {
 public:
  void put(std::span<const std::uint8_t> bytes) noexcept {
    auto& slot = slots_[next_];
    const std::size_t n = bytes.size() < slot.size() ? bytes.size() : slot.size();
    std::memcpy(slot.data(), bytes.data(), n);
    sizes_[next_] = n;
    next_ = (next_ + 1) % slots_.size();
    ++packets_;
    bytes_ += n;
  }
  [[nodiscard]] std::uint64_t packets() const noexcept { return packets_; }
  [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }

 private:
  std::array<std::array<std::uint8_t, RtpSendStream::kMaxPacketSize + RtpSendStream::kTailroom>, 256> slots_{};
  std::array<std::size_t, 256> sizes_{};
  std::size_t next_ = 0;
  std::uint64_t packets_ = 0;
  std::uint64_t bytes_ = 0;
};

// Counts frames whose last packet left the top layer, and lets the pushing thread wait for one.
class FrameGate {
 public:
  void signal() {
    {
      std::lock_guard lock(mutex_);
      ++count_;
    }
    cv_.notify_one();
  }
  [[nodiscard]] bool waitFor(std::uint64_t count) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kWaitLimit, [&] { return count_ >= count; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t count_ = 0;
};

bool isMarker(std::span<const std::uint8_t> rtp) { return rtp.size() >= 2 && (rtp[1] & 0x80) != 0; }

// As the SDK would publish a 720p track: default sizes, rates and speed, extensions as LiveKit
// negotiates them, RTX, one transport sequencer for the pipeline. With one layer the single
// (full-size) layer takes the top layer's rate: the config lists rates smallest layer first.
VideoSendPipelineConfig sendConfig(int layers, TransportSequencer& sequencer) {
  VideoSendPipelineConfig c;
  c.layers = layers;
  if (layers == 1) {
    c.bitratesKbps[0] = VideoSendPipelineConfig{}.bitratesKbps[kMaxVideoLayers - 1];
  }
  static constexpr std::array<const char*, kMaxVideoLayers> kRids{"q", "h", "f"};
  for (int i = 0; i < layers; ++i) {
    RtpSendStreamConfig& s = c.streams[static_cast<std::size_t>(i)];
    s.ssrc = 1000 + static_cast<std::uint32_t>(i);
    s.rtxSsrc = 2000 + static_cast<std::uint32_t>(i);
    s.extensions = {.mid = 1, .rid = 2, .transportCc = 3, .absSendTime = 4};
    s.mid = "0";
    s.rid = kRids[static_cast<std::size_t>(kMaxVideoLayers - layers + i)];
    s.transportSequencer = &sequencer;
  }
  return c;
}

media::Vp8EncoderConfig encoderConfig(int width, int height, int kbps) {
  const VideoSendPipelineConfig defaults;
  media::Vp8EncoderConfig c;
  c.width = width;
  c.height = height;
  c.fps = defaults.fps;
  c.targetBitrateKbps = kbps;
  c.speed = defaults.speed;
  return c;
}

// ---- references: bare codecs -------------------------------------------------------------

void BM_BareEncode720p(benchmark::State& state) {
  const bool noise = state.range(0) != 0;
  const VideoSendPipelineConfig defaults;
  auto encoder = media::Vp8Encoder::create(encoderConfig(kWidth, kHeight, defaults.bitratesKbps[kMaxVideoLayers - 1]));
  if (!encoder) {
    state.SkipWithError(encoder.message().c_str());
    return;
  }
  Input input(noise);
  std::vector<std::uint8_t> out(kWidth * kHeight * 3 / 2);
  double cpuUs = 0;
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const media::VideoFrame& frame = input.next();
    state.ResumeTiming();
    const double t0 = processCpuUs();
    auto encoded = (*encoder)->encode(frame);
    // Copied out, as any caller that hands the frame on must.
    if (encoded && encoded->data.size() <= out.size()) {
      std::memcpy(out.data(), encoded->data.data(), encoded->data.size());
      bytes += encoded->data.size();
    }
    cpuUs += processCpuUs() - t0;
  }
  record(state, keyOf("bare encode 720p", noise), cpuUs, state.iterations());
  state.counters["kbps"] = static_cast<double>(bytes) * 8 * kFps / static_cast<double>(state.iterations()) / 1000;
}

void BM_BareSimulcastEncode(benchmark::State& state) {
  const bool noise = state.range(0) != 0;
  const VideoSendPipelineConfig defaults;
  std::array<std::unique_ptr<media::Vp8Encoder>, kMaxVideoLayers> encoders;
  std::array<media::VideoFrame, kMaxVideoLayers> scaled;
  for (int i = 0; i < kMaxVideoLayers; ++i) {
    const int divisor = 1 << (kMaxVideoLayers - 1 - i);
    auto e = media::Vp8Encoder::create(
        encoderConfig(kWidth / divisor, kHeight / divisor, defaults.bitratesKbps[static_cast<std::size_t>(i)]));
    if (!e) {
      state.SkipWithError(e.message().c_str());
      return;
    }
    encoders[static_cast<std::size_t>(i)] = std::move(e).value();
    scaled[static_cast<std::size_t>(i)].reset(kWidth / divisor, kHeight / divisor);
  }
  Input input(noise);
  std::vector<std::uint8_t> out(kWidth * kHeight * 3 / 2);
  double cpuUs = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const media::VideoFrame& frame = input.next();
    state.ResumeTiming();
    const double t0 = processCpuUs();
    for (std::size_t i = 0; i < encoders.size(); ++i) {
      media::I420View in = frame;
      if (scaled[i].width() != kWidth) {
        if (!media::scaleI420(frame, scaled[i], scaled[i].width(), scaled[i].height())) {
          state.SkipWithError("scaleI420 failed");
          return;
        }
        in = scaled[i];
      }
      auto encoded = encoders[i]->encode(in);
      if (encoded && encoded->data.size() <= out.size()) {
        std::memcpy(out.data(), encoded->data.data(), encoded->data.size());
      }
    }
    cpuUs += processCpuUs() - t0;
  }
  record(state, keyOf("bare simulcast encode", noise), cpuUs, state.iterations());
}

// What pushI420 costs at the least: one copy of a 720p picture into the pipeline's queue. Not a
// reference for a ratio; it tells how much of the send overhead is that copy.
void BM_FrameCopy720p(benchmark::State& state) {
  Input input(false);
  media::VideoFrame slot(kWidth, kHeight);
  double cpuUs = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const media::VideoFrame& frame = input.next();
    state.ResumeTiming();
    const double t0 = processCpuUs();
    slot.copyFrom(frame);
    benchmark::DoNotOptimize(slot.dataY());
    cpuUs += processCpuUs() - t0;
  }
  record(state, "frame copy 720p", cpuUs, state.iterations());
}

// ---- SDK send ----------------------------------------------------------------------------

void BM_SdkSend(benchmark::State& state) {
  const int layers = static_cast<int>(state.range(0));
  const bool noise = state.range(1) != 0;
  auto ring = std::make_unique<PacketRing>();
  FrameGate gate;
  TransportSequencer sequencer;
  const int top = layers - 1;
  auto pipeline = VideoSendPipeline::create(sendConfig(layers, sequencer), [&](int layer, RtpOutgoingPacket& packet) {
    ring->put(packet.bytes);
    if (layer == top && isMarker(packet.bytes)) {
      gate.signal();  // the top layer is encoded last: the frame is out
    }
  });
  if (!pipeline) {
    state.SkipWithError(pipeline.message().c_str());
    return;
  }
  VideoSendPipeline& p = **pipeline;
  Input input(noise);
  double cpuUs = 0;
  double callerUs = 0;
  std::uint64_t pushed = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const media::VideoFrame& frame = input.next();
    state.ResumeTiming();
    const double t0 = processCpuUs();
    const double c0 = threadCpuUs();
    if (!p.pushI420(frame)) {
      state.SkipWithError("pushI420 refused a frame");
      return;
    }
    ++pushed;
    if (!gate.waitFor(pushed)) {
      state.SkipWithError("the pipeline did not send a frame within the wait limit");
      return;
    }
    // The codec thread counts the frame just after its last packet: wait for that too, so the
    // bookkeeping lands in this frame's window. Microseconds; bounded all the same.
    for (int spin = 0; spin < 1000000 && p.stats().framesEncoded[static_cast<std::size_t>(top)] < pushed; ++spin) {
      std::this_thread::yield();
    }
    callerUs += threadCpuUs() - c0;
    cpuUs += processCpuUs() - t0;
  }
  const VideoSendPipelineStats stats = p.stats();
  const std::string what = layers == 1 ? "sdk send 1 layer" : "sdk send 3 layers";
  record(state, keyOf(what.c_str(), noise), cpuUs, state.iterations());
  ratioCounter(state, "ratio_bare720p", keyOf(what.c_str(), noise), keyOf("bare encode 720p", noise));
  if (layers > 1) {
    ratioCounter(state, "ratio_bare_simulcast", keyOf(what.c_str(), noise), keyOf("bare simulcast encode", noise));
  }
  const double frames = static_cast<double>(state.iterations());
  state.counters["caller_us"] = callerUs / frames;  // push (copy, hand-off) and the waits
  state.counters["pkts_per_frame"] = static_cast<double>(ring->packets()) / frames;
  state.counters["kbps"] = static_cast<double>(ring->bytes()) * 8 * kFps / frames / 1000;
  state.counters["dropped"] = static_cast<double>(stats.framesDropped + stats.encodeErrors);
  if (stats.framesDropped != 0 || stats.encodeErrors != 0 || stats.framesEncoded[static_cast<std::size_t>(top)] != pushed) {
    state.SkipWithError("frames dropped or not encoded");
  }
}

// ---- receive ----------------------------------------------------------------------------

// A 720p stream as it left a VideoSendPipeline: its RTP packets by frame, and the frames
// themselves (reassembled once, for the bare decoder).
struct CapturedStream {
  std::vector<std::vector<std::uint8_t>> packets;
  std::vector<std::size_t> frameEnd;  // packets[frameEnd[i-1] .. frameEnd[i]) belong to frame i
  std::vector<std::vector<std::uint8_t>> frames;
  std::uint32_t ssrc = 0;
  std::uint32_t rtxSsrc = 0;
};

const CapturedStream* capturedStream(bool noise) {
  static std::map<bool, CapturedStream> cache;
  if (const auto it = cache.find(noise); it != cache.end()) {
    return it->second.frames.empty() ? nullptr : &it->second;
  }
  CapturedStream& s = cache[noise];
  TransportSequencer sequencer;
  FrameGate gate;
  const VideoSendPipelineConfig config = sendConfig(1, sequencer);
  s.ssrc = config.streams[0].ssrc;
  s.rtxSsrc = *config.streams[0].rtxSsrc;
  {
    auto pipeline = VideoSendPipeline::create(config, [&](int, RtpOutgoingPacket& packet) {
      s.packets.emplace_back(packet.bytes.begin(), packet.bytes.end());
      if (isMarker(packet.bytes)) {
        gate.signal();
      }
    });
    if (!pipeline) {
      return nullptr;
    }
    Input input(noise);
    for (int i = 0; i < gFrames; ++i) {
      if (!(*pipeline)->pushI420(input.next()) || !gate.waitFor(static_cast<std::uint64_t>(i) + 1)) {
        return nullptr;
      }
      s.frameEnd.push_back(s.packets.size());
    }
  }
  media::Vp8Depacketizer depacketizer;
  std::vector<std::uint8_t> copy;
  for (const auto& p : s.packets) {
    copy = p;
    const auto view = rtc::RtpPacketView::parse(copy);
    if (!view) {
      s.frames.clear();
      return nullptr;
    }
    const auto r = depacketizer.push({view->sequenceNumber(), view->timestamp(), view->marker(), view->payload()});
    if (r.frameReady) {
      const auto data = depacketizer.frame().data;
      s.frames.emplace_back(data.begin(), data.end());
    }
  }
  if (s.frames.size() != s.frameEnd.size()) {
    s.frames.clear();
    return nullptr;
  }
  return &s;
}

void BM_BareDecode720p(benchmark::State& state) {
  const bool noise = state.range(0) != 0;
  const CapturedStream* stream = capturedStream(noise);
  auto decoder = media::Vp8Decoder::create();
  if (stream == nullptr || !decoder) {
    state.SkipWithError("could not capture the 720p stream or create the decoder");
    return;
  }
  double cpuUs = 0;
  std::size_t i = 0;
  std::uint64_t errors = 0;
  for (auto _ : state) {
    if (i >= stream->frames.size()) {
      state.SkipWithError("ran past the captured frames");  // cannot happen: Iterations(gFrames)
      return;
    }
    const double t0 = processCpuUs();
    auto picture = (*decoder)->decode(stream->frames[i]);
    benchmark::DoNotOptimize(picture);
    cpuUs += processCpuUs() - t0;
    errors += picture ? 0 : 1;
    ++i;
  }
  record(state, keyOf("bare decode 720p", noise), cpuUs, state.iterations());
  if (errors != 0) {
    state.SkipWithError("decode errors");
  }
}

void BM_SdkReceive(benchmark::State& state) {
  const bool noise = state.range(0) != 0;
  const CapturedStream* stream = capturedStream(noise);
  if (stream == nullptr) {
    state.SkipWithError("could not capture the 720p stream");
    return;
  }
  // A copy per packet, made outside the timed span: onRtp may rewrite a packet in place, as the
  // network thread's receive buffer allows.
  std::vector<std::vector<std::uint8_t>> packets = stream->packets;
  FrameGate gate;
  std::uint64_t rtcpPackets = 0;
  VideoReceivePipelineConfig config;
  config.stream.ssrc = stream->ssrc;
  config.stream.rtxSsrc = stream->rtxSsrc;
  auto pipeline = VideoReceivePipeline::create(
      config, [&](const media::I420View& frame) {
        benchmark::DoNotOptimize(frame.y);
        gate.signal();
      },
      [&](std::span<const std::uint8_t>) { ++rtcpPackets; }, nullptr);
  if (!pipeline) {
    state.SkipWithError(pipeline.message().c_str());
    return;
  }
  VideoReceivePipeline& p = **pipeline;
  // Stream time as the network thread would see it at 30 fps; a tick after each frame, past
  // the reorder wait, as its timer would.
  StreamTime now{std::chrono::seconds(1)};
  std::size_t frame = 0;
  double cpuUs = 0;
  double networkUs = 0;
  for (auto _ : state) {
    if (frame >= stream->frameEnd.size()) {
      state.SkipWithError("ran past the captured frames");  // cannot happen: Iterations(gFrames)
      return;
    }
    const std::size_t begin = frame == 0 ? 0 : stream->frameEnd[frame - 1];
    const double t0 = processCpuUs();
    const double n0 = threadCpuUs();
    for (std::size_t k = begin; k < stream->frameEnd[frame]; ++k) {
      p.onRtp(packets[k], now);
    }
    p.tick(now + 11ms);
    ++frame;
    if (!gate.waitFor(frame)) {
      state.SkipWithError("the pipeline did not decode a frame within the wait limit");
      return;
    }
    networkUs += threadCpuUs() - n0;
    cpuUs += processCpuUs() - t0;
    now += 33ms;
  }
  const VideoReceivePipelineStats stats = p.stats();
  record(state, keyOf("sdk receive", noise), cpuUs, state.iterations());
  ratioCounter(state, "ratio_bare_decode", keyOf("sdk receive", noise), keyOf("bare decode 720p", noise));
  state.counters["core_pct_30fps"] = gUs[keyOf("sdk receive", noise)].back() * kFps / 1e4;
  state.counters["rtcp"] = static_cast<double>(rtcpPackets);
  // onRtp, tick and the wait: the rest of cpu_us is the decode thread.
  state.counters["network_us"] = networkUs / static_cast<double>(state.iterations());
  if (stats.framesDecoded != frame || stats.framesDropped != 0 || stats.decodeErrors != 0) {
    state.SkipWithError("frames dropped or not decoded");
  }
}

// ---- audio -------------------------------------------------------------------------------

// One second of a 440 Hz tone: a whole number of periods, so cycling it makes no click.
std::vector<media::AudioFrame> toneFrames(int samplesPerChannel) {
  media::ToneSource tone(440.0, 8000, 1, samplesPerChannel);
  std::vector<media::AudioFrame> frames(static_cast<std::size_t>(media::kAudioSampleRate / samplesPerChannel));
  for (auto& f : frames) {
    tone.next(f);
  }
  return frames;
}

void BM_BareOpusEncode(benchmark::State& state) {
  const AudioSendPipelineConfig defaults;
  media::OpusEncoderConfig c;
  c.channels = defaults.channels;
  c.bitrateBps = defaults.bitrateBps;
  c.inbandFec = defaults.inbandFec;
  c.dtx = defaults.dtx;
  auto encoder = media::OpusEncoder::create(c);
  if (!encoder) {
    state.SkipWithError(encoder.message().c_str());
    return;
  }
  const auto frames = toneFrames(960);
  std::array<std::uint8_t, media::kMaxOpusPacketSize> out{};
  std::size_t i = 0;
  const double t0 = processCpuUs();
  for (auto _ : state) {
    auto packet = (*encoder)->encode(frames[i]);
    if (packet && packet->size() <= out.size()) {
      std::memcpy(out.data(), packet->data(), packet->size());
    }
    i = (i + 1) % frames.size();
  }
  record(state, "bare opus 20ms", processCpuUs() - t0, state.iterations());
}

void BM_SdkAudioSend(benchmark::State& state) {
  auto ring = std::make_unique<PacketRing>();
  AudioSendPipelineConfig config;
  config.stream.ssrc = 3000;
  config.stream.extensions = {.mid = 1, .transportCc = 3, .absSendTime = 4, .audioLevel = 5};
  config.stream.mid = "1";
  auto pipeline = AudioSendPipeline::create(config, [&](RtpOutgoingPacket& packet) { ring->put(packet.bytes); });
  if (!pipeline) {
    state.SkipWithError(pipeline.message().c_str());
    return;
  }
  const auto frames = toneFrames(AudioSendPipeline::kSamplesPer10ms);
  StreamTime now{std::chrono::seconds(1)};
  std::size_t i = 0;
  const double t0 = processCpuUs();
  for (auto _ : state) {
    // Audio is encoded inline on the capture thread: this thread's time is all of it.
    (void)(*pipeline)->push10ms(frames[i], now);
    (void)(*pipeline)->push10ms(frames[i + 1], now + 10ms);
    i = (i + 2) % frames.size();
    now += 20ms;
  }
  record(state, "sdk audio send", processCpuUs() - t0, state.iterations());
  ratioCounter(state, "ratio_bare_opus", "sdk audio send", "bare opus 20ms");
  if (ring->packets() != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("not one packet per 20 ms");
  }
}

// Fixed iteration counts: one run per case over the same frames, references first so each SDK
// case can print its ratio. Process CPU time, so Google Benchmark's CPU column counts the
// pipelines' threads as our counters do.
void registerAll() {
  const auto frames = [](benchmark::internal::Benchmark* b) {
    b->Iterations(gFrames)->MeasureProcessCPUTime()->Unit(benchmark::kMicrosecond);
  };
  for (int pass = 1; pass <= gPasses; ++pass) {
    const std::string suffix = "/pass" + std::to_string(pass);
    for (int noise = 0; noise <= 1; ++noise) {
      const std::string tag = (noise != 0 ? "noise" : "plain") + suffix;
      if (noise == 0) {
        frames(benchmark::RegisterBenchmark(("FrameCopy720p" + suffix).c_str(), BM_FrameCopy720p));
      }
      frames(benchmark::RegisterBenchmark(("BareEncode720p/" + tag).c_str(), BM_BareEncode720p)->Arg(noise));
      frames(
          benchmark::RegisterBenchmark(("BareSimulcastEncode/" + tag).c_str(), BM_BareSimulcastEncode)->Arg(noise));
      frames(benchmark::RegisterBenchmark(("SdkSend1Layer/" + tag).c_str(), BM_SdkSend)->Args({1, noise}));
      frames(benchmark::RegisterBenchmark(("SdkSend3Layers/" + tag).c_str(), BM_SdkSend)->Args({3, noise}));
      frames(benchmark::RegisterBenchmark(("BareDecode720p/" + tag).c_str(), BM_BareDecode720p)->Arg(noise));
      frames(benchmark::RegisterBenchmark(("SdkReceive720p/" + tag).c_str(), BM_SdkReceive)->Arg(noise));
    }
    for (auto* b : {benchmark::RegisterBenchmark(("BareOpusEncode20ms" + suffix).c_str(), BM_BareOpusEncode),
                    benchmark::RegisterBenchmark(("SdkAudioSend20ms" + suffix).c_str(), BM_SdkAudioSend)}) {
      b->Iterations(kAudioPackets)->MeasureProcessCPUTime()->Unit(benchmark::kMicrosecond);
    }
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void printRow(const std::string& figure, const std::string& sdkKey, const char* reference, const std::string& refKey,
              double scale = 1.0, const char* unit = "us") {
  const auto sdk = gUs.find(sdkKey);
  const auto ref = gUs.find(refKey);
  if (sdk == gUs.end() || ref == gUs.end() || sdk->second.size() != ref->second.size() || sdk->second.empty()) {
    std::printf("%-48s | (not run, or failed in a pass)\n", figure.c_str());
    return;
  }
  std::vector<double> ratios;
  for (std::size_t i = 0; i < sdk->second.size(); ++i) {
    ratios.push_back(sdk->second[i] / ref->second[i]);
  }
  std::printf("%-48s | %8.1f %-2s | %-28s %8.1f %-2s | %5.2f (%.2f..%.2f)\n", figure.c_str(),
              median(sdk->second) * scale, unit, reference, median(ref->second) * scale, unit, median(ratios),
              *std::min_element(ratios.begin(), ratios.end()), *std::max_element(ratios.begin(), ratios.end()));
}

void printSummary() {
  std::printf(
      "\nbench_client_sdk: %dx%d VP8, cpu-used %d, %d frames per video case, %d passes; process CPU, median of the "
      "passes; ratio: median (range) of the per-pass ratios\n",
      kWidth, kHeight, VideoSendPipelineConfig{}.speed, gFrames, gPasses);
  std::printf("%-48s | %11s | %-40s | %s\n", "figure", "SDK", "reference", "ratio");
  for (const bool noise : {false, true}) {
    const char* input = noise ? "pattern+noise" : "pattern";
    const std::string head = std::string("[") + input + "] ";
    printRow(head + "send 1 layer 720p, per frame", keyOf("sdk send 1 layer", noise),
             "bare Vp8Encoder 720p", keyOf("bare encode 720p", noise));
    printRow(head + "send 3 layers, per frame", keyOf("sdk send 3 layers", noise),
             "bare Vp8Encoder 720p", keyOf("bare encode 720p", noise));
    printRow(head + "send 3 layers, per frame", keyOf("sdk send 3 layers", noise),
             "bare scale + 3 Vp8Encoders", keyOf("bare simulcast encode", noise));
    printRow(head + "receive+decode 720p, per frame", keyOf("sdk receive", noise),
             "bare Vp8Decoder 720p", keyOf("bare decode 720p", noise));
    // us per frame x 30 frames/s = us/s; / 1e6 us/s x 100 % = x 3e-3.
    printRow(head + "received 720p stream at 30 fps", keyOf("sdk receive", noise),
             "bare decode at 30 fps", keyOf("bare decode 720p", noise), kFps / 1e4, "%");
  }
  printRow("audio send, per 20 ms Opus packet", "sdk audio send", "bare OpusEncoder 20 ms", "bare opus 20ms");
  if (const auto copy = gUs.find("frame copy 720p"); copy != gUs.end() && !copy->second.empty()) {
    std::printf("(one 720p I420 copy, as pushI420 makes: %.1f us)\n", median(copy->second));
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Our own flag first; the rest goes to Google Benchmark.
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const std::string_view a(argv[i]);
    if (a.starts_with("--frames=")) {
      gFrames = std::atoi(argv[i] + 9);
      if (gFrames < 30 || gFrames > 1800) {
        std::fprintf(stderr, "bench_client_sdk: --frames must be in 30..1800\n");
        return 2;
      }
      continue;
    }
    if (a.starts_with("--passes=")) {
      gPasses = std::atoi(argv[i] + 9);
      if (gPasses < 1 || gPasses > 9) {
        std::fprintf(stderr, "bench_client_sdk: --passes must be in 1..9\n");
        return 2;
      }
      continue;
    }
    args.push_back(argv[i]);
  }
  int n = static_cast<int>(args.size());
  registerAll();
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) {
    return 2;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  printSummary();
  return 0;
}
