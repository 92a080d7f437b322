#include "rtc/sctp/sctp_association.h"

#include <usrsctp.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "common/log.h"
#include "rtc/sctp/usrsctp_library.h"

namespace huddle::rtc {
namespace {

// Socket buffers large enough for several max-size messages in flight each way.
constexpr int kSocketBufferBytes = 1024 * 1024;

// Source port, destination port, verification tag, checksum (RFC 9260 s3.1).
constexpr std::uint32_t kSctpCommonHeaderSize = 12;

// RFC 8831 s6.6: SCTP cannot carry an empty user message, so one byte stands in for it.
constexpr std::uint8_t kEmptyMessagePlaceholder = 0;

template <typename T>
bool setOption(struct socket* sock, int level, int name, const T& value) {
  return usrsctp_setsockopt(sock, level, name, &value, static_cast<socklen_t>(sizeof(value))) == 0;
}

}  // namespace

// usrsctp's receive callback; ulp_info is the association. It owns `data` (malloc'd by usrsctp).
struct UsrsctpCallbacks {
  static int receive(struct socket* /*sock*/, union sctp_sockstore /*addr*/, void* data, std::size_t length,
                     struct sctp_rcvinfo info, int flags, void* ulpInfo) {
    auto* association = static_cast<SctpAssociation*>(ulpInfo);
    if (data != nullptr && association != nullptr && UsrsctpLibrary::isRegistered(association)) {
      SctpAssociation::Inbound inbound;
      inbound.notification = (flags & MSG_NOTIFICATION) != 0;
      inbound.stream = info.rcv_sid;
      inbound.ppid = ntohl(info.rcv_ppid);
      inbound.endOfRecord = (flags & MSG_EOR) != 0;
      const auto* bytes = static_cast<const std::uint8_t*>(data);
      inbound.data.assign(bytes, bytes + length);
      association->queueInbound(std::move(inbound));
    }
    std::free(data);  // NOLINT: usrsctp allocates with malloc and hands ownership to us
    return 1;
  }
};

Result<std::unique_ptr<SctpAssociation>, SctpError> SctpAssociation::create(const Config& config,
                                                                            Listener& listener) {
  if (config.maxMessageSize == 0 || config.streams == 0) {
    return Error{SctpError::InvalidArgument, "maxMessageSize and streams must be positive"};
  }
  if (config.pathMtu < kMinPathMtu) {
    return Error{SctpError::InvalidArgument, "pathMtu below " + std::to_string(kMinPathMtu)};
  }
  std::unique_ptr<SctpAssociation> association(new SctpAssociation(config, listener));
  if (!association->setUp()) {
    return Error{SctpError::SocketSetup, "usrsctp socket setup failed errno=" + std::to_string(errno)};
  }
  return association;
}

SctpAssociation::SctpAssociation(const Config& config, Listener& listener) : config_(config), listener_(listener) {
  UsrsctpLibrary::acquire();
  UsrsctpLibrary::registerAssociation(this);
  usrsctp_register_address(this);
}

SctpAssociation::~SctpAssociation() {
  // Unregister first: whatever usrsctp emits while closing has nobody to go to.
  UsrsctpLibrary::unregisterAssociation(this);
  if (socket_ != nullptr) {
    usrsctp_close(socket_);
    socket_ = nullptr;
  }
  usrsctp_deregister_address(this);
  UsrsctpLibrary::release();
}

bool SctpAssociation::setUp() {
  socket_ = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, &UsrsctpCallbacks::receive, nullptr, 0, this);
  if (socket_ == nullptr) return false;
  if (usrsctp_set_non_blocking(socket_, 1) != 0) return false;

  // Abort rather than linger on close: the destructor cannot wait for a graceful shutdown.
  struct linger lingerOption {};
  lingerOption.l_onoff = 1;
  lingerOption.l_linger = 0;
  if (!setOption(socket_, SOL_SOCKET, SO_LINGER, lingerOption)) return false;
  if (!setOption(socket_, SOL_SOCKET, SO_RCVBUF, kSocketBufferBytes)) return false;
  if (!setOption(socket_, SOL_SOCKET, SO_SNDBUF, kSocketBufferBytes)) return false;

  struct sctp_assoc_value resetValue {};
  resetValue.assoc_id = SCTP_ALL_ASSOC;
  resetValue.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ;
  if (!setOption(socket_, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, resetValue)) return false;

