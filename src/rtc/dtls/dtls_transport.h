#pragma once
// Single-threaded: runs on the owning worker's io_context; no locks; other threads post().
//
// DTLS 1.2 for one WebRTC peer connection (RFC 8827 / RFC 5764), over no socket at all: the
// owner feeds datagrams in with onIncomingData(), receives datagrams to send through the
// Listener, and drives retransmission by calling handleTimeout() when nextTimeout() elapses.

#include "common/result.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/dtls/dtls_record.h"
#include "rtc/dtls/errors.h"
#include "rtc/dtls/openssl_library.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace huddle::rtc {

// a=setup:active makes this side the DTLS client; passive (or actpass answered) the server.
enum class DtlsRole { Client, Server };

enum class DtlsState { New, Connecting, Connected, Failed, Closed };

// The use_srtp profiles we offer (RFC 5764); transport/ maps them to srtp/'s SrtpProfile.
enum class DtlsSrtpProfile {
  AeadAes128Gcm,    // RFC 7714, key 16 + salt 12
  Aes128CmSha1_80,  // RFC 3711, key 16 + salt 14
};

// Master keys and salts exported from the handshake (RFC 5764 section 4.2), already split so
// that "local" protects what we send and "remote" unprotects what we receive.
struct SrtpKeyingMaterial {
  std::vector<std::uint8_t> localKey;
  std::vector<std::uint8_t> localSalt;
  std::vector<std::uint8_t> remoteKey;
  std::vector<std::uint8_t> remoteSalt;
};

[[nodiscard]] std::string_view toString(DtlsState state);
[[nodiscard]] std::string_view toString(DtlsSrtpProfile profile);

class DtlsTransport final {
 public:
  // Callbacks run synchronously inside start(), onIncomingData(), sendApplicationData(),
  // handleTimeout() and close(). A callee may call sendApplicationData() or close() on this
  // transport, but must not destroy it (post() the destruction) and must not feed it input.
  class Listener {
   public:
    virtual ~Listener() = default;
    // One DTLS datagram (one or more records) to put on the wire; the span dies on return.
    virtual void onDtlsSendData(DtlsTransport& transport,
                                std::span<const std::uint8_t> datagram) = 0;
    virtual void onDtlsConnected(DtlsTransport& transport, DtlsRole role, DtlsSrtpProfile profile,
                                 const SrtpKeyingMaterial& keys) = 0;
    // Decrypted application data (SCTP packets); the span dies on return.
    virtual void onDtlsApplicationData(DtlsTransport& transport,
                                       std::span<const std::uint8_t> data) = 0;
    virtual void onDtlsFailed(DtlsTransport& transport, std::string_view reason) = 0;
    // The peer sent close_notify.
    virtual void onDtlsClosed(DtlsTransport& transport) = 0;
  };

  struct Config {
    DtlsRole role = DtlsRole::Server;
    // From the remote SDP's a=fingerprint; the peer's certificate must hash to it.
    DtlsFingerprint remoteFingerprint;
    // Largest datagram OpenSSL may produce: fits a 1280-byte IPv6 path after UDP/IP and TURN.
    std::uint16_t mtu = 1200;
    // Retransmission timer: starts here and doubles per timeout up to the maximum. OpenSSL
    // gives up after 12 timeouts of one flight. OpenSSL keeps the deadline in real time and
    // treats a timer with under 15 ms left as expired, so a timer fires 15 ms early and values
    // at or below 15 ms are raised to 16 ms (shorter ones would retransmit on every read).
    std::chrono::milliseconds initialRetransmitTimeout{100};
    std::chrono::milliseconds maxRetransmitTimeout{3000};
    // Offered (client) or accepted (server) in order of preference; must not be empty.
    std::vector<DtlsSrtpProfile> srtpProfiles = {DtlsSrtpProfile::AeadAes128Gcm,
                                             DtlsSrtpProfile::Aes128CmSha1_80};
  };

