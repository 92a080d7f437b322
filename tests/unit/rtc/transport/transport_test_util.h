#pragma once
// Test helpers for rtc/transport: a recording listener and a bounded io_context driver.

#include <utility>

#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "rtc/transport/webrtc_transport.h"

namespace huddle::rtc::test {

// Runs `io` in short slices until `done()` holds or `limit` passes; no sleeps, the io_context
// blocks on its own timers and sockets.
inline bool runUntil(boost::asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return true;
}

struct RecordingListener final : WebRtcTransport::Listener {
  struct Message {
    std::uint16_t id;
    std::vector<std::uint8_t> data;
    bool binary;
  };

  void onTransportStateChanged(WebRtcTransport& /*t*/, TransportState s) override {
    states.push_back(s);
  }
  void onRtpPacket(WebRtcTransport& /*t*/, std::span<std::uint8_t> p) override {
    rtp.emplace_back(p.begin(), p.end());
  }
  void onRtcpPacket(WebRtcTransport& /*t*/, std::span<std::uint8_t> p) override {
    rtcp.emplace_back(p.begin(), p.end());
  }
  void onDataChannelOpen(WebRtcTransport& /*t*/, std::uint16_t id,
                         std::string_view label) override {
    opened[id] = std::string(label);
  }
  void onDataChannelMessage(WebRtcTransport& /*t*/, std::uint16_t id,
                            std::span<const std::uint8_t> data, bool binary) override {
    messages.push_back(Message{id, {data.begin(), data.end()}, binary});
  }
  void onDataChannelClose(WebRtcTransport& /*t*/, std::uint16_t id) override {
    closedChannels.push_back(id);
  }

  [[nodiscard]] bool reached(TransportState s) const {
    for (const auto x : states) {
      if (x == s) return true;
    }
    return false;
  }
  [[nodiscard]] std::size_t messagesOn(std::uint16_t id) const {
    std::size_t n = 0;
    for (const auto& m : messages) n += m.id == id ? 1 : 0;
    return n;
  }
  [[nodiscard]] std::optional<std::uint16_t> channelByLabel(const std::string& label) const {
    for (const auto& [id, l] : opened) {
      if (l == label) return id;
    }
    return std::nullopt;
  }

  std::vector<TransportState> states;
  std::vector<std::vector<std::uint8_t>> rtp;
  std::vector<std::vector<std::uint8_t>> rtcp;
  std::map<std::uint16_t, std::string> opened;
  std::vector<Message> messages;
  std::vector<std::uint16_t> closedChannels;
};

// A hand-built RTP packet: 12-byte header (V=2, PT 96), a payload derived from (ssrc, seq), and
// spare room after it for the SRTP tag.
inline constexpr std::size_t kRtpSpare = 64;
inline std::vector<std::uint8_t> rtpPayload(std::uint32_t ssrc, std::uint16_t seq,
                                            std::size_t size) {
  std::vector<std::uint8_t> p(size);
  for (std::size_t i = 0; i < size; ++i) {
    p[i] = static_cast<std::uint8_t>((ssrc * 31u) ^ (seq * 7u) ^ (i * 13u));
  }
  return p;
}
inline std::vector<std::uint8_t> buildRtp(std::uint32_t ssrc, std::uint16_t seq,
                                          std::size_t payloadSize) {
  std::vector<std::uint8_t> b(12 + payloadSize + kRtpSpare, 0);
  const std::uint32_t ts = seq * 3000u;
  b[0] = 0x80;  // V=2, no padding, no extension, CC=0
  b[1] = 96;    // M=0, PT=96
  b[2] = static_cast<std::uint8_t>(seq >> 8);
  b[3] = static_cast<std::uint8_t>(seq);
  for (int i = 0; i < 4; ++i) {
    b[4 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ts >> (24 - 8 * i));
    b[8 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ssrc >> (24 - 8 * i));
  }
  const auto payload = rtpPayload(ssrc, seq, payloadSize);
  std::copy(payload.begin(), payload.end(), b.begin() + 12);
  return b;
}

}  // namespace huddle::rtc::test
