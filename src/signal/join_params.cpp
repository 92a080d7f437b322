#include "signal/join_params.h"

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <cstdint>
#include <span>
#include <utility>

#include "common/base64.h"
#include "signal/gzip.h"
#include "signal/query_string.h"

namespace huddle::signal {
namespace {

using JoinResult = Result<JoinParams, JoinParamsError>;

// Base64 grows 3 bytes into 4 characters; allow the padding on top.
constexpr std::size_t kMaxJoinRequestBase64 = kMaxJoinRequestBytes / 3 * 4 + 4;

struct SdkName {
  livekit::ClientInfo::SDK sdk;
  std::string_view name;
};

// Section 2.2 of livekit-protocol.md; "ios" is an alias the Swift SDK used to send. The first
// name of each SDK is the one we write.
constexpr std::array kSdkNames{
    SdkName{livekit::ClientInfo::JS, "js"},
    SdkName{livekit::ClientInfo::SWIFT, "swift"},
    SdkName{livekit::ClientInfo::SWIFT, "ios"},
    SdkName{livekit::ClientInfo::ANDROID, "android"},
    SdkName{livekit::ClientInfo::FLUTTER, "flutter"},
    SdkName{livekit::ClientInfo::GO, "go"},
    SdkName{livekit::ClientInfo::UNITY, "unity"},
    SdkName{livekit::ClientInfo::REACT_NATIVE, "reactnative"},
    SdkName{livekit::ClientInfo::RUST, "rust"},
    SdkName{livekit::ClientInfo::PYTHON, "python"},
    SdkName{livekit::ClientInfo::CPP, "cpp"},
    SdkName{livekit::ClientInfo::UNITY_WEB, "unityweb"},
    SdkName{livekit::ClientInfo::NODE, "node"},
    SdkName{livekit::ClientInfo::UNREAL, "unreal"},
    SdkName{livekit::ClientInfo::ESP32, "esp32"},
    SdkName{livekit::ClientInfo::DOTNET, "dotnet"},
};

// The reference server's rule: only "1" and "true" are true.
bool boolValue(std::string_view text) { return text == "1" || text == "true"; }

// Informational integers are best effort: a malformed one reads as 0 rather than failing the
// join, which is what the reference server's lenient parsing amounts to.
std::int32_t intValue(std::string_view text) {
  std::int32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return 0;
  return value;
}

livekit::ReconnectReason reconnectReasonValue(std::int32_t value) {
  return livekit::ReconnectReason_IsValid(value) ? static_cast<livekit::ReconnectReason>(value)
                                                 : livekit::RR_UNKNOWN;
}

std::span<const std::uint8_t> bytesOf(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

Result<std::map<std::string, std::string>, JoinParamsError> parseAttributes(
    std::string_view encoded) {
  const auto decoded = decodeBase64Url(encoded);
  if (!decoded) return Error{JoinParamsError::InvalidBase64, "attributes is not base64url"};
  const auto json = nlohmann::json::parse(*decoded, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) {
    return Error{JoinParamsError::InvalidAttributes, "attributes is not a JSON object"};
  }
  std::map<std::string, std::string> attributes;
  for (const auto& [key, value] : json.items()) {
    if (!value.is_string()) {
      return Error{JoinParamsError::InvalidAttributes, "attribute '" + key + "' is not a string"};
    }
    attributes.emplace(key, value.get<std::string>());
  }
  return attributes;
}

void fillClientInfoV0(const QueryParams& query, livekit::ClientInfo& info) {
  auto text = [&](std::string_view name) -> const std::string* { return query.find(name); };
  if (const auto* v = text("sdk")) info.set_sdk(sdkFromName(*v));
  if (const auto* v = text("version")) info.set_version(*v);
  if (const auto* v = text("protocol")) info.set_protocol(intValue(*v));
  if (const auto* v = text("client_protocol")) info.set_client_protocol(intValue(*v));
  if (const auto* v = text("os")) info.set_os(*v);
  if (const auto* v = text("os_version")) info.set_os_version(*v);
  if (const auto* v = text("device_model")) info.set_device_model(*v);
  if (const auto* v = text("browser")) info.set_browser(*v);
  if (const auto* v = text("browser_version")) info.set_browser_version(*v);
  if (const auto* v = text("network")) info.set_network(*v);
  if (const auto* v = text("capabilities")) {
    std::string_view rest = *v;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      const std::string name(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      livekit::ClientInfo::Capability capability{};
      // Names we do not know come from newer clients; skipping them loses nothing we could use.
      if (livekit::ClientInfo::Capability_Parse(name, &capability)) {
        info.add_capabilities(capability);
      }
    }
  }
}

}  // namespace

std::string_view toString(JoinParamsError error) {
  switch (error) {
    case JoinParamsError::MalformedQuery:
      return "malformed_query";
    case JoinParamsError::MissingJoinRequest:
      return "missing_join_request";
    case JoinParamsError::TooLarge:
      return "too_large";
    case JoinParamsError::InvalidBase64:
      return "invalid_base64";
    case JoinParamsError::InvalidWrapper:
      return "invalid_wrapper";
    case JoinParamsError::DecompressionFailed:
      return "decompression_failed";
    case JoinParamsError::InvalidJoinRequest:
      return "invalid_join_request";
    case JoinParamsError::InvalidAttributes:
      return "invalid_attributes";
  }
  return "unknown";
}

livekit::ClientInfo::SDK sdkFromName(std::string_view name) {
  for (const auto& entry : kSdkNames) {
    if (entry.name == name) return entry.sdk;
  }
  return livekit::ClientInfo::UNKNOWN;
}

std::string_view sdkName(livekit::ClientInfo::SDK sdk) {
  for (const auto& entry : kSdkNames) {
    if (entry.sdk == sdk) return entry.name;
  }
  return {};
}

JoinResult parseV0Query(std::string_view query) {
  auto parsed = QueryParams::parse(query);
  if (!parsed) return Error{JoinParamsError::MalformedQuery, "malformed %-escape in query"};
  const QueryParams& q = *parsed;

  JoinParams params;
  if (const auto* v = q.find("access_token")) params.accessToken = *v;
  if (const auto* v = q.find("reconnect")) params.reconnect = boolValue(*v);
  if (const auto* v = q.find("sid")) params.participantSid = *v;
  if (const auto* v = q.find("reconnect_reason")) {
    params.reconnectReason = reconnectReasonValue(intValue(*v));
  }
  if (const auto* v = q.find("auto_subscribe")) params.autoSubscribe = boolValue(*v);
  if (const auto* v = q.find("adaptive_stream")) params.adaptiveStream = boolValue(*v);
  if (const auto* v = q.find("disable_ice_lite")) params.disableIceLite = boolValue(*v);
  if (const auto* v = q.find("subscriber_allow_pause")) params.subscriberAllowPause = boolValue(*v);
  if (const auto* v = q.find("auto_subscribe_data_track")) {
    params.autoSubscribeDataTrack = boolValue(*v);
  }
  if (const auto* v = q.find("publish")) params.publish = *v;
  if (const auto* v = q.find("attributes"); v != nullptr && !v->empty()) {
    auto attributes = parseAttributes(*v);
    if (!attributes) return attributes.error();
    params.attributes = std::move(attributes).value();
  }
  fillClientInfoV0(q, params.clientInfo);
  return params;
}

JoinResult parseV1Query(std::string_view query) {
  auto parsed = QueryParams::parse(query);
  if (!parsed) return Error{JoinParamsError::MalformedQuery, "malformed %-escape in query"};
  const QueryParams& q = *parsed;

  const std::string* encoded = q.find("join_request");
  if (encoded == nullptr || encoded->empty()) {
    return Error{JoinParamsError::MissingJoinRequest, "join_request missing"};
  }
  if (encoded->size() > kMaxJoinRequestBase64) {
    return Error{JoinParamsError::TooLarge,
                 "join_request longer than " + std::to_string(kMaxJoinRequestBase64) + " chars"};
  }
  const auto wrappedBytes = decodeBase64Url(*encoded);
  if (!wrappedBytes) return Error{JoinParamsError::InvalidBase64, "join_request is not base64url"};

  livekit::WrappedJoinRequest wrapped;
  if (!wrapped.ParseFromString(*wrappedBytes)) {
    return Error{JoinParamsError::InvalidWrapper, "join_request is not a WrappedJoinRequest"};
  }
  std::string joinBytes;
  switch (wrapped.compression()) {
    case livekit::WrappedJoinRequest::NONE:
      joinBytes = std::move(*wrapped.mutable_join_request());
      break;
    case livekit::WrappedJoinRequest::GZIP: {
      auto inflated = gunzip(bytesOf(wrapped.join_request()), kMaxJoinRequestBytes);
      if (!inflated) {
        const auto code = inflated.code() == GzipError::TooLarge
                              ? JoinParamsError::TooLarge
                              : JoinParamsError::DecompressionFailed;
        return Error{code, "join_request: " + inflated.message()};
      }
      joinBytes = std::move(inflated).value();
      break;
    }
    default:
      return Error{JoinParamsError::InvalidWrapper,
                   "unknown join_request compression " + std::to_string(wrapped.compression())};
  }
  if (joinBytes.size() > kMaxJoinRequestBytes) {
    return Error{JoinParamsError::TooLarge,
                 "join_request exceeds " + std::to_string(kMaxJoinRequestBytes) + " bytes"};
  }
  livekit::JoinRequest join;
  if (!join.ParseFromString(joinBytes)) {
    return Error{JoinParamsError::InvalidJoinRequest, "join_request is not a JoinRequest"};
  }

  JoinParams params;
  params.singlePeerConnection = true;
  if (const auto* v = q.find("access_token")) params.accessToken = *v;
  params.clientInfo = std::move(*join.mutable_client_info());
  // A client that leaves connection_settings out gets the same defaults as a v0 client that
  // sends no options.
  if (join.has_connection_settings()) {
    const auto& settings = join.connection_settings();
    params.autoSubscribe = settings.auto_subscribe();
    params.adaptiveStream = settings.adaptive_stream();
    params.disableIceLite = settings.disable_ice_lite();
    if (settings.has_subscriber_allow_pause()) {
      params.subscriberAllowPause = settings.subscriber_allow_pause();
    }
    if (settings.has_auto_subscribe_data_track()) {
      params.autoSubscribeDataTrack = settings.auto_subscribe_data_track();
    }
  }
  params.metadata = std::move(*join.mutable_metadata());
  params.attributes.insert(join.participant_attributes().begin(),
                           join.participant_attributes().end());
  if (join.has_publisher_offer()) {
    params.publisherOffer = std::move(*join.mutable_publisher_offer());
  }
  params.addTrackRequests.assign(join.add_track_requests().begin(),
                                 join.add_track_requests().end());
  if (join.has_sync_state()) params.syncState = std::move(*join.mutable_sync_state());
  params.reconnect = join.reconnect();
  params.reconnectReason = reconnectReasonValue(join.reconnect_reason());
  params.participantSid = std::move(*join.mutable_participant_sid());
  return params;
}

std::string bearerToken(std::string_view header) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  header = trim(header);
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = header[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != kScheme[i]) return {};
  }
  const char separator = header[kScheme.size()];
  if (separator != ' ' && separator != '\t') return {};
  return std::string(trim(header.substr(kScheme.size())));
}

