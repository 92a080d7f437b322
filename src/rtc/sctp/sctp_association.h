#pragma once
// Single-threaded (usrsctp_init_nothreads): all calls on one owner thread, which also calls handleTimers(elapsedMs); listener callbacks run on that thread.
//
// An SCTP association for WebRTC data channels (RFC 8831) with DCEP (RFC 8832), over usrsctp
// with an AF_CONN address, so it never touches a socket: SCTP packets leave through
// Listener::onSctpSendPacket and come back through onIncomingPacket. Above it they are DTLS
// application data, but this module knows nothing of DTLS.
//
// Reentrancy: usrsctp calls back into us while holding its own locks, so those callbacks only
// queue work. Listener methods are invoked after usrsctp has returned, from inside the public
// call that caused them (connect, onIncomingPacket, openChannel, send, closeChannel, shutdown,
// handleTimers). A listener may call send/openChannel/closeChannel from a callback; it must
// not destroy the association from one. The span passed to a callback is valid only during it.
//
// usrsctp limitations written down here:
//  - The stack and its timer wheel are process-wide: every association in a process must be
//    used from the same thread, and handleTimers() is static (one call advances them all).
//  - elapsedMs must follow real time. usrsctp fires timers from the ticks we feed it but
//    stamps chunks with gettimeofday() and, on T3 expiry, retransmits only chunks older than
//    the RTO by that clock: feeding ticks faster than the wall clock runs makes T3 count
//    errors without retransmitting until the association is declared lost. (The unit tests
//    shift gettimeofday() along with the ticks; see tests/unit/rtc/sctp.)
//  - Destroying an association aborts it locally without delivering the ABORT chunk (the
//    listener is gone by then); call shutdown() for an orderly close or abort() to tell the
//    peer at once.
//  - A message is handed to usrsctp whole (explicit EOR). When usrsctp's send buffer is full
//    the message waits in our queue (bufferedAmount()) and goes out as SACKs free space; the
//    queue is bounded by kMaxBufferedBytes, beyond which send() returns false.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "rtc/sctp/dcep.h"

struct socket;

namespace huddle::rtc {

// DTLS role of this side: it picks the stream id parity for channels we open (RFC 8832 s6).
enum class SctpRole { Client, Server };

enum class SctpState { New, Connecting, Connected, Closed };

enum class SctpError { SocketSetup, InvalidArgument };

// Payload protocol identifiers (RFC 8831 s8).
enum class SctpPpid : std::uint32_t {
  Dcep = 50,
  String = 51,
  Binary = 53,
  StringEmpty = 56,
  BinaryEmpty = 57,
};

class SctpAssociation final {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // One SCTP packet to carry to the peer (as DTLS application data).
    virtual void onSctpSendPacket(std::span<const std::uint8_t> packet) = 0;
    virtual void onSctpConnected() = 0;
    // The association ended: orderly shutdown, abort by the peer, or too many retransmissions.
    virtual void onSctpClosed() = 0;
    // The peer opened a channel with DCEP OPEN; the ACK has already been queued.
    virtual void onDataChannelOpened(std::uint16_t id, std::string_view label, std::string_view protocol,
                                     const DataChannelReliability& reliability) = 0;
    // The peer acknowledged a channel we opened with DCEP.
    virtual void onDataChannelAcked(std::uint16_t /*id*/) {}
    virtual void onDataChannelMessage(std::uint16_t id, std::span<const std::uint8_t> data, bool binary) = 0;
    // Both directions of the channel's stream were reset, by either side.
    virtual void onDataChannelClosed(std::uint16_t id) = 0;
  };

  struct Config {
    SctpRole role = SctpRole::Client;
    std::uint16_t localPort = 5000;   // a=sctp-port of our SDP
    std::uint16_t remotePort = 5000;  // a=sctp-port of the peer's SDP
    std::size_t maxMessageSize = 65536;  // a=max-message-size, applied to both directions
    std::uint16_t streams = 1024;        // inbound and outbound streams we ask for
    // Largest SCTP packet (common header included) the layer below carries in one piece, e.g.
    // what one DTLS record holds. Path MTU discovery is turned off: the lower layer knows its
    // limit, and usrsctp would otherwise assume 1280 for AF_CONN addresses.
    std::uint16_t pathMtu = 1200;
  };

  // usrsctp refuses path MTUs below 512 octets of chunks, plus our 12-octet common header;
  // create() rejects smaller pathMtu values.
  static constexpr std::uint16_t kMinPathMtu = 512 + 12;

  struct Counters {
    std::uint64_t packetsIn = 0;
    std::uint64_t packetsOut = 0;
    std::uint64_t messagesIn = 0;
    std::uint64_t messagesOut = 0;
    std::uint64_t malformedDcep = 0;     // DCEP payloads that did not parse
    std::uint64_t droppedMessages = 0;   // unknown PPID or stream, oversize, after close
    std::uint64_t sendFailures = 0;      // usrsctp refused the message
  };

  // Bytes we accept beyond what usrsctp's send buffer holds before send() starts refusing.
  static constexpr std::size_t kMaxBufferedBytes = 16 * 1024 * 1024;

  [[nodiscard]] static Result<std::unique_ptr<SctpAssociation>, SctpError> create(const Config& config,
                                                                                  Listener& listener);
  ~SctpAssociation();
  SctpAssociation(const SctpAssociation&) = delete;
  SctpAssociation& operator=(const SctpAssociation&) = delete;

