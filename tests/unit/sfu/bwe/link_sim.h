#pragma once
// A deterministic bottleneck for the estimator tests: packets queue behind a link of fixed
// capacity (so sending faster than it grows the delay), random loss comes from a seeded
// generator, and the receive side is our own TwccRecorder, whose feedback goes through the
// real build/parse path into the SendSideBwe. Time is simulated; nothing sleeps.

#include <array>
#include <cstdint>
#include <optional>

#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtcp_transport_cc.h"
#include "sfu/bwe/send_side_bwe.h"
#include "sfu/bwe/twcc_recorder.h"

namespace huddle::sfu::bwe::test {

struct LinkSim {
  std::uint64_t capacityBps = 100'000'000;
  double lossRate = 0;
  std::int64_t baseDelayUs = 20'000;
  std::uint32_t rng = 12345;
  std::int64_t linkFreeUs = 0;  // when the bottleneck finishes what it holds

  bool lose() {
    rng = rng * 1664525u + 1013904223u;
    return static_cast<double>(rng >> 8) / static_cast<double>(1u << 24) < lossRate;
  }
  // Arrival time of a packet sent at sendUs, or nullopt when dropped.
  std::optional<std::int64_t> transmit(std::int64_t sendUs, std::size_t bytes) {
    const std::int64_t serviceUs =
        static_cast<std::int64_t>(static_cast<double>(bytes) * 8.0 * 1e6 / static_cast<double>(capacityBps));
    const std::int64_t start = sendUs > linkFreeUs ? sendUs : linkFreeUs;
    linkFreeUs = start + serviceUs;
    if (lose()) return std::nullopt;
    return linkFreeUs + baseDelayUs;
  }
};

// Sends at the estimate (as a real sender follows its estimator, capped at `maxSendBps`) for
// `durationUs`, with feedback every 50 ms after the packets it covers arrived.
struct Session {
  SendSideBwe bwe;
  TwccRecorder recorder;
  LinkSim link;
  std::uint16_t seq = 0;
  std::int64_t nowUs = 1'000'000;
  std::uint64_t maxSendBps = 100'000'000;
  std::size_t packetBytes = 1200;
  // Arrivals not yet delivered to the recorder (the link delays them).
  struct InFlight { std::uint16_t seq; std::int64_t arrivalUs; };
  std::array<InFlight, 65536> flight{};
  std::size_t flightHead = 0;
  std::size_t flightTail = 0;
  std::size_t feedbacks = 0;

  void run(std::int64_t durationUs) {
    const std::int64_t end = nowUs + durationUs;
    double credit = 0;
    std::int64_t last = nowUs;
    std::array<std::uint8_t, 1500> fb{};
    while (nowUs < end) {
      nowUs += 1000;  // 1 ms steps
      const double rate = static_cast<double>(std::min<std::uint64_t>(bwe.estimateBps(nowUs), maxSendBps));
      credit += rate * static_cast<double>(nowUs - last) / 1e6 / 8.0;
      last = nowUs;
      while (credit >= static_cast<double>(packetBytes)) {
        credit -= static_cast<double>(packetBytes);
        bwe.onPacketSent(seq, packetBytes, nowUs);
        if (auto arrival = link.transmit(nowUs, packetBytes)) {
          flight[flightTail % flight.size()] = InFlight{seq, *arrival};
          ++flightTail;
        }
        ++seq;
      }
      while (flightHead < flightTail && flight[flightHead % flight.size()].arrivalUs <= nowUs) {
        const InFlight& f = flight[flightHead % flight.size()];
        recorder.onPacket(f.seq, f.arrivalUs);
        ++flightHead;
      }
      for (int i = 0; i < 4 && recorder.due(nowUs); ++i) {
        const std::size_t n = recorder.buildFeedback(1, 2, nowUs, fb);
        if (n == 0) break;
        rtc::RtcpCompoundReader reader(std::span<const std::uint8_t>(fb.data(), n));
        while (auto p = reader.next()) {
          if (auto parsed = rtc::RtcpTransportCc::parse(*p)) {
            bwe.onTransportFeedback(*parsed, nowUs);
            ++feedbacks;
          }
        }
      }
    }
  }
};

}  // namespace huddle::sfu::bwe::test
