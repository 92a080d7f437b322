// Micro-benchmarks for the RTP/RTCP hot path: what a downtrack does per forwarded packet
// (parse, rewrite SSRC/sequence/timestamp and the transport-wide sequence) and what a sender
// does per TWCC feedback. Reference: a media worker that forwards 1 Mpps on one core has a
// budget of 1000 ns per packet for everything; these steps should be a small slice of it.

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtcp_transport_cc.h"
#include "rtc/rtp/rtp_header_extensions.h"
#include "rtc/rtp/rtp_packet.h"

namespace {

using namespace huddle::rtc;

void BM_RtpParseRewrite(benchmark::State& state) {
  std::vector<std::uint8_t> packet = {
      0x90, 0x60, 0x12, 0x34, 0x00, 0x01, 0xE2, 0x40, 0x11, 0x22, 0x33, 0x44,  // header, X=1
      0xBE, 0xDE, 0x00, 0x02, 0x11, 0x00, 0x2A, 0x22, 0x12, 0x34, 0x56, 0x00,  // twcc + abs-send-time
  };
  packet.resize(static_cast<std::size_t>(state.range(0)), 0xAB);
  std::uint16_t seq = 0;
  for (auto _ : state) {
    auto view = RtpPacketView::parse(packet);
    view->setSsrc(0xCAFEBABE);
    view->setSequenceNumber(seq);
    view->setTimestamp(view->timestamp() + 3000);
    setTransportWideSeq(*view, 1, seq);
    ++seq;
    benchmark::DoNotOptimize(packet.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("budget 1000 ns/packet at 1 Mpps/core");
}
BENCHMARK(BM_RtpParseRewrite)->Arg(1200);

void BM_RtcpTwccParseDecode(benchmark::State& state) {
  std::vector<TwccPacketStatus> statuses;
  for (std::uint16_t i = 0; i < 100; ++i) {
    statuses.push_back({i, i % 10 != 3, i % 17 == 0 ? 400 : 4});
  }
  std::array<std::uint8_t, 1500> wire{};
  const std::size_t n = RtcpTransportCc::build(1, 2, 100, 7, statuses, wire);
  std::array<TwccPacketStatus, 100> out{};
  for (auto _ : state) {
    const auto packet = parseRtcpPacket(std::span<const std::uint8_t>(wire.data(), n));
    const auto fb = RtcpTransportCc::parse(*packet);
    benchmark::DoNotOptimize(fb->decode(out));
  }
  state.SetItemsProcessed(state.iterations() * 100);
  state.SetLabel("100 statuses per feedback");
}
BENCHMARK(BM_RtcpTwccParseDecode);

}  // namespace
