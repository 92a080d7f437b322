// PeerSession's packet paths: RTP out and in (demultiplexing), RTCP in (feedback and reports),
// data channels. Nothing here allocates per packet.

#include <algorithm>

#include "client/peer/peer_session.h"
#include "client/peer/peer_session_section.h"
#include "rtc/rtp/rtcp_feedback.h"
#include "rtc/rtp/rtcp_fir.h"
#include "rtc/rtp/rtcp_nack.h"
#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtcp_pli.h"
#include "rtc/rtp/rtcp_remb.h"
#include "rtc/rtp/rtcp_report.h"
#include "rtc/rtp/rtcp_transport_cc.h"
#include "rtc/rtp/rtp_header_extensions.h"
#include "rtc/rtp/rtp_packet.h"

namespace huddle::client {

std::size_t writeRtpHeader(const SendStreamParams& params, const SectionRtpHeader& fields,
                           std::span<std::uint8_t> out) noexcept {
  const bool mid = params.midExtensionId != 0 && !params.mid.empty() && params.mid.size() <= 16;
  const bool rid = params.ridExtensionId != 0 && !params.rid.empty() && params.rid.size() <= 16;
  std::size_t extBytes = 0;
  if (mid) extBytes += 1 + params.mid.size();
  if (rid) extBytes += 1 + params.rid.size();
  const std::size_t extWords = (extBytes + 3) / 4;
  const std::size_t size = 12 + (extWords > 0 ? 4 + extWords * 4 : 0);
  if (out.size() < size) return 0;
  std::uint8_t* b = out.data();
  b[0] = static_cast<std::uint8_t>(0x80 | (extWords > 0 ? 0x10 : 0));
  b[1] = static_cast<std::uint8_t>((fields.marker ? 0x80 : 0) | (params.payloadType & 0x7F));
  b[2] = static_cast<std::uint8_t>(fields.sequenceNumber >> 8);
  b[3] = static_cast<std::uint8_t>(fields.sequenceNumber);
  for (int i = 0; i < 4; ++i) b[4 + i] = static_cast<std::uint8_t>(fields.timestamp >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) b[8 + i] = static_cast<std::uint8_t>(params.ssrc >> (24 - 8 * i));
  if (extWords == 0) return size;
  b[12] = 0xBE;
  b[13] = 0xDE;
  b[14] = static_cast<std::uint8_t>(extWords >> 8);
  b[15] = static_cast<std::uint8_t>(extWords);
  std::size_t n = 16;
  auto element = [&](std::uint8_t id, std::string_view value) {
    b[n++] = static_cast<std::uint8_t>((id << 4) | (value.size() - 1));
    for (char c : value) b[n++] = static_cast<std::uint8_t>(c);
  };
  if (mid) element(params.midExtensionId, params.mid);
  if (rid) element(params.ridExtensionId, params.rid);
  while (n < size) b[n++] = 0;
  return size;
}

// ---- media ------------------------------------------------------------------------------------

const SendStreamParams* PeerSession::sendParams(std::string_view mid, std::size_t layer) const {
  for (const auto& s : sections_) {
    if (s->mid == mid) return layer < s->params.size() ? &s->params[layer] : nullptr;
  }
  return nullptr;
}

bool PeerSession::sendRtp(std::string_view mid, std::size_t layer, std::span<std::uint8_t> buffer,
                          std::size_t length, bool rtx) {
  const SendStreamParams* p = sendParams(mid, layer);
  if (p == nullptr || !p->negotiated || length > buffer.size() || (rtx && p->rtxPayloadType == 0)) {
    ++stats_.sendRefused;
    return false;
  }
  auto view = rtc::RtpPacketView::parse(buffer.first(length));
  if (!view) {
    ++stats_.sendRefused;
    return false;
  }
  view->setSsrc(rtx ? p->rtxSsrc : p->ssrc);
  view->setPayloadType(rtx ? p->rtxPayloadType : p->payloadType);
  if (!transport_->sendRtp(buffer, length)) {
    ++stats_.sendRefused;
    return false;
  }
  return true;
}

bool PeerSession::sendRtcp(std::span<std::uint8_t> buffer, std::size_t length) {
  if (!transport_->sendRtcp(buffer, length)) {
    ++stats_.sendRefused;
    return false;
  }
  return true;
}

std::uint8_t PeerSession::midExtensionId() const noexcept {
  // BUNDLE gives a URI one id across sections, so the first section that negotiated it decides.
  for (const auto& s : sections_) {
    if (s->described && s->remote.extensions.mid != 0) return s->remote.extensions.mid;
  }
  return 0;
}

void PeerSession::onRtpPacket(rtc::WebRtcTransport&, std::span<std::uint8_t> packet) {
  auto view = rtc::RtpPacketView::parse(packet);
  if (!view) {
    ++stats_.rtpUnparsed;
    return;
  }
  Section* section = nullptr;
  if (auto it = recvSsrcs_.find(view->ssrc()); it != recvSsrcs_.end()) {
    section = sections_[it->second.section].get();
  } else {
    // Not announced: the mid extension names the section, else a payload type that only one
    // receiving section uses. Either way the SSRC is learnt (one allocation per new stream).
    std::optional<std::uint32_t> index;
    if (const std::uint8_t midId = midExtensionId(); midId != 0) {
      if (auto data = view->findExtension(midId)) {
        if (auto mid = rtc::readMid(*data)) {
          for (std::size_t j = 0; j < sections_.size(); ++j) {
            if (sections_[j]->mid == *mid) index = static_cast<std::uint32_t>(j);
          }
        }
      }
    }
    if (!index) {
      int matches = 0;
      for (std::size_t i = 0; i < sections_.size(); ++i) {
        const Section& s = *sections_[i];
        if (!s.receives()) continue;
        if (s.remote.payloadType == view->payloadType() ||
            (s.remote.rtxPayloadType && *s.remote.rtxPayloadType == view->payloadType())) {
          ++matches;
          index = static_cast<std::uint32_t>(i);
        }
      }
      if (matches != 1) index.reset();
    }
    if (!index) {
      ++stats_.rtpUnknownStream;
      return;
    }
    section = sections_[*index].get();
    if (!section->receives()) {
      ++stats_.rtpInactiveSection;
      return;
    }
    if (learnedSsrcs_ < kMaxLearnedSsrcs) {
      ++learnedSsrcs_;
      recvSsrcs_[view->ssrc()] = SsrcRoute{*index, 0, false};
    }
  }
  if (!section->receives()) {
    ++stats_.rtpInactiveSection;
    return;
  }
  ++stats_.rtpDelivered;
  listener_.onRemoteTrackRtp(*this, section->mid, section->trackSid, packet);
}

void PeerSession::onRtcpPacket(rtc::WebRtcTransport&, std::span<std::uint8_t> packet) {
  rtc::RtcpCompoundReader reader(packet);
  while (auto p = reader.next()) {
    switch (static_cast<rtc::RtcpType>(p->type)) {
      case rtc::RtcpType::SenderReport:
        if (auto sr = rtc::RtcpSenderReport::parse(*p)) {
          ++stats_.reportsDelivered;
          listener_.onReport(*this, &*sr, nullptr);
        } else {
          ++stats_.rtcpMalformed;
        }
        break;
      case rtc::RtcpType::ReceiverReport:
        if (auto rr = rtc::RtcpReceiverReport::parse(*p)) {
          ++stats_.reportsDelivered;
          listener_.onReport(*this, nullptr, &*rr);
        } else {
          ++stats_.rtcpMalformed;
        }
        break;
      case rtc::RtcpType::RtpFeedback:
      case rtc::RtcpType::PayloadFeedback:
        handleFeedback(*p);
        break;
      default:
        ++stats_.rtcpIgnored;
        break;
    }
  }
  if (reader.malformed()) ++stats_.rtcpMalformed;
}

bool PeerSession::deliverFeedback(SendFeedback& feedback, std::uint32_t ssrc) {
  auto it = sendSsrcs_.find(ssrc);
  if (it == sendSsrcs_.end()) {
    ++stats_.rtcpUnknownSsrc;
    return false;
  }
  feedback.mid = sections_[it->second.section]->mid;
  feedback.layer = it->second.layer;
  feedback.aboutRtx = it->second.rtx;
  feedback.mediaSsrc = ssrc;
  ++stats_.feedbackDelivered;
  listener_.onSendFeedback(*this, feedback);
  return true;
}

void PeerSession::handleFeedback(const rtc::RtcpPacket& p) {
  SendFeedback f;
  if (p.type == static_cast<std::uint8_t>(rtc::RtcpType::RtpFeedback)) {
    if (p.count == rtc::kFmtNack) {
      auto nack = rtc::RtcpNack::parse(p);
      if (!nack) {
        ++stats_.rtcpMalformed;
        return;
      }
      f.type = SendFeedbackType::Nack;
      f.nack = &*nack;
      deliverFeedback(f, nack->mediaSsrc());
    } else if (p.count == rtc::kFmtTransportCc) {
      auto twcc = rtc::RtcpTransportCc::parse(p);
      if (!twcc) {
        ++stats_.rtcpMalformed;
        return;
      }
      f.type = SendFeedbackType::TransportCc;
      f.transportCc = &*twcc;
      // Transport-wide: it concerns every stream, whatever media SSRC the peer wrote.
      if (!sendSsrcs_.contains(twcc->mediaSsrc())) {
        f.mediaSsrc = twcc->mediaSsrc();
        ++stats_.feedbackDelivered;
        listener_.onSendFeedback(*this, f);
        return;
      }
      deliverFeedback(f, twcc->mediaSsrc());
    } else {
      ++stats_.rtcpIgnored;
    }
    return;
  }
  if (p.count == rtc::kFmtPli) {
    auto pli = rtc::RtcpPli::parse(p);
    if (!pli) {
      ++stats_.rtcpMalformed;
      return;
    }
    f.type = SendFeedbackType::Pli;
    deliverFeedback(f, pli->mediaSsrc);
  } else if (p.count == rtc::kFmtFir) {
    auto fir = rtc::RtcpFir::parse(p);
    if (!fir) {
      ++stats_.rtcpMalformed;
      return;
    }
    f.type = SendFeedbackType::Fir;
    for (std::size_t i = 0; i < fir->entryCount(); ++i) {
      SendFeedback each = f;
      deliverFeedback(each, fir->entry(i).ssrc);
    }
  } else if (p.count == rtc::kFmtAfb) {
    auto remb = rtc::RtcpRemb::parse(p);
    if (!remb) {
      ++stats_.rtcpIgnored;  // another application-layer message
      return;
    }
    f.type = SendFeedbackType::Remb;
    f.rembBitrateBps = remb->bitrateBps();
    // One estimate for the whole connection; attribute it to the first stream it names.
    for (std::size_t i = 0; i < remb->ssrcCount(); ++i) {
      if (sendSsrcs_.contains(remb->ssrc(i))) {
        deliverFeedback(f, remb->ssrc(i));
        return;
      }
    }
    ++stats_.feedbackDelivered;
    listener_.onSendFeedback(*this, f);
  } else {
    ++stats_.rtcpIgnored;
  }
}

// ---- transport events and data channels -------------------------------------------------------

void PeerSession::onTransportStateChanged(rtc::WebRtcTransport& transport, rtc::TransportState state) {
  if (state == rtc::TransportState::Connected && options_.role == Role::Offerer && !channelsCreated_) {
    channelsCreated_ = true;
    transport.createDataChannel(kReliableLabel, true);
    transport.createDataChannel(kLossyLabel, false, 0);
  }
  listener_.onConnectionStateChanged(*this, state);
}

void PeerSession::onDataChannelOpen(rtc::WebRtcTransport&, std::uint16_t id, std::string_view label) {
  channels_[id] = std::string(label);
  listener_.onDataChannelOpen(*this, label);
}

void PeerSession::onDataChannelMessage(rtc::WebRtcTransport&, std::uint16_t id,
                                       std::span<const std::uint8_t> data, bool) {
  auto it = channels_.find(id);
  if (it == channels_.end()) {
    ++stats_.dataUnknownChannel;
    return;
  }
  listener_.onDataMessage(*this, it->second, data);
}

void PeerSession::onDataChannelClose(rtc::WebRtcTransport&, std::uint16_t id) { channels_.erase(id); }

bool PeerSession::sendData(std::string_view label, std::span<const std::uint8_t> data) {
  for (const auto& [id, name] : channels_) {
    if (name == label) return transport_->sendData(id, data, true);
  }
  ++stats_.sendRefused;
  return false;
}

bool PeerSession::dataChannelOpen(std::string_view label) const {
  return std::any_of(channels_.begin(), channels_.end(),
                     [&](const auto& entry) { return entry.second == label; });
}

}  // namespace huddle::client
