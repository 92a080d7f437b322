#include "signal/signal_codec.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include <climits>

namespace huddle::signal {
namespace {

template <typename Message>
Result<Message, SignalCodecError> decode(std::span<const std::uint8_t> frame, bool textFrame,
                                         std::size_t limit) {
  if (frame.size() > limit) {
    return Error{SignalCodecError::TooLarge, "frame of " + std::to_string(frame.size()) +
                                                 " bytes exceeds the limit of " +
                                                 std::to_string(limit)};
  }
  Message message;
  if (textFrame) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    const std::string_view text(reinterpret_cast<const char*>(frame.data()), frame.size());
    const auto status = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(text.data(), text.size()), &message, options);
    if (!status.ok()) {
      return Error{SignalCodecError::Malformed,
                   "invalid proto3 JSON: " + std::string(status.message())};
    }
  } else {
    static_assert(kMaxSignalResponseBytes < INT_MAX);
    if (!message.ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
      return Error{SignalCodecError::Malformed, "invalid protobuf"};
    }
  }
  if (message.message_case() == Message::MESSAGE_NOT_SET) {
    return Error{SignalCodecError::NoMessageSet, "no message set"};
  }
  return message;
}

template <typename Message>
std::string encode(const Message& message, bool json) {
  std::string out;
  if (json) {
    // Fails only for strings that are not UTF-8, which proto3 JSON cannot carry; the caller gets
    // an empty frame rather than an exception.
    if (!google::protobuf::util::MessageToJsonString(message, &out).ok()) out.clear();
  } else {
    message.SerializeToString(&out);
  }
  return out;
}

template <typename Message>
std::string_view oneofName(const Message& message) {
  if (message.message_case() == Message::MESSAGE_NOT_SET) return "none";
  const auto* field = Message::descriptor()->FindFieldByNumber(message.message_case());
  // Descriptors live in the generated pool for the whole program, so the view stays valid.
  return field != nullptr ? std::string_view(field->name()) : std::string_view("unknown");
}

}  // namespace

std::string_view toString(SignalCodecError error) {
  switch (error) {
    case SignalCodecError::TooLarge:
      return "too_large";
    case SignalCodecError::Malformed:
      return "malformed";
    case SignalCodecError::NoMessageSet:
      return "no_message_set";
  }
  return "unknown";
}

Result<livekit::SignalRequest, SignalCodecError> decodeSignalRequest(
    std::span<const std::uint8_t> frame, bool textFrame) {
  return decode<livekit::SignalRequest>(frame, textFrame, kMaxSignalMessageBytes);
}

Result<livekit::SignalResponse, SignalCodecError> decodeSignalResponse(
    std::span<const std::uint8_t> frame, bool textFrame) {
  return decode<livekit::SignalResponse>(frame, textFrame, kMaxSignalResponseBytes);
}

std::string encodeSignalResponse(const livekit::SignalResponse& response, bool json) {
  return encode(response, json);
}

std::string encodeSignalRequest(const livekit::SignalRequest& request, bool json) {
  return encode(request, json);
}

std::optional<livekit::SignalResponse> keepaliveResponse(const livekit::SignalRequest& request,
                                                        std::int64_t nowUnixMs) {
  livekit::SignalResponse response;
  if (request.has_ping_req()) {
    response.mutable_pong_resp()->set_last_ping_timestamp(request.ping_req().timestamp());
    response.mutable_pong_resp()->set_timestamp(nowUnixMs);
  } else if (request.message_case() == livekit::SignalRequest::kPing) {
    response.set_pong(nowUnixMs);
  } else {
    return std::nullopt;
  }
  return response;
}

std::string_view signalRequestName(const livekit::SignalRequest& request) {
  return oneofName(request);
}

std::string_view signalResponseName(const livekit::SignalResponse& response) {
  return oneofName(response);
}

}  // namespace huddle::signal