  const int on = 1;
  if (!setOption(socket_, IPPROTO_SCTP, SCTP_RECVRCVINFO, on)) return false;
  if (!setOption(socket_, IPPROTO_SCTP, SCTP_EXPLICIT_EOR, on)) return false;
  // Data channel messages are latency sensitive and already sized by the application.
  if (!setOption(socket_, IPPROTO_SCTP, SCTP_NODELAY, on)) return false;

  for (const std::uint16_t type :
       {SCTP_ASSOC_CHANGE, SCTP_STREAM_RESET_EVENT, SCTP_SEND_FAILED_EVENT, SCTP_PARTIAL_DELIVERY_EVENT}) {
    struct sctp_event event {};
    event.se_assoc_id = SCTP_ALL_ASSOC;
    event.se_type = type;
    event.se_on = 1;
    if (!setOption(socket_, IPPROTO_SCTP, SCTP_EVENT, event)) return false;
  }

  struct sctp_initmsg init {};
  init.sinit_num_ostreams = config_.streams;
  init.sinit_max_instreams = config_.streams;
  if (!setOption(socket_, IPPROTO_SCTP, SCTP_INITMSG, init)) return false;

  struct sockaddr_conn local {};
  local.sconn_family = AF_CONN;
  local.sconn_port = htons(config_.localPort);
  local.sconn_addr = this;
  return usrsctp_bind(socket_, reinterpret_cast<struct sockaddr*>(&local), sizeof(local)) == 0;
}

bool SctpAssociation::connect() {
  if (state_ != SctpState::New || socket_ == nullptr) return false;
  struct sockaddr_conn remote {};
  remote.sconn_family = AF_CONN;
  remote.sconn_port = htons(config_.remotePort);
  remote.sconn_addr = this;
  const int rc = usrsctp_connect(socket_, reinterpret_cast<struct sockaddr*>(&remote), sizeof(remote));
  if (rc != 0 && errno != EINPROGRESS) {
    HUDDLE_LOG_WARN(sctp, "usrsctp_connect failed errno={}", errno);
    setClosed();
    flush();
    return false;
  }
  // usrsctp only keeps per-path parameters once the association (and so its path) exists; its
  // INIT went out already but is far below any allowed pathMtu.
  struct sctp_paddrparams params {};
  std::memcpy(&params.spp_address, &remote, sizeof(remote));
  params.spp_flags = SPP_PMTUD_DISABLE;
  // For AF_CONN usrsctp sizes the chunks to spp_pathmtu and then prepends the 12-octet common
  // header (there is no IP header to account for), so the header comes off our budget here.
  params.spp_pathmtu = config_.pathMtu - kSctpCommonHeaderSize;
  if (!setOption(socket_, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, params)) {
    HUDDLE_LOG_WARN(sctp, "SCTP_PEER_ADDR_PARAMS pathmtu={} failed errno={}", config_.pathMtu, errno);
    setClosed();
    flush();
    return false;
  }
  state_ = SctpState::Connecting;
  flush();
  return true;
}

void SctpAssociation::onIncomingPacket(std::span<const std::uint8_t> packet) {
  if (packet.empty() || state_ == SctpState::Closed) {
    ++counters_.droppedMessages;
    return;
  }
  ++counters_.packetsIn;
  usrsctp_conninput(this, packet.data(), packet.size(), 0);
  flush();
}

void SctpAssociation::handleTimers(std::uint32_t elapsedMs) { UsrsctpLibrary::handleTimers(elapsedMs); }

std::optional<std::uint16_t> SctpAssociation::nextStreamId() const {
  const std::uint16_t limit = negotiatedOutStreams_ != 0 ? negotiatedOutStreams_ : config_.streams;
  for (std::uint32_t id = config_.role == SctpRole::Client ? 0 : 1; id < limit; id += 2) {
    if (!channels_.contains(static_cast<std::uint16_t>(id))) return static_cast<std::uint16_t>(id);
  }
  return std::nullopt;
}

