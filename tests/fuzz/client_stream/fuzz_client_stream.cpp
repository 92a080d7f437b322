// libFuzzer target for the receive streams: arbitrary datagrams as a remote sender (or an
// attacker holding the SRTP keys) may send them, media and RTX, with time moving between them;
// VideoReceiveStream ticks (NACK/PLI) and AudioReceiveStream (same SSRC and payload type, so
// the same seeds reach its jitter buffer and Opus decoder) is pulled every 10 ms. Input records: [len hi][len lo][ms to advance][len bytes].
// Nothing may crash, leak or hang; every frame handed out is non-empty, every RTCP packet it
// emits parses, and the counters add up.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include "client/stream/audio_receive_stream.h"
#include "client/stream/video_receive_stream.h"
#include "rtc/rtp/rtcp_packet.h"

namespace {

struct Sink : huddle::client::VideoReceiveStream::Listener {
  void onVideoReceiveStreamFrame(huddle::client::VideoReceiveStream&,
                                 const huddle::media::Vp8AssembledFrame& frame) override {
    if (frame.data.empty()) std::abort();
    ++frames;
  }
  void onVideoReceiveStreamRtcp(huddle::client::VideoReceiveStream&, std::span<const std::uint8_t> rtcp) override {
    if (!huddle::rtc::isValidRtcpCompound(rtcp)) std::abort();
  }
  std::uint64_t frames = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace std::chrono_literals;
  Sink sink;
  huddle::client::VideoReceiveStreamConfig config;
  config.ssrc = 0x01020304;
  config.rtxSsrc = 0x05060708;
  config.bufferPackets = 64;  // small, so window overflow paths are reached
  huddle::client::VideoReceiveStream stream(config, sink);
  auto audio = huddle::client::AudioReceiveStream::create({.ssrc = config.ssrc, .payloadType = 96});
  if (!audio) std::abort();
  huddle::client::StreamTime now{std::chrono::seconds(1)};
  huddle::client::StreamTime nextPull = now;
  std::vector<std::uint8_t> packet;
  std::size_t pos = 0;
  std::uint64_t datagrams = 0;
  while (pos + 3 <= size) {
    const std::size_t len = (std::size_t{data[pos]} << 8 | data[pos + 1]) % 1600;
    now += std::chrono::milliseconds(data[pos + 2]);
    pos += 3;
    for (int i = 0; i < 26 && nextPull <= now; ++i, nextPull += 10ms) {
      if ((*audio)->pull10ms(nextPull).samplesPerChannel() != 480) std::abort();
    }
    const std::size_t take = len < size - pos ? len : size - pos;
    packet.assign(data + pos, data + pos + take);
    pos += take;
    stream.onRtp(packet, now);
    stream.tick(now);
    packet.assign(data + pos - take, data + pos);  // the video path may not have changed it, but be sure
    (*audio)->onRtp(packet, now);
    ++datagrams;
  }
  stream.tick(now + 2s);
  const auto& st = stream.stats();
  if (st.packets + st.malformed + st.ignored != datagrams) std::abort();
  if (st.framesAssembled != sink.frames) std::abort();
  const auto& as = (*audio)->stats();
  if (as.packets + as.malformed + as.ignored != datagrams) std::abort();
  return 0;
}
