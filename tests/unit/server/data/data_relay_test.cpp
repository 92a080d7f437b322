#include "server/data/data_relay.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "livekit_models.pb.h"

namespace huddle::server {
namespace {

using livekit::DataPacket;

const DataSender kAlice{"PA_alice1", "alice", true};

std::span<const std::uint8_t> asBytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

DataPacket decode(const std::string& bytes) {
  DataPacket packet;
  EXPECT_TRUE(packet.ParseFromString(bytes));
  return packet;
}

DataPacket userPacket(const std::string& payload, const std::string& topic) {
  DataPacket packet;
  packet.set_kind(DataPacket::RELIABLE);
  packet.set_sequence(7);
  auto* user = packet.mutable_user();
  user->set_payload(payload);
  user->set_topic(topic);
  user->set_id("msg-1");
  user->set_nonce(std::string("\x01\x02\x03", 3));
  return packet;
}

Result<RelayedData, DataRejection> relay(const DataPacket& packet, bool reliable = true,
                                         const DataSender& sender = kAlice) {
  const std::string bytes = packet.SerializeAsString();
  return relayFromParticipant(asBytes(bytes), reliable, sender);
}

TEST(DataRelay, UserPacketIsStampedAndOtherwiseIntact) {
  auto relayed = relay(userPacket("hello", "chat"));
  ASSERT_TRUE(relayed.ok()) << relayed.message();
  EXPECT_TRUE(relayed->reliable);
  EXPECT_EQ(relayed->kind, DataPayloadKind::User);
  EXPECT_EQ(relayed->sequence, 7u);
  EXPECT_FALSE(relayed->senderReplaced);
  EXPECT_TRUE(relayed->destinationIdentities.empty());

  const DataPacket out = decode(relayed->bytes);
  EXPECT_EQ(out.kind(), DataPacket::RELIABLE);
  EXPECT_EQ(out.participant_identity(), "alice");
  EXPECT_EQ(out.participant_sid(), "PA_alice1");
  EXPECT_EQ(out.sequence(), 7u);
  ASSERT_TRUE(out.has_user());
  EXPECT_EQ(out.user().participant_identity(), "alice");
  EXPECT_EQ(out.user().participant_sid(), "PA_alice1");
  EXPECT_EQ(out.user().payload(), "hello");
  EXPECT_EQ(out.user().topic(), "chat");
  EXPECT_EQ(out.user().id(), "msg-1");
  EXPECT_EQ(out.user().nonce(), std::string("\x01\x02\x03", 3));
}

TEST(DataRelay, KindComesFromTheChannelNotTheClient) {
  DataPacket packet = userPacket("x", "t");
  packet.set_kind(DataPacket::LOSSY);
  auto onReliable = relay(packet, true);
  ASSERT_TRUE(onReliable.ok());
  EXPECT_TRUE(onReliable->reliable);
  EXPECT_EQ(decode(onReliable->bytes).kind(), DataPacket::RELIABLE);

  packet.set_kind(DataPacket::RELIABLE);
  auto onLossy = relay(packet, false);
  ASSERT_TRUE(onLossy.ok());
  EXPECT_FALSE(onLossy->reliable);
  EXPECT_EQ(decode(onLossy->bytes).kind(), DataPacket::LOSSY);
}

TEST(DataRelay, SpoofedSenderIsReplaced) {
  DataPacket packet = userPacket("evil", "t");
  packet.set_participant_identity("mallory");
  packet.set_participant_sid("PA_bob");
  packet.mutable_user()->set_participant_identity("bob");
  packet.mutable_user()->set_participant_sid("PA_bob");
  auto relayed = relay(packet);
  ASSERT_TRUE(relayed.ok());
  EXPECT_TRUE(relayed->senderReplaced);
  const DataPacket out = decode(relayed->bytes);
  EXPECT_EQ(out.participant_identity(), "alice");
  EXPECT_EQ(out.participant_sid(), "PA_alice1");
  EXPECT_EQ(out.user().participant_identity(), "alice");
  EXPECT_EQ(out.user().participant_sid(), "PA_alice1");
}

TEST(DataRelay, OnlyTheUserLevelSpoofIsAlsoNoticed) {
  DataPacket packet = userPacket("evil", "t");
  packet.mutable_user()->set_participant_identity("mallory");
  auto relayed = relay(packet);
  ASSERT_TRUE(relayed.ok());
  EXPECT_TRUE(relayed->senderReplaced);
  EXPECT_EQ(decode(relayed->bytes).user().participant_identity(), "alice");
}

TEST(DataRelay, ClientWritingItsOwnIdentityIsNotASpoof) {
  DataPacket packet = userPacket("hi", "t");
  packet.set_participant_identity("alice");
  packet.mutable_user()->set_participant_identity("alice");
  auto relayed = relay(packet);
  ASSERT_TRUE(relayed.ok());
  EXPECT_FALSE(relayed->senderReplaced);
}

TEST(DataRelay, PacketLevelDestinationsAreCopiedIntoUser) {
  DataPacket packet = userPacket("to bob", "t");
  packet.add_destination_identities("bob");
  auto relayed = relay(packet);
  ASSERT_TRUE(relayed.ok());
  EXPECT_EQ(relayed->destinationIdentities, std::vector<std::string>{"bob"});
  const DataPacket out = decode(relayed->bytes);
  ASSERT_EQ(out.user().destination_identities_size(), 1);
  EXPECT_EQ(out.user().destination_identities(0), "bob");
  ASSERT_EQ(out.destination_identities_size(), 1);
}

TEST(DataRelay, UserLevelDestinationsAreCopiedToThePacket) {
  DataPacket packet = userPacket("to carol", "t");
  packet.mutable_user()->add_destination_identities("carol");
  auto relayed = relay(packet);
  ASSERT_TRUE(relayed.ok());
  EXPECT_EQ(relayed->destinationIdentities, std::vector<std::string>{"carol"});
  const DataPacket out = decode(relayed->bytes);
  ASSERT_EQ(out.destination_identities_size(), 1);
  EXPECT_EQ(out.destination_identities(0), "carol");
}

TEST(DataRelay, BothDestinationListsGiveTheirUnionWithoutDuplicates) {
  DataPacket packet = userPacket("to some", "t");
  packet.add_destination_identities("bob");
  packet.add_destination_identities("bob");
  packet.add_destination_identities("carol");
  packet.mutable_user()->add_destination_identities("dave");
  packet.mutable_user()->add_destination_identities("carol");
  auto relayed = relay(packet);
  ASSERT_TRUE(relayed.ok());
  const std::vector<std::string> expected{"bob", "carol", "dave"};
  EXPECT_EQ(relayed->destinationIdentities, expected);
  const DataPacket out = decode(relayed->bytes);
  EXPECT_EQ(std::vector<std::string>(out.destination_identities().begin(),
                                     out.destination_identities().end()),
            expected);
  EXPECT_EQ(std::vector<std::string>(out.user().destination_identities().begin(),
                                     out.user().destination_identities().end()),
            expected);
}

TEST(DataRelay, DeprecatedDestinationSidsAreReturnedForTheCaller) {
  DataPacket packet = userPacket("old client", "t");
  packet.mutable_user()->add_destination_sids("PA_bob");
  auto relayed = relay(packet);
  ASSERT_TRUE(relayed.ok());
  EXPECT_EQ(relayed->destinationSids, std::vector<std::string>{"PA_bob"});
  EXPECT_TRUE(relayed->destinationIdentities.empty());
}

TEST(DataRelay, NonUserPayloadsPassThroughUntouched) {
  std::vector<DataPacket> packets(6);
  packets[0].mutable_chat_message()->set_id("c1");
  packets[0].mutable_chat_message()->set_message("hi all");
  packets[1].mutable_rpc_request()->set_id("r1");
  packets[1].mutable_rpc_request()->set_method("greet");
  packets[1].mutable_rpc_request()->set_payload("{}");
  packets[1].add_destination_identities("bob");
  packets[2].mutable_stream_chunk()->set_stream_id("s1");
  packets[2].mutable_stream_chunk()->set_content(std::string(1000, 'z'));
  packets[3].mutable_encrypted_packet()->set_iv("0123456789ab");
  packets[3].mutable_encrypted_packet()->set_encrypted_value("ciphertext");
  packets[4].mutable_sip_dtmf()->set_digit("5");
  packets[5].mutable_transcription()->set_track_id("TR_1");
  const DataPayloadKind kinds[] = {DataPayloadKind::ChatMessage, DataPayloadKind::RpcRequest,
                                   DataPayloadKind::StreamChunk, DataPayloadKind::EncryptedPacket,
                                   DataPayloadKind::SipDtmf, DataPayloadKind::Transcription};
  for (std::size_t i = 0; i < packets.size(); ++i) {
    packets[i].set_sequence(static_cast<std::uint32_t>(100 + i));
    packets[i].set_participant_identity("mallory");
    auto relayed = relay(packets[i]);
    ASSERT_TRUE(relayed.ok()) << i << ": " << relayed.message();
    EXPECT_EQ(relayed->kind, kinds[i]);
    EXPECT_TRUE(relayed->senderReplaced);
    DataPacket out = decode(relayed->bytes);
    EXPECT_EQ(out.participant_identity(), "alice");
    EXPECT_EQ(out.participant_sid(), "PA_alice1");
    EXPECT_EQ(out.value_case(), packets[i].value_case());
    // Everything but the stamped sender fields and kind is byte-for-byte what was sent.
    DataPacket expected = packets[i];
    expected.set_participant_identity("alice");
    expected.set_participant_sid("PA_alice1");
    expected.set_kind(DataPacket::RELIABLE);
    EXPECT_EQ(out.SerializeAsString(), expected.SerializeAsString()) << i;
  }
  EXPECT_EQ(relay(packets[1])->destinationIdentities, std::vector<std::string>{"bob"});
}

TEST(DataRelay, SpeakerUpdatesFromClientsAreRefused) {
  DataPacket packet;
  auto* speaker = packet.mutable_speaker()->add_speakers();
  speaker->set_sid("PA_alice1");
  speaker->set_active(true);
  auto relayed = relay(packet);
  ASSERT_FALSE(relayed.ok());
  EXPECT_EQ(relayed.code(), DataRejection::Unsupported);
  EXPECT_NE(relayed.message().find("active-speaker"), std::string::npos);
}

TEST(DataRelay, EmptyPacketIsRefused) {
  auto relayed = relay(DataPacket{});
  ASSERT_FALSE(relayed.ok());
  EXPECT_EQ(relayed.code(), DataRejection::Unsupported);
}

TEST(DataRelay, PayloadNewerThanOurProtoIsForwarded) {
  // Field 30, length-delimited: a oneof member we do not know yet.
  std::string bytes = DataPacket{}.SerializeAsString();
  bytes += std::string("\xf2\x01\x03" "abc", 6);
  auto relayed = relayFromParticipant(asBytes(bytes), true, kAlice);
  ASSERT_TRUE(relayed.ok()) << relayed.message();
  EXPECT_EQ(relayed->kind, DataPayloadKind::Unknown);
  EXPECT_NE(relayed->bytes.find(std::string("\xf2\x01\x03" "abc", 6)), std::string::npos);
  EXPECT_EQ(decode(relayed->bytes).participant_identity(), "alice");
}

TEST(DataRelay, SenderWithoutPermissionIsRefusedBeforeParsing) {
  const DataSender muted{"PA_m", "muted", false};
  auto relayed = relay(userPacket("hi", "t"), true, muted);
  ASSERT_FALSE(relayed.ok());
  EXPECT_EQ(relayed.code(), DataRejection::NotAllowed);
  const std::string garbage("\xff\xff\xff", 3);
  EXPECT_EQ(relayFromParticipant(asBytes(garbage), true, muted).code(), DataRejection::NotAllowed);
}

TEST(DataRelay, UndecodableBytesAreMalformed) {
  const std::string garbage("\xff\xff\xff\xff", 4);
  auto relayed = relayFromParticipant(asBytes(garbage), true, kAlice);
  ASSERT_FALSE(relayed.ok());
  EXPECT_EQ(relayed.code(), DataRejection::Malformed);

  std::string truncated = userPacket(std::string(100, 'a'), "t").SerializeAsString();
  truncated.resize(truncated.size() - 10);
  EXPECT_EQ(relayFromParticipant(asBytes(truncated), true, kAlice).code(),
            DataRejection::Malformed);
}

TEST(DataRelay, SizeLimitIsInclusive) {
  DataPacket packet = userPacket("p", "t");
  // Grow the payload by what is still missing; the length varints settle after a few rounds.
  for (int round = 0; round < 4 && packet.ByteSizeLong() != kMaxDataPacketBytes; ++round) {
    std::string* payload = packet.mutable_user()->mutable_payload();
    const auto size = packet.ByteSizeLong();
    if (size < kMaxDataPacketBytes) {
      payload->append(kMaxDataPacketBytes - size, 'p');
    } else {
      payload->resize(payload->size() - (size - kMaxDataPacketBytes));
    }
  }
  std::string atLimit = packet.SerializeAsString();
  ASSERT_EQ(atLimit.size(), kMaxDataPacketBytes);
  EXPECT_TRUE(relayFromParticipant(asBytes(atLimit), true, kAlice).ok());

  packet.mutable_user()->mutable_payload()->push_back('p');
  const std::string over = packet.SerializeAsString();
  auto relayed = relayFromParticipant(asBytes(over), true, kAlice);
  ASSERT_FALSE(relayed.ok());
  EXPECT_EQ(relayed.code(), DataRejection::TooLarge);
  EXPECT_NE(relayed.message().find(std::to_string(over.size())), std::string::npos);
}

TEST(DataRelay, ServerDataIsAUserPacketWithTopicAndDestinations) {
  sfu::DataMessage message;
  message.reliable = false;
  message.payload = {'o', 'k'};
  message.topic = "announcements";
  message.destinationIdentities = {"bob"};
  message.nonce = {9, 8, 7};
  const DataPacket out = decode(encodeServerData(message));
  EXPECT_EQ(out.kind(), DataPacket::LOSSY);
  EXPECT_EQ(out.participant_identity(), "");
  EXPECT_EQ(out.sequence(), 0u);
  ASSERT_TRUE(out.has_user());
  EXPECT_EQ(out.user().payload(), "ok");
  EXPECT_EQ(out.user().topic(), "announcements");
  EXPECT_EQ(out.user().nonce(), std::string("\x09\x08\x07", 3));
  ASSERT_EQ(out.destination_identities_size(), 1);
  EXPECT_EQ(out.destination_identities(0), "bob");
  ASSERT_EQ(out.user().destination_identities_size(), 1);
  EXPECT_EQ(out.user().destination_identities(0), "bob");
}

TEST(DataRelay, ServerDataWithoutTopicLeavesItUnset) {
  sfu::DataMessage message;
  message.payload = {'x'};
  message.senderIdentity = "alice";
  message.senderSid = "PA_alice1";
  const DataPacket out = decode(encodeServerData(message));
  EXPECT_EQ(out.kind(), DataPacket::RELIABLE);
  EXPECT_FALSE(out.user().has_topic());
  EXPECT_EQ(out.participant_identity(), "alice");
  EXPECT_EQ(out.user().participant_sid(), "PA_alice1");
}

TEST(DataRelay, NamesForCounters) {
  EXPECT_EQ(dataRejectionName(DataRejection::TooLarge), "too_large");
  EXPECT_EQ(dataRejectionName(DataRejection::Unsupported), "unsupported");
  EXPECT_EQ(dataPayloadKindName(DataPayloadKind::StreamHeader), "stream_header");
}

}  // namespace
}  // namespace huddle::server