std::optional<std::uint16_t> SctpAssociation::openChannel(std::string_view label, std::string_view protocol,
                                                          bool ordered, std::optional<std::uint16_t> maxRetransmits,
                                                          std::optional<std::uint16_t> negotiatedId) {
  // DCEP needs the association up; a negotiated channel may be declared before.
  if (state_ == SctpState::Closed || (!negotiatedId && state_ != SctpState::Connected)) return std::nullopt;
  const std::optional<std::uint16_t> id = negotiatedId ? negotiatedId : nextStreamId();
  if (!id || *id >= config_.streams || channels_.contains(*id)) return std::nullopt;

  Channel channel;
  channel.label = std::string(label);
  channel.protocol = std::string(protocol);
  channel.reliability.ordered = ordered;
  if (maxRetransmits) {
    channel.reliability.kind = DataChannelKind::PartialReliableRexmit;
    channel.reliability.parameter = *maxRetransmits;
  }
  channel.acked = negotiatedId.has_value();

  if (!negotiatedId) {
    DcepOpen open;
    open.reliability = channel.reliability;
    open.label = channel.label;
    open.protocol = channel.protocol;
    const std::vector<std::uint8_t> message = buildDcepOpen(open);
    if (message.empty()) return std::nullopt;
    // DCEP travels reliably and in order on the channel's own stream (RFC 8832 s6).
    if (!submit(*id, SctpPpid::Dcep, message, false, DataChannelReliability{})) {
      flush();
      return std::nullopt;
    }
  }
  channels_.emplace(*id, std::move(channel));
  flush();
  return id;
}

bool SctpAssociation::send(std::uint16_t id, std::span<const std::uint8_t> data, bool binary) {
  const auto it = channels_.find(id);
  if (state_ != SctpState::Connected || it == channels_.end() || it->second.localClosing ||
      data.size() > config_.maxMessageSize) {
    ++counters_.sendFailures;
    return false;
  }
  const Channel& channel = it->second;
  SctpPpid ppid = binary ? SctpPpid::Binary : SctpPpid::String;
  std::span<const std::uint8_t> payload = data;
  if (data.empty()) {
    ppid = binary ? SctpPpid::BinaryEmpty : SctpPpid::StringEmpty;
    payload = std::span<const std::uint8_t>(&kEmptyMessagePlaceholder, 1);
  }
  // Until the ACK arrives, messages must stay ordered behind the OPEN (RFC 8832 s6).
  const bool unordered = !channel.reliability.ordered && channel.acked;

  const bool accepted = submit(id, ppid, payload, unordered, channel.reliability);
  flush();
  return accepted;
}

bool SctpAssociation::submit(std::uint16_t stream, SctpPpid ppid, std::span<const std::uint8_t> payload,
                             bool unordered, const DataChannelReliability& reliability) {
  // Anything already queued goes first, or messages would overtake each other.
  std::size_t accepted = 0;
  if (sendQueue_.empty()) {
    const std::optional<std::size_t> result = sendRaw(stream, ppid, payload, unordered, reliability);
    if (!result) return false;
    accepted = *result;
    if (accepted == payload.size()) {
      if (ppid != SctpPpid::Dcep) ++counters_.messagesOut;
      return true;
    }
  }
  const std::size_t remaining = payload.size() - accepted;
  // A message usrsctp took in part must be completed, whatever the queue limit says.
  if (accepted == 0 && queuedBytes_ + remaining > kMaxBufferedBytes) {
    ++counters_.sendFailures;
    return false;
  }
  sendQueue_.push_back({stream, ppid, std::vector<std::uint8_t>(payload.begin(), payload.end()), accepted,
                        unordered, reliability});
  queuedBytes_ += remaining;
  return true;
}

void SctpAssociation::sendQueued() {
  while (!sendQueue_.empty() && state_ == SctpState::Connected) {
    QueuedMessage& head = sendQueue_.front();
    const std::span<const std::uint8_t> rest = std::span<const std::uint8_t>(head.data).subspan(head.offset);
    const std::optional<std::size_t> accepted = sendRaw(head.stream, head.ppid, rest, head.unordered, head.reliability);
    if (accepted && *accepted < rest.size()) {
      head.offset += *accepted;
      queuedBytes_ -= *accepted;
      return;  // usrsctp's buffer is full again
    }
    if (accepted && head.ppid != SctpPpid::Dcep) ++counters_.messagesOut;
    queuedBytes_ -= rest.size();
    sendQueue_.pop_front();
  }
}