std::string buildV0Query(const JoinParams& params) {
  auto flag = [](bool value) { return value ? "1" : "0"; };
  const auto& info = params.clientInfo;
  QueryBuilder q;
  if (!params.accessToken.empty()) q.add("access_token", params.accessToken);
  if (params.reconnect) {
    q.add("reconnect", "1");
    if (!params.participantSid.empty()) q.add("sid", params.participantSid);
  }
  if (params.reconnectReason != livekit::RR_UNKNOWN) {
    q.add("reconnect_reason", std::to_string(params.reconnectReason));
  }
  q.add("auto_subscribe", flag(params.autoSubscribe));
  q.add("adaptive_stream", flag(params.adaptiveStream));
  if (const auto name = sdkName(info.sdk()); !name.empty()) q.add("sdk", name);
  if (!info.version().empty()) q.add("version", info.version());
  q.add("protocol", std::to_string(info.protocol()));
  if (info.client_protocol() != 0) q.add("client_protocol", std::to_string(info.client_protocol()));
  const std::pair<std::string_view, const std::string*> texts[] = {
      {"os", &info.os()},
      {"os_version", &info.os_version()},
      {"device_model", &info.device_model()},
      {"browser", &info.browser()},
      {"browser_version", &info.browser_version()},
      {"network", &info.network()},
  };
  for (const auto& [name, value] : texts) {
    if (!value->empty()) q.add(name, *value);
  }
  if (info.capabilities_size() > 0) {
    std::string names;
    for (const int capability : info.capabilities()) {
      if (!names.empty()) names.push_back(',');
      names += livekit::ClientInfo::Capability_Name(capability);
    }
    q.add("capabilities", names);
  }
  if (params.disableIceLite) q.add("disable_ice_lite", "1");
  if (params.subscriberAllowPause) {
    q.add("subscriber_allow_pause", flag(*params.subscriberAllowPause));
  }
  if (params.autoSubscribeDataTrack) {
    q.add("auto_subscribe_data_track", flag(*params.autoSubscribeDataTrack));
  }
  if (!params.publish.empty()) q.add("publish", params.publish);
  if (!params.attributes.empty()) {
    const nlohmann::json json(params.attributes);
    // replace: an attribute that is not UTF-8 must not throw out of a query builder.
    const std::string text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    q.add("attributes", encodeBase64Url(text, Base64Padding::Keep));
  }
  return q.str();
}

