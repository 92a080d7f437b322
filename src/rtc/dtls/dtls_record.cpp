#include "rtc/dtls/dtls_record.h"

namespace huddle::rtc {

std::optional<DtlsRecordView> DtlsRecordView::parse(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kHeaderSize) return std::nullopt;
  const std::uint8_t type = bytes[0];
  if (type < static_cast<std::uint8_t>(DtlsContentType::ChangeCipherSpec) ||
      type > static_cast<std::uint8_t>(DtlsContentType::Heartbeat)) {
    return std::nullopt;
  }
  if (bytes[1] != 0xfe) return std::nullopt;
  const std::size_t length = (std::size_t{bytes[11]} << 8) | bytes[12];
  if (length > bytes.size() - kHeaderSize) return std::nullopt;

  DtlsRecordView view;
  view.contentType_ = static_cast<DtlsContentType>(type);
  view.version_ = static_cast<std::uint16_t>((bytes[1] << 8) | bytes[2]);
  view.epoch_ = static_cast<std::uint16_t>((bytes[3] << 8) | bytes[4]);
  for (std::size_t i = 5; i < 11; ++i)
    view.sequenceNumber_ = (view.sequenceNumber_ << 8) | bytes[i];
  view.fragment_ = bytes.subspan(kHeaderSize, length);
  return view;
}

std::optional<std::size_t> DtlsRecordView::countRecords(std::span<const std::uint8_t> datagram) {
  if (datagram.empty()) return std::nullopt;
  std::size_t count = 0;
  while (!datagram.empty()) {
    const auto record = parse(datagram);
    if (!record) return std::nullopt;
    datagram = datagram.subspan(record->size());
    ++count;
  }
  return count;
}

}  // namespace huddle::rtc