  // Drops and events, for metrics and tests.
  struct Stats {
    std::uint64_t datagramsReceived = 0;
    std::uint64_t datagramsDroppedNotDtls = 0;    // first byte outside 20..63, or empty
    std::uint64_t datagramsDroppedMalformed = 0;  // record headers do not tile the datagram
    std::uint64_t datagramsDroppedState = 0;      // arrived before start() or after the end
    std::uint64_t datagramsSent = 0;
    std::uint64_t retransmitTimeouts = 0;  // handleTimeout() calls that fired
  };

  // Fails only when OpenSSL rejects the configuration.
  [[nodiscard]] static Result<std::unique_ptr<DtlsTransport>, DtlsError> create(
      std::shared_ptr<const DtlsCertificate> certificate, const Config& config, Listener& listener);

  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;
  ~DtlsTransport();

  // Client: sends the ClientHello. Server: starts accepting. Only valid in state New.
  void start();
  // One datagram from the network. Never throws; junk is dropped and counted in stats().
  void onIncomingData(std::span<const std::uint8_t> datagram);
  // One record of application data (an SCTP packet). False means dropped: not connected, or
  // larger than what fits one datagram.
  [[nodiscard]] bool sendApplicationData(std::span<const std::uint8_t> data);
  // Retransmits the last flight if OpenSSL's timer has expired; fails the transport when the
  // retransmission budget is spent.
  void handleTimeout();
  // Time until handleTimeout() should run, or nullopt when no retransmission is pending.
  [[nodiscard]] std::optional<std::chrono::microseconds> nextTimeout() const;
  // Sends close_notify if connected; the state becomes Closed (onDtlsClosed is not called).
  void close();

  [[nodiscard]] DtlsRole role() const { return config_.role; }
  [[nodiscard]] DtlsState state() const { return state_; }
  [[nodiscard]] const Stats& stats() const { return stats_; }
  // Why the transport failed (empty unless state() == Failed).
  [[nodiscard]] const std::string& failureReason() const { return failureReason_; }
  // Largest payload sendApplicationData() accepts (0 until connected).
  [[nodiscard]] std::size_t maxApplicationDataSize() const;

  [[nodiscard]] static bool isDtlsRecord(std::span<const std::uint8_t> datagram) {
    return rtc::isDtlsRecord(datagram);
  }

 private:
  struct Callbacks;  // the C callbacks OpenSSL calls, with access to our members

  DtlsTransport(std::shared_ptr<const DtlsCertificate> certificate, const Config& config,
                Listener& listener);
  [[nodiscard]] std::optional<std::string> setUp();

  void continueHandshake();
  void onHandshakeComplete();
  void readApplicationData();
  void flushOutgoing();
  void fail(std::string reason);
  [[nodiscard]] std::string describeSslError(int error, std::string_view during);
  [[nodiscard]] unsigned int nextTimerDurationUs(unsigned int previousUs) const;

  Config config_;
  std::shared_ptr<const DtlsCertificate> certificate_;
  // borrowed: outlives this
  Listener& listener_;

  detail::SslCtxPtr ctx_;
  detail::SslPtr ssl_;  // owns both BIOs
  bio_st* inBio_ = nullptr;

  DtlsState state_ = DtlsState::New;
  std::string failureReason_;
  // Set by the verify callback; reported instead of OpenSSL's generic "certificate verify failed".
  std::string verifyFailure_;
  // Last fatal alert the peer sent, for the failure reason.
  std::string peerAlert_;
  bool peerFingerprintVerified_ = false;
  // Datagrams OpenSSL wrote during the current call; handed to the listener after it returns so
  // that the listener never runs inside OpenSSL.
  std::vector<std::vector<std::uint8_t>> outgoing_;
  std::vector<std::uint8_t> readBuffer_;
  Stats stats_;
};

}  // namespace huddle::rtc