std::optional<std::size_t> SctpAssociation::sendRaw(std::uint16_t stream, SctpPpid ppid,
                                                    std::span<const std::uint8_t> data, bool unordered,
                                                    const DataChannelReliability& reliability) {
  if (socket_ == nullptr) return std::nullopt;  // aborted
  struct sctp_sendv_spa spa {};
  spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
  spa.sendv_sndinfo.snd_sid = stream;
  spa.sendv_sndinfo.snd_ppid = htonl(static_cast<std::uint32_t>(ppid));
  // With SCTP_EXPLICIT_EOR usrsctp may take only part of a message when its buffer is nearly
  // full; the message stays open until a later send carrying SCTP_EOR delivers the rest.
  spa.sendv_sndinfo.snd_flags = SCTP_EOR;
  if (unordered) spa.sendv_sndinfo.snd_flags |= SCTP_UNORDERED;
  if (reliability.kind != DataChannelKind::Reliable) {
    spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
    spa.sendv_prinfo.pr_policy =
        reliability.kind == DataChannelKind::PartialReliableRexmit ? SCTP_PR_SCTP_RTX : SCTP_PR_SCTP_TTL;
    spa.sendv_prinfo.pr_value = reliability.parameter;
  }
  const ssize_t rc = usrsctp_sendv(socket_, data.data(), data.size(), nullptr, 0, &spa,
                                   static_cast<socklen_t>(sizeof(spa)), SCTP_SENDV_SPA, 0);
  if (rc >= 0) return static_cast<std::size_t>(rc);
  if (errno == EWOULDBLOCK || errno == EAGAIN) return 0;
  HUDDLE_LOG_DEBUG(sctp, "usrsctp_sendv failed stream={} size={} errno={}", stream, data.size(), errno);
  ++counters_.sendFailures;
  return std::nullopt;
}

bool SctpAssociation::closeChannel(std::uint16_t id) {
  const auto it = channels_.find(id);
  if (it == channels_.end() || it->second.localClosing) return false;
  it->second.localClosing = true;
  dropQueued(id);
  requestReset(id);
  flush();
  return true;
}

void SctpAssociation::dropQueued(std::uint16_t stream) {
  for (auto queued = sendQueue_.begin(); queued != sendQueue_.end();) {
    // A message usrsctp already holds part of stays at the head: it must be completed.
    if (queued->stream == stream && (queued->offset == 0 || queued != sendQueue_.begin())) {
      queuedBytes_ -= queued->data.size() - queued->offset;
      ++counters_.sendFailures;
      queued = sendQueue_.erase(queued);
    } else {
      ++queued;
    }
  }
}

void SctpAssociation::requestReset(std::uint16_t stream) {
  if (std::find(pendingResets_.begin(), pendingResets_.end(), stream) == pendingResets_.end()) {
    pendingResets_.push_back(stream);
  }
  if (state_ != SctpState::Connected || socket_ == nullptr) return;
  // sctp_reset_streams ends in a flexible array; build it in a byte buffer of the right size.
  const std::size_t size = sizeof(struct sctp_reset_streams) + pendingResets_.size() * sizeof(std::uint16_t);
  std::vector<std::uint8_t> buffer(size);
  struct sctp_reset_streams header {};
  header.srs_assoc_id = SCTP_ALL_ASSOC;
  header.srs_flags = SCTP_STREAM_RESET_OUTGOING;
  header.srs_number_streams = static_cast<std::uint16_t>(pendingResets_.size());
  std::memcpy(buffer.data(), &header, sizeof(header));
  std::memcpy(buffer.data() + sizeof(header), pendingResets_.data(), pendingResets_.size() * sizeof(std::uint16_t));
  if (usrsctp_setsockopt(socket_, IPPROTO_SCTP, SCTP_RESET_STREAMS, buffer.data(),
                         static_cast<socklen_t>(buffer.size())) == 0) {
    pendingResets_.clear();
  }
  // Otherwise a reset is already in flight (EALREADY/EBUSY): retried on the next reset event.
}

void SctpAssociation::shutdown() {
  if (state_ == SctpState::Closed || socket_ == nullptr) return;
  if (state_ == SctpState::New) {
    setClosed();
  } else if (usrsctp_shutdown(socket_, SHUT_WR) != 0) {
    HUDDLE_LOG_DEBUG(sctp, "usrsctp_shutdown failed errno={}", errno);
  }
  flush();
}

void SctpAssociation::abort() {
  if (socket_ == nullptr) return;
  // SO_LINGER {1, 0} turns close into an ABORT; we are still registered, so it reaches the wire.
  usrsctp_close(socket_);
  socket_ = nullptr;
  sendQueue_.clear();
  queuedBytes_ = 0;
  setClosed();
  flush();
}