std::string buildV1Query(const JoinParams& params, bool compress) {
  livekit::JoinRequest join;
  *join.mutable_client_info() = params.clientInfo;
  auto* settings = join.mutable_connection_settings();
  settings->set_auto_subscribe(params.autoSubscribe);
  settings->set_adaptive_stream(params.adaptiveStream);
  settings->set_disable_ice_lite(params.disableIceLite);
  if (params.subscriberAllowPause) {
    settings->set_subscriber_allow_pause(*params.subscriberAllowPause);
  }
  if (params.autoSubscribeDataTrack) {
    settings->set_auto_subscribe_data_track(*params.autoSubscribeDataTrack);
  }
  join.set_metadata(params.metadata);
  join.mutable_participant_attributes()->insert(params.attributes.begin(), params.attributes.end());
  for (const auto& track : params.addTrackRequests) *join.add_add_track_requests() = track;
  if (params.publisherOffer) *join.mutable_publisher_offer() = *params.publisherOffer;
  join.set_reconnect(params.reconnect);
  join.set_reconnect_reason(params.reconnectReason);
  join.set_participant_sid(params.participantSid);
  if (params.syncState) *join.mutable_sync_state() = *params.syncState;

  livekit::WrappedJoinRequest wrapped;
  const std::string joinBytes = join.SerializeAsString();
  if (compress) {
    wrapped.set_compression(livekit::WrappedJoinRequest::GZIP);
    wrapped.set_join_request(gzip(bytesOf(joinBytes)));
  } else {
    wrapped.set_compression(livekit::WrappedJoinRequest::NONE);
    wrapped.set_join_request(joinBytes);
  }
  QueryBuilder q;
  if (!params.accessToken.empty()) q.add("access_token", params.accessToken);
  q.add("join_request",
        encodeBase64Url(std::string_view(wrapped.SerializeAsString()), Base64Padding::Keep));
  return q.str();
}

}  // namespace huddle::signal
