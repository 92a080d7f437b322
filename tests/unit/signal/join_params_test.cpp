#include "signal/join_params.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/base64.h"
#include "signal/gzip.h"
#include "signal/query_string.h"

#ifndef HUDDLE_SIGNAL_TEST_DATA
#error "HUDDLE_SIGNAL_TEST_DATA must name tests/unit/signal/data"
#endif

namespace huddle::signal {
namespace {

std::string readVector(const std::string& name) {
  std::ifstream in(std::string(HUDDLE_SIGNAL_TEST_DATA) + "/" + name, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string v1QueryFor(const livekit::WrappedJoinRequest& wrapped) {
  return "join_request=" + percentEncode(encodeBase64Url(
                               std::string_view(wrapped.SerializeAsString()), Base64Padding::Keep));
}

// ---- v0 ---------------------------------------------------------------------------------------

TEST(JoinParamsV0, ParsesWhatLivekitClientSends) {
  // Shape of livekit-client 2.23's createConnectionParams output (URLSearchParams encoding).
  const auto params = parseV0Query(
      "access_token=eyJh.eyJz.c2ln&auto_subscribe=1&sdk=js&version=2.23.0&protocol=17"
      "&client_protocol=2&os=Linux&browser=Chrome&browser_version=131.0.0.0"
      "&adaptive_stream=1&subscriber_allow_pause=0&network=wifi");
  ASSERT_TRUE(params.ok()) << params.message();
  EXPECT_EQ(params->accessToken, "eyJh.eyJz.c2ln");
  EXPECT_TRUE(params->autoSubscribe);
  EXPECT_TRUE(params->adaptiveStream);
  ASSERT_TRUE(params->subscriberAllowPause.has_value());
  EXPECT_FALSE(*params->subscriberAllowPause);
  EXPECT_FALSE(params->autoSubscribeDataTrack.has_value());
  EXPECT_FALSE(params->disableIceLite);
  EXPECT_FALSE(params->reconnect);
  EXPECT_FALSE(params->singlePeerConnection);
  EXPECT_FALSE(params->publisherOffer.has_value());
  const auto& info = params->clientInfo;
  EXPECT_EQ(info.sdk(), livekit::ClientInfo::JS);
  EXPECT_EQ(info.version(), "2.23.0");
  EXPECT_EQ(info.protocol(), 17);
  EXPECT_EQ(info.client_protocol(), 2);
  EXPECT_EQ(info.os(), "Linux");
  EXPECT_EQ(info.browser(), "Chrome");
  EXPECT_EQ(info.browser_version(), "131.0.0.0");
  EXPECT_EQ(info.network(), "wifi");
}

TEST(JoinParamsV0, DefaultsWhenNothingIsSent) {
  const auto params = parseV0Query("");
  ASSERT_TRUE(params.ok());
  EXPECT_TRUE(params->accessToken.empty());
  EXPECT_TRUE(params->autoSubscribe);  // server default when absent
  EXPECT_FALSE(params->adaptiveStream);
  EXPECT_FALSE(params->subscriberAllowPause.has_value());
  EXPECT_EQ(params->clientInfo.sdk(), livekit::ClientInfo::UNKNOWN);
  EXPECT_EQ(params->clientInfo.protocol(), 0);
}

TEST(JoinParamsV0, OnlyOneAndTrueAreTrue) {
  EXPECT_TRUE(parseV0Query("adaptive_stream=true")->adaptiveStream);
  EXPECT_TRUE(parseV0Query("adaptive_stream=1")->adaptiveStream);
  EXPECT_FALSE(parseV0Query("adaptive_stream=yes")->adaptiveStream);
  EXPECT_FALSE(parseV0Query("adaptive_stream=TRUE")->adaptiveStream);
  EXPECT_FALSE(parseV0Query("auto_subscribe=0")->autoSubscribe);
  EXPECT_FALSE(parseV0Query("auto_subscribe=")->autoSubscribe);
  EXPECT_TRUE(parseV0Query("disable_ice_lite=1")->disableIceLite);
  EXPECT_EQ(parseV0Query("auto_subscribe_data_track=true")->autoSubscribeDataTrack,
            std::optional<bool>(true));
}

TEST(JoinParamsV0, ResumeFields) {
  const auto params = parseV0Query("reconnect=1&sid=PA_abc123&reconnect_reason=3");
  ASSERT_TRUE(params.ok());
  EXPECT_TRUE(params->reconnect);
  EXPECT_EQ(params->participantSid, "PA_abc123");
  EXPECT_EQ(params->reconnectReason, livekit::RR_SUBSCRIBER_FAILED);
  // Out-of-range and non-numeric reasons read as unknown rather than failing the resume.
  EXPECT_EQ(parseV0Query("reconnect_reason=99")->reconnectReason, livekit::RR_UNKNOWN);
  EXPECT_EQ(parseV0Query("reconnect_reason=x")->reconnectReason, livekit::RR_UNKNOWN);
  EXPECT_EQ(parseV0Query("protocol=17x")->clientInfo.protocol(), 0);
}

TEST(JoinParamsV0, SdkNamesFromTheProtocolTable) {
  const std::pair<const char*, livekit::ClientInfo::SDK> table[] = {
      {"js", livekit::ClientInfo::JS},
      {"reactnative", livekit::ClientInfo::REACT_NATIVE},
      {"rust", livekit::ClientInfo::RUST},
      {"node", livekit::ClientInfo::NODE},
      {"python", livekit::ClientInfo::PYTHON},
      {"cpp", livekit::ClientInfo::CPP},
      {"go", livekit::ClientInfo::GO},
      {"swift", livekit::ClientInfo::SWIFT},
      {"ios", livekit::ClientInfo::SWIFT},
      {"android", livekit::ClientInfo::ANDROID},
      {"flutter", livekit::ClientInfo::FLUTTER},
      {"unity", livekit::ClientInfo::UNITY},
      {"unityweb", livekit::ClientInfo::UNITY_WEB},
      {"esp32", livekit::ClientInfo::ESP32},
      {"cobol", livekit::ClientInfo::UNKNOWN},
      {"JS", livekit::ClientInfo::UNKNOWN},
  };
  for (const auto& [name, sdk] : table) {
    const auto params = parseV0Query(std::string("sdk=") + name);
    ASSERT_TRUE(params.ok());
    EXPECT_EQ(params->clientInfo.sdk(), sdk) << name;
  }
  EXPECT_EQ(sdkName(livekit::ClientInfo::SWIFT), "swift");
  EXPECT_EQ(sdkName(livekit::ClientInfo::UNKNOWN), "");
}

TEST(JoinParamsV0, CapabilitiesByNameSkippingUnknown) {
  const auto params =
      parseV0Query("capabilities=CAP_PACKET_TRAILER%2CCAP_TELEPATHY,CAP_COMPRESSION_DEFLATE_RAW");
  ASSERT_TRUE(params.ok());
  ASSERT_EQ(params->clientInfo.capabilities_size(), 2);
  EXPECT_EQ(params->clientInfo.capabilities(0), livekit::ClientInfo::CAP_PACKET_TRAILER);
  EXPECT_EQ(params->clientInfo.capabilities(1), livekit::ClientInfo::CAP_COMPRESSION_DEFLATE_RAW);
}

TEST(JoinParamsV0, PercentDecodesValues) {
  const auto params = parseV0Query("version=2.0.0%2Bbuild&device_model=Pixel+8&os_version=14");
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->clientInfo.version(), "2.0.0+build");
  EXPECT_EQ(params->clientInfo.device_model(), "Pixel 8");
  EXPECT_EQ(params->clientInfo.os_version(), "14");
}

TEST(JoinParamsV0, AttributesAreBase64UrlJson) {
  const std::string json = R"({"team":"blue","note":"a b?"})";
  for (const auto padding : {Base64Padding::Keep, Base64Padding::Omit}) {
    const auto params = parseV0Query("attributes=" + percentEncode(encodeBase64Url(json, padding)));
    ASSERT_TRUE(params.ok()) << params.message();
    ASSERT_EQ(params->attributes.size(), 2u);
    EXPECT_EQ(params->attributes.at("team"), "blue");
    EXPECT_EQ(params->attributes.at("note"), "a b?");
  }
}

TEST(JoinParamsV0, BadAttributesAreRefused) {
  EXPECT_EQ(parseV0Query("attributes=***").code(), JoinParamsError::InvalidBase64);
  EXPECT_EQ(parseV0Query("attributes=" + encodeBase64Url(std::string_view("[1,2]"))).code(),
            JoinParamsError::InvalidAttributes);
  EXPECT_EQ(parseV0Query("attributes=" + encodeBase64Url(std::string_view(R"({"n":1})"))).code(),
            JoinParamsError::InvalidAttributes);
  EXPECT_EQ(parseV0Query("attributes=" + encodeBase64Url(std::string_view("{"))).code(),
            JoinParamsError::InvalidAttributes);
}

TEST(JoinParamsV0, MalformedEscapeRefusesTheQuery) {
  const auto params = parseV0Query("access_token=abc%2");
  ASSERT_FALSE(params.ok());
  EXPECT_EQ(params.code(), JoinParamsError::MalformedQuery);
}

TEST(JoinParamsV0, BuildThenParseRoundTrips) {
  JoinParams in;
  in.accessToken = "a.b.c";
  in.clientInfo.set_sdk(livekit::ClientInfo::CPP);
  in.clientInfo.set_version("0.1.0");
  in.clientInfo.set_protocol(17);
  in.clientInfo.set_client_protocol(2);
  in.clientInfo.set_os("Debian GNU/Linux");
  in.clientInfo.set_device_model("x86 & co");
  in.clientInfo.add_capabilities(livekit::ClientInfo::CAP_PACKET_TRAILER);
  in.autoSubscribe = false;
  in.adaptiveStream = true;
  in.disableIceLite = true;
  in.subscriberAllowPause = false;
  in.reconnect = true;
  in.participantSid = "PA_x";
  in.reconnectReason = livekit::RR_SWITCH_CANDIDATE;
  in.attributes = {{"k", "v=1&2"}, {"\xc3\xbc", "+"}};

  const std::string query = buildV0Query(in);
  const auto out = parseV0Query(query);
  ASSERT_TRUE(out.ok()) << out.message() << " query=" << query;
  EXPECT_EQ(out->accessToken, in.accessToken);
  EXPECT_EQ(out->clientInfo.SerializeAsString(), in.clientInfo.SerializeAsString());
  EXPECT_EQ(out->autoSubscribe, in.autoSubscribe);
  EXPECT_EQ(out->adaptiveStream, in.adaptiveStream);
  EXPECT_EQ(out->disableIceLite, in.disableIceLite);
  EXPECT_EQ(out->subscriberAllowPause, in.subscriberAllowPause);
  EXPECT_EQ(out->reconnect, in.reconnect);
  EXPECT_EQ(out->participantSid, in.participantSid);
  EXPECT_EQ(out->reconnectReason, in.reconnectReason);
  EXPECT_EQ(out->attributes, in.attributes);
}

// ---- v1 ---------------------------------------------------------------------------------------

TEST(JoinParamsV1, JoinRequestIsRequired) {
  for (const char* query : {"", "access_token=abc", "join_request="}) {
    const auto params = parseV1Query(query);
    ASSERT_FALSE(params.ok()) << query;
    EXPECT_EQ(params.code(), JoinParamsError::MissingJoinRequest);
    EXPECT_EQ(params.message(), "join_request missing");
  }
}

// Produced by make_join_vectors.mjs with @livekit/protocol 1.52.1 and node's zlib, encoded the
// way livekit-client 2.23 encodes it.
TEST(JoinParamsV1, ParsesGzippedJoinFromTheNpmEncoder) {
  const std::string query = readVector("js_join_v1_gzip.query");
  ASSERT_FALSE(query.empty()) << "missing test vector";
  const auto params = parseV1Query(query);
  ASSERT_TRUE(params.ok()) << params.message();
  EXPECT_TRUE(params->singlePeerConnection);
  EXPECT_EQ(params->accessToken, "tok.en.sig");
  EXPECT_EQ(params->clientInfo.sdk(), livekit::ClientInfo::JS);
  EXPECT_EQ(params->clientInfo.version(), "2.23.0");
  EXPECT_EQ(params->clientInfo.protocol(), 17);
  EXPECT_EQ(params->clientInfo.client_protocol(), 2);
  EXPECT_EQ(params->clientInfo.os(), "Linux");
  EXPECT_EQ(params->clientInfo.browser(), "Chrome");
  EXPECT_EQ(params->clientInfo.browser_version(), "131.0.0.0");
  EXPECT_TRUE(params->autoSubscribe);
  EXPECT_TRUE(params->adaptiveStream);
  EXPECT_FALSE(params->disableIceLite);
  EXPECT_EQ(params->subscriberAllowPause, std::optional<bool>(true));
  EXPECT_FALSE(params->autoSubscribeDataTrack.has_value());
  EXPECT_FALSE(params->reconnect);
  EXPECT_TRUE(params->participantSid.empty());
  ASSERT_TRUE(params->publisherOffer.has_value());
  EXPECT_EQ(params->publisherOffer->type(), "offer");
  EXPECT_EQ(params->publisherOffer->id(), 1u);
  EXPECT_EQ(params->publisherOffer->sdp().rfind("v=0\r\n", 0), 0u);
  EXPECT_NE(params->publisherOffer->sdp().find("a=ice-ufrag:abcd\r\n"), std::string::npos);
}

TEST(JoinParamsV1, ParsesPlainResumeFromTheNpmEncoder) {
  const std::string query = readVector("node_resume_v1_plain.query");
  ASSERT_FALSE(query.empty()) << "missing test vector";
  // The vector keeps base64 padding, percent-encoded as URLSearchParams writes it.
  ASSERT_NE(query.find("%3D"), std::string::npos);
  const auto params = parseV1Query(query);
  ASSERT_TRUE(params.ok()) << params.message();
  EXPECT_EQ(params->clientInfo.sdk(), livekit::ClientInfo::NODE);
  EXPECT_EQ(params->clientInfo.version(), "1.1.0");
  EXPECT_FALSE(params->autoSubscribe);
  EXPECT_FALSE(params->adaptiveStream);
  EXPECT_EQ(params->metadata, R"({"role":"bots"})");
  ASSERT_EQ(params->attributes.size(), 2u);
  EXPECT_EQ(params->attributes.at("team"), "blue");
  EXPECT_EQ(params->attributes.at("na\xc3\xafve key"), "\xc3\xbc+/=&");
  EXPECT_TRUE(params->reconnect);
  EXPECT_EQ(params->reconnectReason, livekit::RR_SIGNAL_DISCONNECTED);
  EXPECT_EQ(params->participantSid, "PA_resume123");
  EXPECT_FALSE(params->publisherOffer.has_value());

  // Some encoders drop the padding; the same request must still parse.
  std::string unpadded = query;
  for (auto pos = unpadded.find("%3D"); pos != std::string::npos; pos = unpadded.find("%3D")) {
    unpadded.erase(pos, 3);
  }
  const auto again = parseV1Query(unpadded);
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_EQ(again->participantSid, "PA_resume123");
}

JoinParams fullParams() {
  JoinParams in;
  in.accessToken = "x.y.z";
  in.clientInfo.set_sdk(livekit::ClientInfo::CPP);
  in.clientInfo.set_version("0.1.0");
  in.clientInfo.set_protocol(17);
  in.autoSubscribe = false;
  in.adaptiveStream = true;
  in.subscriberAllowPause = true;
  in.autoSubscribeDataTrack = false;
  in.disableIceLite = true;
  in.reconnect = true;
  in.reconnectReason = livekit::RR_PUBLISHER_FAILED;
  in.participantSid = "PA_1";
  in.metadata = "meta";
  in.attributes = {{"a", "1"}};
  livekit::SessionDescription offer;
  offer.set_type("offer");
  offer.set_sdp("v=0\r\n");
  offer.set_id(9);
  in.publisherOffer = offer;
  livekit::AddTrackRequest track;
  track.set_cid("mic");
  in.addTrackRequests.push_back(track);
  livekit::SyncState sync;
  sync.mutable_answer()->set_type("answer");
  in.syncState = sync;
  return in;
}

TEST(JoinParamsV1, BuildThenParseRoundTripsWithAndWithoutGzip) {
  const JoinParams in = fullParams();
  for (const bool gzip : {false, true}) {
    const auto out = parseV1Query(buildV1Query(in, gzip));
    ASSERT_TRUE(out.ok()) << out.message();
    EXPECT_TRUE(out->singlePeerConnection);
    EXPECT_EQ(out->accessToken, in.accessToken);
    EXPECT_EQ(out->clientInfo.SerializeAsString(), in.clientInfo.SerializeAsString());
    EXPECT_EQ(out->autoSubscribe, in.autoSubscribe);
    EXPECT_EQ(out->adaptiveStream, in.adaptiveStream);
    EXPECT_EQ(out->subscriberAllowPause, in.subscriberAllowPause);
    EXPECT_EQ(out->autoSubscribeDataTrack, in.autoSubscribeDataTrack);
    EXPECT_EQ(out->disableIceLite, in.disableIceLite);
    EXPECT_EQ(out->reconnect, in.reconnect);
    EXPECT_EQ(out->reconnectReason, in.reconnectReason);
    EXPECT_EQ(out->participantSid, in.participantSid);
    EXPECT_EQ(out->metadata, in.metadata);
    EXPECT_EQ(out->attributes, in.attributes);
    ASSERT_TRUE(out->publisherOffer.has_value());
    EXPECT_EQ(out->publisherOffer->SerializeAsString(), in.publisherOffer->SerializeAsString());
    ASSERT_EQ(out->addTrackRequests.size(), 1u);
    EXPECT_EQ(out->addTrackRequests[0].cid(), "mic");
    ASSERT_TRUE(out->syncState.has_value());
    EXPECT_EQ(out->syncState->answer().type(), "answer");
  }
}

TEST(JoinParamsV1, TokenIsLeftOutWhenEmpty) {
  JoinParams in;
  const std::string query = buildV1Query(in, false);
  EXPECT_EQ(query.find("access_token"), std::string::npos);
  EXPECT_EQ(query.rfind("join_request=", 0), 0u);
}

TEST(JoinParamsV1, RefusesAGzipBomb) {
  livekit::JoinRequest join;
  join.set_metadata(std::string(2 * 1024 * 1024, 'A'));
  const std::string plain = join.SerializeAsString();
  livekit::WrappedJoinRequest wrapped;
  wrapped.set_compression(livekit::WrappedJoinRequest::GZIP);
  wrapped.set_join_request(gzip(bytes(plain)));
  ASSERT_LT(wrapped.join_request().size(), 16u * 1024);  // small on the wire

  const auto params = parseV1Query(v1QueryFor(wrapped));
  ASSERT_FALSE(params.ok());
  EXPECT_EQ(params.code(), JoinParamsError::TooLarge);
}

TEST(JoinParamsV1, RefusesAnOversizedPlainRequest) {
  livekit::JoinRequest join;
  join.set_metadata(std::string(kMaxJoinRequestBytes, 'A'));
  livekit::WrappedJoinRequest wrapped;
  wrapped.set_join_request(join.SerializeAsString());
  EXPECT_EQ(parseV1Query(v1QueryFor(wrapped)).code(), JoinParamsError::TooLarge);
}

TEST(JoinParamsV1, NamesEachBrokenLayer) {
  EXPECT_EQ(parseV1Query("join_request=%%%").code(), JoinParamsError::MalformedQuery);
  EXPECT_EQ(parseV1Query("join_request=not*base64").code(), JoinParamsError::InvalidBase64);
  // 0xff is a field header with wire type 7, which does not exist.
  EXPECT_EQ(parseV1Query("join_request=" + encodeBase64Url(std::string_view("\xff"))).code(),
            JoinParamsError::InvalidWrapper);

  livekit::WrappedJoinRequest wrapped;
  wrapped.set_compression(static_cast<livekit::WrappedJoinRequest::Compression>(7));
  EXPECT_EQ(parseV1Query(v1QueryFor(wrapped)).code(), JoinParamsError::InvalidWrapper);

  wrapped.set_compression(livekit::WrappedJoinRequest::GZIP);
  wrapped.set_join_request("definitely not gzip");
  EXPECT_EQ(parseV1Query(v1QueryFor(wrapped)).code(), JoinParamsError::DecompressionFailed);

  wrapped.set_compression(livekit::WrappedJoinRequest::NONE);
  wrapped.set_join_request(std::string("\x0a\x05\x08", 3));  // client_info claims 5 bytes, has 1
  EXPECT_EQ(parseV1Query(v1QueryFor(wrapped)).code(), JoinParamsError::InvalidJoinRequest);
}

TEST(JoinParamsV1, MissingConnectionSettingsKeepsDefaults) {
  livekit::JoinRequest join;
  join.mutable_client_info()->set_sdk(livekit::ClientInfo::GO);
  livekit::WrappedJoinRequest wrapped;
  wrapped.set_join_request(join.SerializeAsString());
  const auto params = parseV1Query(v1QueryFor(wrapped));
  ASSERT_TRUE(params.ok()) << params.message();
  EXPECT_TRUE(params->autoSubscribe);
  EXPECT_EQ(params->clientInfo.sdk(), livekit::ClientInfo::GO);
}

// ---- Authorization header --------------------------------------------------------------------

TEST(BearerToken, ExtractsTheToken) {
  EXPECT_EQ(bearerToken("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(bearerToken("bearer   abc "), "abc");
  EXPECT_EQ(bearerToken("BEARER\tabc"), "abc");
  EXPECT_EQ(bearerToken("Basic dXNlcjpwYXNz"), "");
  EXPECT_EQ(bearerToken("Bearer"), "");
  EXPECT_EQ(bearerToken("Bearer "), "");
  EXPECT_EQ(bearerToken("Bearerabc"), "");
  EXPECT_EQ(bearerToken(""), "");
}

}  // namespace
}  // namespace huddle::signal
