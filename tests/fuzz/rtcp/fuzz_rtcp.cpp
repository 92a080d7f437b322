// Fuzzes RTCP compound iteration and every message parser. Where a builder exists, the parsed
// message is rebuilt and parsed again, and the two must agree.

#include <array>
#include <optional>
#include <string_view>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rtc/rtp/packet_class.h"
#include "rtc/rtp/rtcp_bye.h"
#include "rtc/rtp/rtcp_fir.h"
#include "rtc/rtp/rtcp_nack.h"
#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtcp_pli.h"
#include "rtc/rtp/rtcp_remb.h"
#include "rtc/rtp/rtcp_report.h"
#include "rtc/rtp/rtcp_sdes.h"
#include "rtc/rtp/rtcp_transport_cc.h"
#include "rtc/rtp/rtcp_xr.h"

namespace {

using namespace huddle::rtc;

void check(bool ok) {
  if (!ok) {
    __builtin_trap();
  }
}

// Large enough for any rebuilt message: a TWCC of 65535 statuses needs about 140 KB.
std::vector<std::uint8_t>& scratch() {
  static std::vector<std::uint8_t> buffer(256 * 1024);
  return buffer;
}

RtcpPacket reparse(std::size_t n) {
  check(n > 0 && n % 4 == 0);
  const auto packet = parseRtcpPacket(std::span<const std::uint8_t>(scratch().data(), n));
  check(packet.has_value() && packet->bytes.size() == n);
  return *packet;
}

void reports(const RtcpPacket& packet) {
  if (const auto sr = RtcpSenderReport::parse(packet)) {
    const auto again = RtcpSenderReport::parse(reparse(sr->build(scratch())));
    check(again && again->ntpTimestamp == sr->ntpTimestamp && again->octetCount == sr->octetCount);
    check(again->reports.count == sr->reports.count);
    for (std::size_t i = 0; i < sr->reports.count; ++i) {
      check(again->reports.items[i] == sr->reports.items[i]);
    }
  }
  if (const auto rr = RtcpReceiverReport::parse(packet)) {
    const auto again = RtcpReceiverReport::parse(reparse(rr->build(scratch())));
    check(again && again->ssrc == rr->ssrc && again->reports.count == rr->reports.count);
    for (std::size_t i = 0; i < rr->reports.count; ++i) {
      check(again->reports.items[i] == rr->reports.items[i]);
    }
  }
}

void sdesAndBye(const RtcpPacket& packet) {
  if (const auto sdes = RtcpSdes::parse(packet)) {
    const auto again = RtcpSdes::parse(reparse(sdes->build(scratch())));
    check(again && again->count == sdes->count);
    for (std::size_t i = 0; i < sdes->count; ++i) {
      check(again->items[i].ssrc == sdes->items[i].ssrc && again->items[i].cname == sdes->items[i].cname);
    }
  }
  if (const auto bye = RtcpBye::parse(packet)) {
    std::vector<std::uint8_t> copy(bye->reason.begin(), bye->reason.end());
    const auto again = RtcpBye::parse(reparse(bye->build(scratch())));
    check(again && again->count == bye->count &&
          std::string_view(reinterpret_cast<const char*>(copy.data()), copy.size()) == again->reason);
  }
}

void feedback(const RtcpPacket& packet) {
  if (const auto nack = RtcpNack::parse(packet)) {
    std::vector<std::uint16_t> seqs;
    nack->expand(seqs);
    std::vector<NackItem> items;
    for (std::size_t i = 0; i < nack->itemCount(); ++i) {
      items.push_back(nack->item(i));
    }
    const auto again = RtcpNack::parse(reparse(RtcpNack::build(1, 2, items, scratch())));
    std::vector<std::uint16_t> seqsAgain;
    check(again.has_value());
    again->expand(seqsAgain);
    check(seqs == seqsAgain);
    if (!seqs.empty()) {
      (void)RtcpNack::buildFromSeqs(1, 2, seqs, scratch());
    }
  }
  if (const auto pli = RtcpPli::parse(packet)) {
    const auto again = RtcpPli::parse(reparse(pli->build(scratch())));
    check(again && again->mediaSsrc == pli->mediaSsrc);
  }
  if (const auto fir = RtcpFir::parse(packet)) {
    std::vector<FirEntry> entries;
    for (std::size_t i = 0; i < fir->entryCount(); ++i) {
      entries.push_back(fir->entry(i));
    }
    const auto again = RtcpFir::parse(reparse(RtcpFir::build(fir->senderSsrc(), entries, scratch())));
    check(again && again->entryCount() == entries.size());
  }
  if (const auto remb = RtcpRemb::parse(packet)) {
    std::vector<std::uint32_t> ssrcs;
    for (std::size_t i = 0; i < remb->ssrcCount(); ++i) {
      ssrcs.push_back(remb->ssrc(i));
    }
    const auto again = RtcpRemb::parse(reparse(RtcpRemb::build(1, remb->bitrateBps(), ssrcs, scratch())));
    check(again && again->bitrateBps() == remb->bitrateBps() && again->ssrcCount() == ssrcs.size());
  }
  if (const auto twcc = RtcpTransportCc::parse(packet)) {
    std::vector<TwccPacketStatus> statuses;
    twcc->decode(statuses);
    check(statuses.size() == twcc->packetStatusCount());
    const std::size_t n = RtcpTransportCc::build(twcc->senderSsrc(), twcc->mediaSsrc(), twcc->referenceTime(),
                                                 twcc->feedbackPacketCount(), statuses, scratch());
    const auto again = RtcpTransportCc::parse(reparse(n));
    check(again.has_value());
    std::vector<TwccPacketStatus> statusesAgain;
    again->decode(statusesAgain);
    check(statuses == statusesAgain && again->referenceTime() == twcc->referenceTime());
  }
}

void extended(const RtcpPacket& packet) {
  if (const auto xr = RtcpXr::parse(packet)) {
    std::vector<DlrrItem> items;
    for (std::size_t i = 0; i < xr->dlrrCount(); ++i) {
      items.push_back(xr->dlrr(i));
    }
    const auto again = RtcpXr::parse(reparse(RtcpXr::build(xr->senderSsrc(), xr->rrtrNtp(), items, scratch())));
    check(again && again->rrtrNtp() == xr->rrtrNtp() && again->dlrrCount() == items.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  (void)isRtcp(input);
  const bool valid = isValidRtcpCompound(input);
  std::size_t walked = 0;
  RtcpCompoundReader reader(input);
  while (const auto packet = reader.next()) {
    walked += packet->bytes.size();
    check(packet->body.size() + 4 <= packet->bytes.size());
    reports(*packet);
    sdesAndBye(*packet);
    feedback(*packet);
    extended(*packet);
  }
  check(valid == (!reader.malformed() && size > 0));
  check(reader.malformed() || walked == size);
  return 0;
}