  // Both sides call connect (WebRTC's simultaneous open), once DTLS is up.
  bool connect();
  // One SCTP packet from the peer. Never throws; usrsctp verifies the checksum and drops junk.
  void onIncomingPacket(std::span<const std::uint8_t> packet);
  // Process-wide, see the header comment: advance usrsctp's timers by elapsedMs.
  static void handleTimers(std::uint32_t elapsedMs);

  // Opens a channel and returns its stream id. Without negotiatedId the id is the next free one
  // of our parity and a DCEP OPEN is sent; with it, nothing is sent (both sides open the same
  // id out of band; allowed before the association is up). maxRetransmits makes the channel partially reliable (SCTP_PR_SCTP_RTX).
  std::optional<std::uint16_t> openChannel(std::string_view label, std::string_view protocol, bool ordered = true,
                                           std::optional<std::uint16_t> maxRetransmits = std::nullopt,
                                           std::optional<std::uint16_t> negotiatedId = std::nullopt);
  // Empty messages go out as the PPID for empty payloads with one dummy byte (RFC 8831 s6.6).
  bool send(std::uint16_t id, std::span<const std::uint8_t> data, bool binary);
  // Resets our outgoing stream; onDataChannelClosed fires once the peer resets its side too.
  // Messages for the channel still waiting in our queue are dropped.
  bool closeChannel(std::uint16_t id);
  // Orderly SCTP shutdown; onSctpClosed fires when it completes.
  void shutdown();
  // Immediate close: sends an ABORT to the peer and fires onSctpClosed before returning.
  void abort();

  [[nodiscard]] SctpState state() const { return state_; }
  [[nodiscard]] const Counters& counters() const { return counters_; }
  [[nodiscard]] bool hasChannel(std::uint16_t id) const { return channels_.contains(id); }
  [[nodiscard]] std::size_t maxMessageSize() const { return config_.maxMessageSize; }
  // Bytes accepted by send() but still waiting for room in usrsctp's send buffer.
  [[nodiscard]] std::size_t bufferedAmount() const { return queuedBytes_; }

 private:
  friend class UsrsctpLibrary;
  friend struct UsrsctpCallbacks;
  friend struct UsrsctpOutput;

  struct Channel {
    std::string label;
    std::string protocol;
    DataChannelReliability reliability;
    bool acked = false;         // peer confirmed (or negotiated): unordered sends are allowed
    bool localClosing = false;  // we reset our outgoing stream
    std::vector<std::uint8_t> partial;  // message being reassembled until MSG_EOR
    bool discarding = false;            // partial message overflowed: drop until MSG_EOR
  };

  struct Inbound {
    bool notification = false;
    std::uint16_t stream = 0;
    std::uint32_t ppid = 0;
    bool endOfRecord = false;
    std::vector<std::uint8_t> data;
  };

  struct QueuedMessage {
    std::uint16_t stream = 0;
    SctpPpid ppid = SctpPpid::Binary;
    std::vector<std::uint8_t> data;
    std::size_t offset = 0;  // bytes usrsctp has already taken
    bool unordered = false;
    DataChannelReliability reliability;
  };

  SctpAssociation(const Config& config, Listener& listener);
  bool setUp();

  // Called from usrsctp callbacks: queue only.
  void queueOutgoing(const void* data, std::size_t length);
  void queueInbound(Inbound inbound);

  // Delivers queued work to the listener; loops until nothing is left.
  void flush();
  void handleInbound(Inbound& inbound);
  void handleNotification(std::span<const std::uint8_t> data);
  void handleStreamReset(std::span<const std::uint8_t> data);
  void handleData(Inbound& inbound);
  void handleDcep(std::uint16_t stream, std::span<const std::uint8_t> data);
  void deliverMessage(std::uint16_t stream, std::uint32_t ppid, std::span<const std::uint8_t> data);
  // Bytes usrsctp took (0 when its buffer is full), nullopt on a hard error.
  std::optional<std::size_t> sendRaw(std::uint16_t stream, SctpPpid ppid, std::span<const std::uint8_t> data,
                                     bool unordered, const DataChannelReliability& reliability);
  // Sends now, or queues behind earlier messages when usrsctp's buffer is full.
  bool submit(std::uint16_t stream, SctpPpid ppid, std::span<const std::uint8_t> payload, bool unordered,
              const DataChannelReliability& reliability);
  void sendQueued();
  void requestReset(std::uint16_t stream);
  void dropQueued(std::uint16_t stream);
  void setClosed();
  std::optional<std::uint16_t> nextStreamId() const;

  Config config_;
  Listener& listener_;
  struct socket* socket_ = nullptr;
  SctpState state_ = SctpState::New;
  Counters counters_;
  std::map<std::uint16_t, Channel> channels_;
  std::uint16_t negotiatedOutStreams_ = 0;

  std::vector<std::vector<std::uint8_t>> outgoing_;
  std::vector<Inbound> inbound_;
  std::vector<std::uint16_t> pendingResets_;
  // Without I-DATA (RFC 8260) usrsctp never interleaves partial messages, so one buffer
  // serves every stream that has no channel yet.
  std::vector<std::uint8_t> orphanPartial_;
  std::deque<QueuedMessage> sendQueue_;
  std::size_t queuedBytes_ = 0;
  bool flushing_ = false;
};

}  // namespace huddle::rtc
