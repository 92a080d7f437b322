#include "client/stream/incoming_rtp.h"

#include "rtc/rtp/rtp_packet.h"
#include "rtc/rtp/rtx.h"

namespace huddle::client {

IncomingRtp parseIncomingRtp(std::span<std::uint8_t> packet, const IncomingRtpConfig& config) noexcept {
  IncomingRtp in;
  const auto view = rtc::RtpPacketView::parse(packet);
  if (!view) {
    return in;
  }
  in.timestamp = view->timestamp();
  in.marker = view->marker();
  const bool isRtx = config.rtxSsrc && view->ssrc() == *config.rtxSsrc;
  if (!isRtx && view->ssrc() != config.ssrc) {
    in.status = IncomingRtpStatus::UnknownSsrc;
    return in;
  }
  if (isRtx) {
    if (view->payloadType() != config.rtxPayloadType) {
      in.status = IncomingRtpStatus::UnknownPayloadType;
      return in;
    }
    if (view->payload().empty()) {
      in.status = IncomingRtpStatus::PaddingOnly;
      return in;
    }
    const auto osn = rtc::readRtxOriginalSeq(*view);
    if (!osn) {
      return in;
    }
    in.seq = *osn;
    in.retransmission = true;
    in.payload = view->payload().subspan(2);
  } else {
    if (view->payloadType() != config.payloadType) {
      in.status = IncomingRtpStatus::UnknownPayloadType;
      return in;
    }
    in.seq = view->sequenceNumber();
    in.payload = view->payload();
  }
  in.status = in.payload.empty() ? IncomingRtpStatus::PaddingOnly : IncomingRtpStatus::Media;
  return in;
}

}  // namespace huddle::client
