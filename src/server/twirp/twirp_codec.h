#pragma once
// Twirp bodies: proto3 JSON or binary protobuf, chosen by Content-Type. Pure, any thread.

#include <optional>
#include <string>
#include <string_view>

namespace google::protobuf {
class Message;
}

namespace huddle::server {

enum class TwirpEncoding { Json, Protobuf };

// "application/json" or "application/protobuf", ignoring case, spaces and parameters such as
// ";charset=UTF-8"; anything else is not a Twirp request.
[[nodiscard]] std::optional<TwirpEncoding> encodingFromContentType(std::string_view contentType);
[[nodiscard]] std::string_view contentTypeOf(TwirpEncoding encoding);

// Fills `out` from a request body. JSON field names match in any casing with or without
// underscores (camelCase, snake_case, PascalCase...), enums by name (any case) or number, int64
// as string or number, unknown fields ignored. Returns false for anything unparsable; never
// throws.
[[nodiscard]] bool decodeTwirpMessage(std::string_view body, TwirpEncoding encoding,
                                      google::protobuf::Message& out);

// JSON replies use proto field names and print fields left at their defaults, as LiveKit's
// server does. nullopt only if protobuf refuses to serialise.
[[nodiscard]] std::optional<std::string> encodeTwirpMessage(const google::protobuf::Message& msg,
                                                            TwirpEncoding encoding);

}  // namespace huddle::server
