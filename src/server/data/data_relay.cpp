#include "server/data/data_relay.h"

#include <unordered_set>
#include <utility>

#include <google/protobuf/unknown_field_set.h>

#include "livekit_models.pb.h"

namespace huddle::server {
namespace {

using Packet = livekit::DataPacket;

struct KindOf {
  bool supported;
  DataPayloadKind kind;
};

KindOf classify(const Packet& packet) {
  switch (packet.value_case()) {
    case Packet::kUser: return {true, DataPayloadKind::User};
    case Packet::kChatMessage: return {true, DataPayloadKind::ChatMessage};
    case Packet::kRpcRequest: return {true, DataPayloadKind::RpcRequest};
    case Packet::kRpcAck: return {true, DataPayloadKind::RpcAck};
    case Packet::kRpcResponse: return {true, DataPayloadKind::RpcResponse};
    case Packet::kStreamHeader: return {true, DataPayloadKind::StreamHeader};
    case Packet::kStreamChunk: return {true, DataPayloadKind::StreamChunk};
    case Packet::kStreamTrailer: return {true, DataPayloadKind::StreamTrailer};
    case Packet::kTranscription: return {true, DataPayloadKind::Transcription};
    case Packet::kMetrics: return {true, DataPayloadKind::Metrics};
    case Packet::kSipDtmf: return {true, DataPayloadKind::SipDtmf};
    case Packet::kEncryptedPacket: return {true, DataPayloadKind::EncryptedPacket};
    case Packet::kSpeaker: return {false, DataPayloadKind::Unknown};
    case Packet::VALUE_NOT_SET:
      // A newer client's payload lands in the unknown fields; an empty packet has none.
      return {!packet.GetReflection()->GetUnknownFields(packet).empty(), DataPayloadKind::Unknown};
  }
  return {false, DataPayloadKind::Unknown};
}

bool differs(const std::string& claimed, const std::string& real) {
  return !claimed.empty() && claimed != real;
}

// The union of both lists, first-seen order, without duplicates. A set keeps this linear for a
// packet stuffed with thousands of tiny names.
std::vector<std::string> mergeDestinations(const google::protobuf::RepeatedPtrField<std::string>& a,
                                           const google::protobuf::RepeatedPtrField<std::string>& b) {
  std::vector<std::string> merged;
  merged.reserve(static_cast<std::size_t>(a.size() + b.size()));
  std::unordered_set<std::string_view> seen;
  for (const auto* list : {&a, &b}) {
    for (const std::string& identity : *list) {
      if (seen.insert(identity).second) merged.push_back(identity);
    }
  }
  return merged;
}

void assign(google::protobuf::RepeatedPtrField<std::string>* field,
            const std::vector<std::string>& values) {
  field->Clear();
  for (const auto& v : values) field->Add(std::string(v));
}

}  // namespace

std::string_view dataPayloadKindName(DataPayloadKind kind) {
  switch (kind) {
    case DataPayloadKind::User: return "user";
    case DataPayloadKind::ChatMessage: return "chat_message";
    case DataPayloadKind::RpcRequest: return "rpc_request";
    case DataPayloadKind::RpcAck: return "rpc_ack";
    case DataPayloadKind::RpcResponse: return "rpc_response";
    case DataPayloadKind::StreamHeader: return "stream_header";
    case DataPayloadKind::StreamChunk: return "stream_chunk";
    case DataPayloadKind::StreamTrailer: return "stream_trailer";
    case DataPayloadKind::Transcription: return "transcription";
    case DataPayloadKind::Metrics: return "metrics";
    case DataPayloadKind::SipDtmf: return "sip_dtmf";
    case DataPayloadKind::EncryptedPacket: return "encrypted_packet";
    case DataPayloadKind::Unknown: return "unknown";
  }
  return "unknown";
}

std::string_view dataRejectionName(DataRejection rejection) {
  switch (rejection) {
    case DataRejection::TooLarge: return "too_large";
    case DataRejection::NotAllowed: return "not_allowed";
    case DataRejection::Malformed: return "malformed";
    case DataRejection::Unsupported: return "unsupported";
  }
  return "unknown";
}

Result<RelayedData, DataRejection> relayFromParticipant(std::span<const std::uint8_t> bytes,
                                                        bool arrivedOnReliableChannel,
                                                        const DataSender& sender) {
  if (bytes.size() > kMaxDataPacketBytes) {
    return Error{DataRejection::TooLarge,
                 "data packet from " + sender.identity + " is " + std::to_string(bytes.size()) +
                     " bytes, over the " + std::to_string(kMaxDataPacketBytes) + " byte limit"};
  }
  if (!sender.canPublishData) {
    return Error{DataRejection::NotAllowed,
                 "participant " + sender.identity + " may not publish data (canPublishData false)"};
  }
  Packet packet;
  if (!packet.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Error{DataRejection::Malformed, "data packet from " + sender.identity + " (" +
                                               std::to_string(bytes.size()) +
                                               " bytes) is not a decodable DataPacket"};
  }
  const KindOf kind = classify(packet);
  if (!kind.supported) {
    return Error{DataRejection::Unsupported,
                 "data packet from " + sender.identity +
                     (packet.value_case() == Packet::kSpeaker
                          ? std::string(" carries an active-speaker update, which only the server sends")
                          : std::string(" carries no payload"))};
  }

  RelayedData out;
  out.reliable = arrivedOnReliableChannel;
  out.kind = kind.kind;
  out.sequence = packet.sequence();
  out.senderReplaced = differs(packet.participant_identity(), sender.identity) ||
                       differs(packet.participant_sid(), sender.sid);

  packet.set_kind(arrivedOnReliableChannel ? Packet::RELIABLE : Packet::LOSSY);
  packet.set_participant_identity(sender.identity);
  packet.set_participant_sid(sender.sid);

  if (packet.has_user()) {
    livekit::UserPacket* user = packet.mutable_user();
    out.senderReplaced = out.senderReplaced ||
                         differs(user->participant_identity(), sender.identity) ||
                         differs(user->participant_sid(), sender.sid);
    user->set_participant_identity(sender.identity);
    user->set_participant_sid(sender.sid);
    out.destinationIdentities =
        mergeDestinations(packet.destination_identities(), user->destination_identities());
    if (!out.destinationIdentities.empty()) {
      assign(packet.mutable_destination_identities(), out.destinationIdentities);
      assign(user->mutable_destination_identities(), out.destinationIdentities);
    }
    out.destinationSids.assign(user->destination_sids().begin(), user->destination_sids().end());
  } else {
    out.destinationIdentities = mergeDestinations(packet.destination_identities(), {});
  }

  if (!packet.SerializeToString(&out.bytes)) {
    // Only a message over 2 GiB fails to serialise; the size check above rules that out.
    return Error{DataRejection::Malformed,
                 "data packet from " + sender.identity + " could not be re-encoded"};
  }
  return out;
}

std::string encodeServerData(const sfu::DataMessage& message) {
  Packet packet;
  packet.set_kind(message.reliable ? Packet::RELIABLE : Packet::LOSSY);
  packet.set_participant_identity(message.senderIdentity);
  packet.set_participant_sid(message.senderSid);
  livekit::UserPacket* user = packet.mutable_user();
  user->set_participant_identity(message.senderIdentity);
  user->set_participant_sid(message.senderSid);
  user->set_payload(message.payload.data(), message.payload.size());
  if (!message.topic.empty()) user->set_topic(message.topic);
  if (!message.nonce.empty()) user->set_nonce(message.nonce.data(), message.nonce.size());
  for (const auto& identity : message.destinationIdentities) {
    packet.add_destination_identities(identity);
    user->add_destination_identities(identity);
  }
  return packet.SerializeAsString();
}

}  // namespace huddle::server
