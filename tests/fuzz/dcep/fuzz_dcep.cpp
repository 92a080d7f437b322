// libFuzzer target for the DCEP codec (RFC 8832), plus the same bytes fed to an association.
// Properties: parsing never crashes; anything that parses rebuilds to the identical bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include "rtc/sctp/dcep.h"
#include "rtc/sctp/sctp_association.h"

namespace {

class NullListener final : public huddle::rtc::SctpAssociation::Listener {
 public:
  void onSctpSendPacket(std::span<const std::uint8_t>) override {}
  void onSctpConnected() override {}
  void onSctpClosed() override {}
  void onDataChannelOpened(std::uint16_t, std::string_view, std::string_view,
                           const huddle::rtc::DataChannelReliability&) override {}
  void onDataChannelMessage(std::uint16_t, std::span<const std::uint8_t>, bool) override {}
  void onDataChannelClosed(std::uint16_t) override {}
};

// One association for the whole run: usrsctp init/finish per input would dominate the time.
// Raw fuzz bytes mostly fail usrsctp's CRC32c check; this exercises our never-throw input path.
huddle::rtc::SctpAssociation& association() {
  static NullListener listener;
  static std::unique_ptr<huddle::rtc::SctpAssociation> instance = [] {
    auto created = huddle::rtc::SctpAssociation::create({}, listener);
    if (!created.ok()) std::abort();
    auto owned = std::move(created).value();
    owned->connect();
    return owned;
  }();
  return *instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);

  const auto type = huddle::rtc::dcepMessageType(bytes);
  if (const auto open = huddle::rtc::parseDcepOpen(bytes)) {
    if (type != huddle::rtc::DcepMessageType::Open) std::abort();
    const std::vector<std::uint8_t> rebuilt = huddle::rtc::buildDcepOpen(*open);
    if (rebuilt.size() != size || !std::equal(rebuilt.begin(), rebuilt.end(), bytes.begin())) std::abort();
  }
  if (huddle::rtc::parseDcepAck(bytes)) {
    if (huddle::rtc::buildDcepAck() != std::vector<std::uint8_t>(bytes.begin(), bytes.end())) std::abort();
  }

  association().onIncomingPacket(bytes);
  return 0;
}
