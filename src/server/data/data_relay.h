#pragma once
// Pure functions, any thread.
//
// The server's part of LiveKit's data channels: a DataPacket that a participant sent on its
// `_reliable` or `_lossy` channel is checked, stamped with the sender's real identity and
// re-encoded once; the caller then writes the same bytes to every recipient's channel of the
// same kind. RoomService SendData messages are encoded here too, so both paths agree on the
// wire format. Counting rejections is the caller's job: every rejection carries a code.
//
// Rules (docs/livekit-protocol.md 3.12):
// - over kMaxDataPacketBytes -> TooLarge; canPublishData false -> NotAllowed (both checked
//   before parsing, so a sender that may not publish costs no parse); undecodable -> Malformed.
// - `kind` is set from the channel the packet arrived on; what the client wrote is ignored.
// - participant_identity/participant_sid are always the sender's, and so are
//   user.participant_identity/participant_sid. Since receivers de-duplicate reliable packets by
//   (participant_sid, sequence), stamping the sid also keeps one client from poisoning another
//   sender's sequence state.
// - destination identities may come in the packet or in `user`: both get the union, which is
//   returned. An empty list means everyone else in the room.
// - `sequence` and every payload (user, chat_message, rpc_*, stream_*, transcription, metrics,
//   sip_dtmf, encrypted_packet, and fields newer than our proto, kept as unknown fields) pass
//   through untouched.
// - `speaker` (ActiveSpeakerUpdate) from a client is rejected as Unsupported: who is speaking is
//   the server's to say, and livekit-client acts on these packets, so forwarding them would let
//   one participant forge the active-speaker list for everybody. A packet with no payload at all
//   is rejected the same way (nothing to deliver).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sfu/room/participant_sink.h"

namespace huddle::server {

// 64 KiB of payload plus room for the envelope (identities, topic, ids). Far above what
// livekit-client sends in one packet (it chunks streams at 15 KiB).
inline constexpr std::size_t kMaxDataPacketBytes = 64 * 1024 + 1024;

struct DataSender {
  std::string sid;       // PA_...
  std::string identity;
  bool canPublishData = false;
};

// Which DataPacket payload was relayed, for counters and logs.
enum class DataPayloadKind : std::uint8_t {
  User,
  ChatMessage,
  RpcRequest,
  RpcAck,
  RpcResponse,
  StreamHeader,
  StreamChunk,
  StreamTrailer,
  Transcription,
  Metrics,
  SipDtmf,
  EncryptedPacket,
  Unknown,  // a payload field newer than our proto: forwarded as it came
};
std::string_view dataPayloadKindName(DataPayloadKind kind);

struct RelayedData {
  std::string bytes;  // the re-encoded DataPacket, identical for every recipient
  std::vector<std::string> destinationIdentities;  // empty: everyone else
  // user.destination_sids (deprecated, still sent by old clients): the caller resolves them to
  // participants and adds them to the destinations. Left in the packet as they came.
  std::vector<std::string> destinationSids;
  bool reliable = true;  // send on the recipients' `_reliable` channel, else `_lossy`
  DataPayloadKind kind = DataPayloadKind::Unknown;
  std::uint32_t sequence = 0;
  // The client had written a different non-empty identity or sid (packet or user level).
  bool senderReplaced = false;
};

enum class DataRejection : std::uint8_t { TooLarge, NotAllowed, Malformed, Unsupported };
std::string_view dataRejectionName(DataRejection rejection);

// One DataPacket as it arrived on the sender's data channel.
Result<RelayedData, DataRejection> relayFromParticipant(std::span<const std::uint8_t> bytes,
                                                        bool arrivedOnReliableChannel,
                                                        const DataSender& sender);

// The DataPacket for a message from the RoomService API (or any sfu::DataMessage): a `user`
// packet with payload, topic (when non-empty), nonce and destinations; the sender fields are
// message.senderSid/senderIdentity, empty for the server. Sequence 0: receivers only
// de-duplicate packets with a sequence.
std::string encodeServerData(const sfu::DataMessage& message);

}  // namespace huddle::server