void SctpAssociation::setClosed() {
  if (state_ == SctpState::Closed) return;
  state_ = SctpState::Closed;
  listener_.onSctpClosed();
}

void SctpAssociation::queueOutgoing(const void* data, std::size_t length) {
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  outgoing_.emplace_back(bytes, bytes + length);
}

void SctpAssociation::queueInbound(Inbound inbound) { inbound_.push_back(std::move(inbound)); }

void SctpAssociation::flush() {
  if (flushing_) return;  // a listener called us back; the outer loop picks up the new work
  flushing_ = true;
  do {
    std::vector<Inbound> inbound = std::exchange(inbound_, {});
    for (Inbound& item : inbound) handleInbound(item);
    // Whatever just arrived (SACKs above all) may have freed send buffer space.
    sendQueued();
    std::vector<std::vector<std::uint8_t>> outgoing = std::exchange(outgoing_, {});
    for (const std::vector<std::uint8_t>& packet : outgoing) {
      ++counters_.packetsOut;
      listener_.onSctpSendPacket(packet);
    }
  } while (!outgoing_.empty() || !inbound_.empty());
  flushing_ = false;
}

void SctpAssociation::handleInbound(Inbound& inbound) {
  if (inbound.notification) {
    handleNotification(inbound.data);
  } else {
    handleData(inbound);
  }
}

void SctpAssociation::handleNotification(std::span<const std::uint8_t> data) {
  union sctp_notification notification {};
  if (data.size() < sizeof(notification.sn_header)) return;
  std::memcpy(&notification, data.data(), std::min(data.size(), sizeof(notification)));
  switch (notification.sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE: {
      if (data.size() < sizeof(struct sctp_assoc_change)) return;
      const struct sctp_assoc_change& change = notification.sn_assoc_change;
      if (change.sac_state == SCTP_COMM_UP || change.sac_state == SCTP_RESTART) {
        negotiatedOutStreams_ = change.sac_outbound_streams;
        if (state_ != SctpState::Connected && state_ != SctpState::Closed) {
          state_ = SctpState::Connected;
          listener_.onSctpConnected();
          if (!pendingResets_.empty()) requestReset(pendingResets_.front());
        }
      } else if (change.sac_state == SCTP_COMM_LOST || change.sac_state == SCTP_SHUTDOWN_COMP ||
                 change.sac_state == SCTP_CANT_STR_ASSOC) {
        setClosed();
      }
      break;
    }
    case SCTP_STREAM_RESET_EVENT:
      handleStreamReset(data);
      break;
    case SCTP_PARTIAL_DELIVERY_EVENT: {
      // An abandoned (partially reliable) message stopped halfway: drop what we buffered.
      if (data.size() < sizeof(struct sctp_pdapi_event)) return;
      const struct sctp_pdapi_event& pdapi = notification.sn_pdapi_event;
      if (pdapi.pdapi_indication != SCTP_PARTIAL_DELIVERY_ABORTED || pdapi.pdapi_stream > 0xffff) return;
      const auto it = channels_.find(static_cast<std::uint16_t>(pdapi.pdapi_stream));
      if (it != channels_.end()) {
        if (!it->second.partial.empty() || it->second.discarding) ++counters_.droppedMessages;
        it->second.partial.clear();
        it->second.discarding = false;
      }
      orphanPartial_.clear();
      break;
    }
    case SCTP_SEND_FAILED_EVENT:
      // Expected for partially reliable channels: abandoned messages are reported here.
      HUDDLE_LOG_TRACE(sctp, "send failed event");
      break;
    default:
      break;
  }
}

void SctpAssociation::handleStreamReset(std::span<const std::uint8_t> data) {
  struct sctp_stream_reset_event header {};
  if (data.size() < sizeof(header)) return;
  std::memcpy(&header, data.data(), sizeof(header));
  const std::size_t length = std::min<std::size_t>(header.strreset_length, data.size());
  const std::size_t count = length > sizeof(header) ? (length - sizeof(header)) / sizeof(std::uint16_t) : 0;
  const bool failed = (header.strreset_flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)) != 0;

  for (std::size_t i = 0; i < count; ++i) {
    std::uint16_t stream = 0;
    std::memcpy(&stream, data.data() + sizeof(header) + i * sizeof(std::uint16_t), sizeof(stream));
    if (failed) continue;
    if ((header.strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN) != 0) {
      // The peer reset its outgoing side: reset ours too if we have not, then the channel is gone.
      const auto it = channels_.find(stream);
      if (it == channels_.end()) continue;
      const bool weStarted = it->second.localClosing;
      channels_.erase(it);
      if (!weStarted) {
        dropQueued(stream);
        requestReset(stream);
      }
      listener_.onDataChannelClosed(stream);
    }
  }
  // A reset finished (or failed): send any resets that had to wait for it.
  if (!pendingResets_.empty()) requestReset(pendingResets_.front());
}

