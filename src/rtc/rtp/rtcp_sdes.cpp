#include "rtc/rtp/rtcp_sdes.h"

#include <cstring>

#include "rtc/rtp/byte_io.h"

namespace huddle::rtc {

namespace {

constexpr std::uint8_t kItemEnd = 0;
constexpr std::uint8_t kItemCname = 1;

std::size_t chunkSize(const SdesChunk& chunk) noexcept {
  // SSRC, optional CNAME item, then at least one NUL terminator, padded to a word.
  const std::size_t items = chunk.cname.empty() ? 0 : 2 + chunk.cname.size();
  return byte_io::padTo4(4 + items + 1);
}

}  // namespace

std::optional<RtcpSdes> RtcpSdes::parse(const RtcpPacket& packet) noexcept {
  if (packet.type != static_cast<std::uint8_t>(RtcpType::Sdes)) {
    return std::nullopt;
  }
  const auto body = packet.body;
  RtcpSdes sdes;
  std::size_t pos = 0;
  for (std::size_t c = 0; c < packet.count; ++c) {
    if (pos + 4 > body.size()) {
      return std::nullopt;
    }
    SdesChunk chunk;
    chunk.ssrc = byte_io::read32(&body[pos]);
    pos += 4;
    bool terminated = false;
    while (pos < body.size()) {
      const std::uint8_t type = body[pos];
      if (type == kItemEnd) {
        // The list ends with a NUL and the next chunk starts on a word boundary.
        pos = byte_io::padTo4(pos + 1);
        terminated = true;
        break;
      }
      if (pos + 2 > body.size() || pos + 2 + body[pos + 1] > body.size()) {
        return std::nullopt;
      }
      const std::size_t len = body[pos + 1];
      if (type == kItemCname) {
        chunk.cname = std::string_view(reinterpret_cast<const char*>(&body[pos + 2]), len);
      }
      pos += 2 + len;
    }
    if (!terminated || pos > body.size()) {
      return std::nullopt;
    }
    sdes.push(chunk);
  }
  return sdes;
}

std::size_t RtcpSdes::size() const noexcept {
  std::size_t total = 4;
  for (const auto& chunk : chunks()) {
    total += chunkSize(chunk);
  }
  return total;
}

std::size_t RtcpSdes::build(std::span<std::uint8_t> out) const noexcept {
  const std::size_t total = size();
  if (out.size() < total || count > kMaxSdesChunks) {
    return 0;
  }
  for (const auto& chunk : chunks()) {
    if (chunk.cname.size() > 255) {
      return 0;
    }
  }
  std::uint8_t* p = out.data();
  writeRtcpHeader(p, static_cast<std::uint8_t>(count), RtcpType::Sdes, total);
  std::size_t pos = 4;
  for (const auto& chunk : chunks()) {
    const std::size_t end = pos + chunkSize(chunk);
    byte_io::write32(p + pos, chunk.ssrc);
    pos += 4;
    if (!chunk.cname.empty()) {
      p[pos] = kItemCname;
      p[pos + 1] = static_cast<std::uint8_t>(chunk.cname.size());
      std::memcpy(p + pos + 2, chunk.cname.data(), chunk.cname.size());
      pos += 2 + chunk.cname.size();
    }
    std::memset(p + pos, 0, end - pos);
    pos = end;
  }
  return total;
}

}  // namespace huddle::rtc
