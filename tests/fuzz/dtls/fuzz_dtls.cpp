// libFuzzer target: arbitrary bytes as one datagram (or, after a leading 0x00, as length-prefixed
// datagrams) into a fresh server-role DtlsTransport, and through the record walker. Checks that
// network input never crashes, leaks or throws.

#include "common/log.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/dtls/dtls_record.h"
#include "rtc/dtls/dtls_transport.h"
#include "rtc/dtls/openssl_library.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>

namespace {

using huddle::rtc::DtlsCertificate;
using huddle::rtc::DtlsRecordView;
using huddle::rtc::DtlsRole;
using huddle::rtc::DtlsTransport;
using huddle::rtc::SrtpKeyingMaterial;
using huddle::rtc::DtlsSrtpProfile;

struct SinkListener final : DtlsTransport::Listener {
  std::size_t bytesOut = 0;
  void onDtlsSendData(DtlsTransport&, std::span<const std::uint8_t> datagram) override {
    bytesOut += datagram.size();
  }
  void onDtlsConnected(DtlsTransport&, DtlsRole, DtlsSrtpProfile, const SrtpKeyingMaterial&) override {
    // A forged handshake cannot pass the fingerprint check.
    std::abort();
  }
  void onDtlsApplicationData(DtlsTransport&, std::span<const std::uint8_t>) override {
    std::abort();
  }
  void onDtlsFailed(DtlsTransport&, std::string_view) override {}
  void onDtlsClosed(DtlsTransport&) override {}
};

const std::shared_ptr<const DtlsCertificate>& certificate() {
  static const std::shared_ptr<const DtlsCertificate> cert = [] {
    huddle::rtc::OpenSslLibrary::init();
    // Every rejected input fails a transport, which logs a warning: far too slow to print.
    huddle::log::setLevel(huddle::log::Level::Off);
    auto generated = DtlsCertificate::generate();
    if (!generated.ok()) std::abort();
    return std::move(generated).value();
  }();
  return cert;
}

std::uint64_t walkRecords(std::span<const std::uint8_t> bytes) {
  std::uint64_t sum = 0;
  while (const auto record = DtlsRecordView::parse(bytes)) {
    sum += static_cast<std::uint64_t>(record->contentType()) + record->version() + record->epoch() +
           record->sequenceNumber() + record->length();
    if (!record->fragment().empty()) sum += record->fragment().front();
    bytes = bytes.subspan(record->size());
  }
  return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  volatile std::uint64_t sink = walkRecords(input);
  sink = sink + (DtlsRecordView::countRecords(input).value_or(0));
  (void)DtlsTransport::isDtlsRecord(input);

  SinkListener listener;
  DtlsTransport::Config config;
  config.role = DtlsRole::Server;
  // Not the certificate of anyone the fuzzer can impersonate.
  config.remoteFingerprint.digest.fill(0x42);
  auto created = DtlsTransport::create(certificate(), config, listener);
  if (!created.ok()) std::abort();
  DtlsTransport& transport = *created.value();
  transport.start();
  if (!input.empty() && input[0] == 0x00) {
    // A leading zero (never DTLS) switches to a sequence of datagrams, each prefixed by a
    // big-endian 16-bit length, to reach reassembly of handshake messages split over datagrams.
    std::span<const std::uint8_t> rest = input.subspan(1);
    while (rest.size() >= 2) {
      const std::size_t length =
          std::min<std::size_t>((std::size_t{rest[0]} << 8) | rest[1], rest.size() - 2);
      transport.onIncomingData(rest.subspan(2, length));
      rest = rest.subspan(2 + length);
    }
  } else {
    transport.onIncomingData(input);
    // The same bytes again exercise retransmission and replay handling.
    transport.onIncomingData(input);
  }
  (void)transport.nextTimeout();
  transport.handleTimeout();
  (void)transport.sendApplicationData(input);
  transport.close();
  return 0;
}
