#include "signal/signal_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace huddle::signal {
namespace {

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(SignalCodec, DecodesHandWrittenTrickleBytes) {
  // SignalRequest { trickle (field 3) = TrickleRequest { candidateInit = "{}", target = 1 } }
  const std::vector<std::uint8_t> frame = {
      0x1a, 0x06,            // field 3 (trickle), length-delimited, 6 bytes
      0x0a, 0x02, '{', '}',  //   field 1 (candidateInit) "{}"
      0x10, 0x01,            //   field 2 (target) = SUBSCRIBER
  };
  const auto request = decodeSignalRequest(frame, /*textFrame=*/false);
  ASSERT_TRUE(request.ok()) << request.message();
  ASSERT_TRUE(request->has_trickle());
  EXPECT_EQ(request->trickle().candidateinit(), "{}");
  EXPECT_EQ(request->trickle().target(), livekit::SUBSCRIBER);
  EXPECT_EQ(signalRequestName(*request), "trickle");
  const std::string encoded = encodeSignalRequest(*request, /*json=*/false);
  EXPECT_EQ(std::vector<std::uint8_t>(encoded.begin(), encoded.end()), frame);
}

TEST(SignalCodec, DecodesLegacyPingVarint) {
  const std::vector<std::uint8_t> frame = {0x70, 0x2a};  // field 14 (ping), varint 42
  const auto request = decodeSignalRequest(frame, false);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->ping(), 42);
  EXPECT_EQ(signalRequestName(*request), "ping");
}

TEST(SignalCodec, EmptyFrameHasNoMessageSet) {
  const auto request = decodeSignalRequest({}, false);
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.code(), SignalCodecError::NoMessageSet);
  EXPECT_EQ(request.message(), "no message set");

  const std::string json = "{}";
  const auto fromJson = decodeSignalRequest(bytes(json), true);
  ASSERT_FALSE(fromJson.ok());
  EXPECT_EQ(fromJson.code(), SignalCodecError::NoMessageSet);
}

TEST(SignalCodec, RejectsTruncatedProtobuf) {
  const std::vector<std::uint8_t> frame = {0x0a, 0x10, 0x0a};  // offer claims 16 bytes, has 1
  const auto request = decodeSignalRequest(frame, false);
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.code(), SignalCodecError::Malformed);
}

TEST(SignalCodec, RefusesFramesOverTheLimitBeforeParsing) {
  // A valid ping padded with an unknown field would parse; the size alone must refuse it.
  std::vector<std::uint8_t> frame(kMaxSignalMessageBytes + 1, 0);
  const auto request = decodeSignalRequest(frame, false);
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.code(), SignalCodecError::TooLarge);

  frame.resize(kMaxSignalMessageBytes);
  EXPECT_NE(decodeSignalRequest(frame, false).code(), SignalCodecError::TooLarge);
}

TEST(SignalCodec, ParsesProto3JsonAndIgnoresUnknownFields) {
  const std::string json =
      R"({"offer":{"type":"offer","sdp":"v=0\r\n","id":7,"futureField":true},"alsoNew":1})";
  const auto request = decodeSignalRequest(bytes(json), true);
  ASSERT_TRUE(request.ok()) << request.message();
  ASSERT_TRUE(request->has_offer());
  EXPECT_EQ(request->offer().type(), "offer");
  EXPECT_EQ(request->offer().sdp(), "v=0\r\n");
  EXPECT_EQ(request->offer().id(), 7u);
  EXPECT_EQ(signalRequestName(*request), "offer");
}

TEST(SignalCodec, JsonAcceptsProtoFieldNamesAndInt64Strings) {
  const std::string json = R"({"ping_req":{"timestamp":"1700000000123","rtt":"15"}})";
  const auto request = decodeSignalRequest(bytes(json), true);
  ASSERT_TRUE(request.ok()) << request.message();
  EXPECT_EQ(request->ping_req().timestamp(), 1700000000123);
  EXPECT_EQ(request->ping_req().rtt(), 15);
  EXPECT_EQ(signalRequestName(*request), "ping_req");
}

