// Micro-benchmarks for the client's RTP streams, per packet: the send path (packetize, header
// with extensions, history copy, hand-off) and the receive path (parse, reorder buffer,
// depacketize, frame out, NACK scan in tick). A 720p call at 2.5 Mbps is ~250 packets/s per
// direction, so even 10 us/packet is 0.25% of a core; these should sit far below that.

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "client/stream/rtp_send_stream.h"
#include "client/stream/video_receive_stream.h"
#include "rtc/rtp/rtp_packet.h"

namespace {

using namespace huddle::client;
using namespace std::chrono_literals;

struct Sink : RtpSendStream::Listener, VideoReceiveStream::Listener {
  void onRtpSendStreamPacket(RtpSendStream&, RtpOutgoingPacket& packet) override {
    if (record) {
      packets.emplace_back(packet.bytes.begin(), packet.bytes.end());
    }
    benchmark::DoNotOptimize(packet.bytes.data());
  }
  void onVideoReceiveStreamFrame(VideoReceiveStream&, const huddle::media::Vp8AssembledFrame& frame) override {
    benchmark::DoNotOptimize(frame.data.data());
    ++frames;
  }
  void onVideoReceiveStreamRtcp(VideoReceiveStream&, std::span<const std::uint8_t>) override {}
  bool record = false;
  std::vector<std::vector<std::uint8_t>> packets;
  std::int64_t frames = 0;
};

RtpSendStreamConfig sendConfig() {
  RtpSendStreamConfig c;
  c.ssrc = 1;
  c.rtxSsrc = 2;
  c.extensions = {.mid = 1, .rid = 2, .transportCc = 3, .absSendTime = 4};
  c.mid = "0";
  c.rid = "f";
  return c;
}

std::vector<std::uint8_t> frameBytes(std::size_t size) {
  std::vector<std::uint8_t> frame(size, 0x5A);
  frame[0] = 0x11;  // delta frame
  return frame;
}

void BM_SendVideoFrame(benchmark::State& state) {
  Sink sink;
  auto stream = RtpSendStream::create(sendConfig(), sink);
  const auto frame = frameBytes(static_cast<std::size_t>(state.range(0)));
  StreamTime now{std::chrono::seconds(1)};
  std::uint32_t ts = 0;
  std::int64_t packets = 0;
  for (auto _ : state) {
    const auto before = (*stream)->stats().packets;
    benchmark::DoNotOptimize((*stream)->sendVideoFrame(frame, false, ts, now).ok());
    packets += static_cast<std::int64_t>((*stream)->stats().packets - before);
    ts += 3000;
    now += 33ms;
  }
  state.SetItemsProcessed(packets);
  state.SetLabel("items = packets");
}
BENCHMARK(BM_SendVideoFrame)->Arg(12000);

void BM_ReceiveVideoPackets(benchmark::State& state) {
  // 64 frames of 10 packets prepared once; each iteration feeds them with fresh sequence
  // numbers and timestamps so the receiver sees one continuous stream.
  Sink sink;
  sink.record = true;
  auto sender = RtpSendStream::create(sendConfig(), sink);
  const auto key = [] {
    auto f = frameBytes(10000);
    f[0] = 0x10;
    return f;
  }();
  const auto delta = frameBytes(10000);
  StreamTime now{std::chrono::seconds(1)};
  for (int i = 0; i < 64; ++i) {
    (void)(*sender)->sendVideoFrame(i == 0 ? key : delta, i == 0, static_cast<std::uint32_t>(i) * 3000, now);
  }
  VideoReceiveStreamConfig rc;
  rc.ssrc = 1;
  rc.rtxSsrc = 2;
  rc.reorderWait = 0ms;
  VideoReceiveStream receiver(rc, sink);
  std::uint16_t seqBase = 0;
  std::uint32_t tsBase = 0;
  std::int64_t packets = 0;
  for (auto _ : state) {
    for (auto& p : sink.packets) {
      auto view = huddle::rtc::RtpPacketView::parse(p);
      view->setSequenceNumber(static_cast<std::uint16_t>(view->sequenceNumber() + seqBase));
      view->setTimestamp(view->timestamp() + tsBase);
      receiver.onRtp(p, now);
      view->setSequenceNumber(static_cast<std::uint16_t>(view->sequenceNumber() - seqBase));
      view->setTimestamp(view->timestamp() - tsBase);
      ++packets;
    }
    receiver.tick(now);
    now += 2s;
    seqBase = static_cast<std::uint16_t>(seqBase + sink.packets.size());
    tsBase += 64 * 3000;
  }
  state.SetItemsProcessed(packets);
  state.counters["frames"] = static_cast<double>(sink.frames);
  state.SetLabel("items = packets");
}
BENCHMARK(BM_ReceiveVideoPackets);

}  // namespace

BENCHMARK_MAIN();