void SctpAssociation::handleData(Inbound& inbound) {
  const auto it = channels_.find(inbound.stream);
  const bool isDcep = inbound.ppid == static_cast<std::uint32_t>(SctpPpid::Dcep);
  if (it == channels_.end() && !isDcep) {
    ++counters_.droppedMessages;
    return;
  }
  // Streams without a channel yet (an OPEN arriving) reassemble in orphanPartial_.
  std::vector<std::uint8_t>& partial = it != channels_.end() ? it->second.partial : orphanPartial_;
  const bool discarding = it != channels_.end() && it->second.discarding;

  if (!inbound.endOfRecord) {
    if (!discarding && partial.size() + inbound.data.size() <= config_.maxMessageSize) {
      partial.insert(partial.end(), inbound.data.begin(), inbound.data.end());
    } else if (it != channels_.end()) {
      it->second.discarding = true;
      partial.clear();
    } else {
      partial.clear();
    }
    return;
  }

  std::vector<std::uint8_t> message;
  if (partial.empty()) {
    message = std::move(inbound.data);
  } else {
    message = std::exchange(partial, {});
    message.insert(message.end(), inbound.data.begin(), inbound.data.end());
  }
  if (it != channels_.end() && it->second.discarding) {
    it->second.discarding = false;
    ++counters_.droppedMessages;
    return;
  }
  if (message.size() > config_.maxMessageSize) {
    ++counters_.droppedMessages;
    return;
  }
  if (isDcep) {
    handleDcep(inbound.stream, message);
  } else {
    deliverMessage(inbound.stream, inbound.ppid, message);
  }
}

void SctpAssociation::handleDcep(std::uint16_t stream, std::span<const std::uint8_t> data) {
  const std::optional<DcepMessageType> type = dcepMessageType(data);
  if (type == DcepMessageType::Ack) {
    const auto it = channels_.find(stream);
    if (!parseDcepAck(data) || it == channels_.end()) {
      ++counters_.malformedDcep;
      return;
    }
    if (!it->second.acked) {
      it->second.acked = true;
      listener_.onDataChannelAcked(stream);
    }
    return;
  }
  std::optional<DcepOpen> open = type == DcepMessageType::Open ? parseDcepOpen(data) : std::nullopt;
  // An OPEN for a stream already in use is a protocol error; ignore it rather than clobber.
  if (!open || channels_.contains(stream)) {
    ++counters_.malformedDcep;
    return;
  }
  Channel channel;
  channel.label = std::move(open->label);
  channel.protocol = std::move(open->protocol);
  channel.reliability = open->reliability;
  channel.acked = true;  // the peer saw its own OPEN first, so unordered is safe from here
  const auto [it, inserted] = channels_.emplace(stream, std::move(channel));
  (void)inserted;
  if (!submit(stream, SctpPpid::Dcep, buildDcepAck(), false, DataChannelReliability{})) {
    HUDDLE_LOG_WARN(sctp, "could not send DCEP ACK stream={}", stream);
  }
  listener_.onDataChannelOpened(stream, it->second.label, it->second.protocol, it->second.reliability);
}

void SctpAssociation::deliverMessage(std::uint16_t stream, std::uint32_t ppid, std::span<const std::uint8_t> data) {
  switch (static_cast<SctpPpid>(ppid)) {
    case SctpPpid::String:
    case SctpPpid::Binary:
      ++counters_.messagesIn;
      listener_.onDataChannelMessage(stream, data, ppid == static_cast<std::uint32_t>(SctpPpid::Binary));
      return;
    case SctpPpid::StringEmpty:
    case SctpPpid::BinaryEmpty:
      ++counters_.messagesIn;
      listener_.onDataChannelMessage(stream, {}, ppid == static_cast<std::uint32_t>(SctpPpid::BinaryEmpty));
      return;
    default:
      ++counters_.droppedMessages;
      return;
  }
}

}  // namespace huddle::rtc