TEST(SignalCodec, RejectsInvalidJson) {
  for (const std::string text : {"{", "[]", "not json", R"({"ping":"x"})", ""}) {
    const auto request = decodeSignalRequest(bytes(text), true);
    ASSERT_FALSE(request.ok()) << text;
    EXPECT_EQ(request.code(), SignalCodecError::Malformed) << text;
    EXPECT_FALSE(request.message().empty());
  }
}

TEST(SignalCodec, ResponseRoundTripsInBothFormats) {
  livekit::SignalResponse response;
  response.mutable_pong_resp()->set_last_ping_timestamp(1234);
  response.mutable_pong_resp()->set_timestamp(5678);
  for (const bool json : {false, true}) {
    const std::string encoded = encodeSignalResponse(response, json);
    const auto decoded = decodeSignalResponse(bytes(encoded), json);
    ASSERT_TRUE(decoded.ok()) << decoded.message();
    EXPECT_EQ(decoded->pong_resp().last_ping_timestamp(), 1234);
    EXPECT_EQ(decoded->pong_resp().timestamp(), 5678);
    EXPECT_EQ(signalResponseName(*decoded), "pong_resp");
  }
  // proto3 JSON uses lowerCamel names and quotes 64-bit integers.
  EXPECT_EQ(encodeSignalResponse(response, true),
            R"({"pongResp":{"lastPingTimestamp":"1234","timestamp":"5678"}})");
}

TEST(SignalCodec, RequestJsonRoundTrip) {
  livekit::SignalRequest request;
  auto* track = request.mutable_add_track();
  track->set_cid("cam-1");
  track->set_type(livekit::VIDEO);
  track->set_width(1280);
  const std::string encoded = encodeSignalRequest(request, true);
  const auto decoded = decodeSignalRequest(bytes(encoded), true);
  ASSERT_TRUE(decoded.ok()) << decoded.message();
  EXPECT_EQ(decoded->add_track().cid(), "cam-1");
  EXPECT_EQ(decoded->add_track().type(), livekit::VIDEO);
  EXPECT_EQ(decoded->add_track().width(), 1280u);
  EXPECT_EQ(signalRequestName(*decoded), "add_track");
}

TEST(SignalCodec, NamesUnsetMessages) {
  EXPECT_EQ(signalRequestName(livekit::SignalRequest{}), "none");
  EXPECT_EQ(signalResponseName(livekit::SignalResponse{}), "none");
  livekit::SignalResponse join;
  join.mutable_join();
  EXPECT_EQ(signalResponseName(join), "join");
}

TEST(SignalCodec, AnswersBothKeepalives) {
  livekit::SignalRequest ping;
  ping.set_ping(111);
  const auto pong = keepaliveResponse(ping, 5000);
  ASSERT_TRUE(pong.has_value());
  ASSERT_EQ(pong->message_case(), livekit::SignalResponse::kPong);
  EXPECT_EQ(pong->pong(), 5000);

  livekit::SignalRequest pingReq;
  pingReq.mutable_ping_req()->set_timestamp(222);
  pingReq.mutable_ping_req()->set_rtt(30);
  const auto pongResp = keepaliveResponse(pingReq, 6000);
  ASSERT_TRUE(pongResp.has_value());
  ASSERT_TRUE(pongResp->has_pong_resp());
  EXPECT_EQ(pongResp->pong_resp().last_ping_timestamp(), 222);
  EXPECT_EQ(pongResp->pong_resp().timestamp(), 6000);

  livekit::SignalRequest offer;
  offer.mutable_offer()->set_type("offer");
  EXPECT_FALSE(keepaliveResponse(offer, 1).has_value());
}

}  // namespace
}  // namespace huddle::signal
