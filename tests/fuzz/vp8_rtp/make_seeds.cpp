// Writes fuzz_vp8_rtp's seed corpus: real VP8 frames (a keyframe and deltas of the moving test
// pattern, 96x64) packetized into small payloads, in the records format of vp8_rtp_records.h:
// in order, with one packet lost, and with two packets of a frame swapped.
// Run by hand: make_seeds <corpus dir>.

#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "media/synthetic_sources.h"
#include "media/video_frame.h"
#include "media/vp8_encoder.h"
#include "media/vp8_rtp.h"
#include "vp8_rtp_records.h"

namespace {

using namespace huddle::media;

struct Packet {
  std::vector<std::uint8_t> payload;
  bool marker = false;
  bool first = false;  // first packet of its frame
};

bool write(const std::string& path, const std::vector<Packet>& packets) {
  std::vector<std::uint8_t> out;
  for (const auto& p : packets) huddle::fuzz::appendVp8RtpRecord(out, p.marker, p.first, p.payload);
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
  return static_cast<bool>(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds <corpus dir>\n");
    return 2;
  }
  Vp8EncoderConfig config;
  config.width = 96;
  config.height = 64;
  config.targetBitrateKbps = 200;
  auto encoder = Vp8Encoder::create(config);
  if (!encoder.ok()) return 1;
  TestPatternSource source(config.width, config.height);
  VideoFrame frame;
  Vp8Packetizer packetizer(120);
  std::vector<Packet> packets;
  for (int i = 0; i < 4; ++i) {
    source.next(frame);
    auto encoded = encoder.value()->encode(frame, i == 0);
    if (!encoded.ok()) return 1;
    auto count = packetizer.packetize(encoded.value().data);
    if (!count.ok()) return 1;
    for (std::size_t p = 0; p < count.value(); ++p) {
      const auto payload = packetizer.payload(p);
      packets.push_back({{payload.begin(), payload.end()}, packetizer.isLast(p), p == 0});
    }
  }
  const std::string dir = argv[1];
  bool ok = write(dir + "/in_order", packets);
  std::vector<Packet> lost = packets;
  if (lost.size() > 3) lost.erase(lost.begin() + static_cast<std::ptrdiff_t>(lost.size() / 2));
  ok = write(dir + "/one_lost", lost) && ok;
  std::vector<Packet> swapped = packets;
  if (swapped.size() > 2) std::swap(swapped[0], swapped[1]);
  ok = write(dir + "/swapped", swapped) && ok;
  std::printf("make_seeds: %zu packets per stream written to %s\n", packets.size(), dir.c_str());
  return ok ? 0 : 1;
}
