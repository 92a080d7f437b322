#include "server/twirp/twirp_codec.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <utility>

namespace huddle::server {
namespace {

using nlohmann::json;
namespace pb = google::protobuf;

// Requests nest a few levels at most; the limit keeps recursive walks (ours, nlohmann's dump,
// protobuf's parser) far from the stack's end on hostile input.
constexpr int kMaxJsonDepth = 32;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// "emptyTimeout", "empty_timeout" and "EMPTY_TIMEOUT" all fold to "emptytimeout".
std::string foldName(std::string_view name) {
  std::string folded;
  folded.reserve(name.size());
  for (const char c : name) {
    if (c == '_') continue;
    folded.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return folded;
}

// Counts bracket nesting outside strings, so depth is bounded before any recursive parser runs.
bool withinDepth(std::string_view text) {
  int depth = 0;
  bool inString = false;
  bool escaped = false;
  for (const char c : text) {
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        inString = false;
      }
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

const pb::FieldDescriptor* findField(const pb::Descriptor& type, const std::string& key) {
  if (const auto* field = type.FindFieldByName(key)) return field;
  if (const auto* field = type.FindFieldByCamelcaseName(key)) return field;
  const std::string folded = foldName(key);
  for (int i = 0; i < type.field_count(); ++i) {
    const auto* field = type.field(i);
    if (foldName(field->name()) == folded) return field;
  }
  return nullptr;
}

bool isWellKnown(const pb::Descriptor& type) {
  return type.file()->package() == "google.protobuf";
}

bool normalizeObject(json& object, const pb::Descriptor& type);

// Renames keys inside a value that holds `field`'s message type (singular, repeated or map).
bool normalizeFieldValue(json& value, const pb::FieldDescriptor& field) {
  if (field.cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) return true;
  const pb::Descriptor& fieldType = *field.message_type();
  if (field.is_map()) {
    const auto* valueField = fieldType.map_value();
    if (!value.is_object() || valueField->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      return true;
    }
    // Map keys are user data (attribute names...): only the values are messages.
    for (auto& [key, entry] : value.items()) {
      (void)key;
      if (entry.is_object() && !normalizeObject(entry, *valueField->message_type())) return false;
    }
    return true;
  }
  if (isWellKnown(fieldType)) return true;
  if (field.is_repeated()) {
    if (!value.is_array()) return true;
    for (auto& element : value) {
      if (element.is_object() && !normalizeObject(element, fieldType)) return false;
    }
    return true;
  }
  return !value.is_object() || normalizeObject(value, fieldType);
}

// Rewrites every key that names a field, in whatever casing, to the field's proto name;
// protobuf's JSON parser then only has to know the two spellings it already accepts. Unknown
// keys stay as they are and are ignored by the parser.
bool normalizeObject(json& object, const pb::Descriptor& type) {
  json renamed = json::object();
  for (auto& [key, value] : object.items()) {
    const auto* field = findField(type, key);
    const std::string& name = field != nullptr ? field->name() : key;
    if (renamed.contains(name)) return false;  // one field spelled twice
    if (field != nullptr && !normalizeFieldValue(value, *field)) return false;
    renamed[name] = std::move(value);
  }
  object = std::move(renamed);
  return true;
}

bool decodeJson(std::string_view body, pb::Message& out) {
  if (!withinDepth(body)) return false;
  json tree = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (!tree.is_object()) return false;
  if (!normalizeObject(tree, *out.GetDescriptor())) return false;
  const std::string normalized = tree.dump(-1, ' ', false, json::error_handler_t::replace);

  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  options.case_insensitive_enum_parsing = true;
  return pb::util::JsonStringToMessage(normalized, &out, options).ok();
}

}  // namespace

std::optional<TwirpEncoding> encodingFromContentType(std::string_view contentType) {
  if (const auto semicolon = contentType.find(';'); semicolon != std::string_view::npos) {
    contentType = contentType.substr(0, semicolon);
  }
  contentType = trim(contentType);
  if (equalsIgnoreCase(contentType, "application/json")) return TwirpEncoding::Json;
  if (equalsIgnoreCase(contentType, "application/protobuf")) return TwirpEncoding::Protobuf;
  return std::nullopt;
}

std::string_view contentTypeOf(TwirpEncoding encoding) {
  return encoding == TwirpEncoding::Json ? "application/json" : "application/protobuf";
}

bool decodeTwirpMessage(std::string_view body, TwirpEncoding encoding, pb::Message& out) {
  out.Clear();
  if (encoding == TwirpEncoding::Protobuf) {
    // protobuf logs an ERROR for each string field with invalid UTF-8; a client must not be
    // able to fill our logs that way, and the caller reports the failure anyway.
    const pb::LogSilencer quiet;
    return out.ParseFromArray(body.data(), static_cast<int>(body.size()));
  }
  return decodeJson(body, out);
}

std::optional<std::string> encodeTwirpMessage(const pb::Message& msg, TwirpEncoding encoding) {
  std::string out;
  if (encoding == TwirpEncoding::Protobuf) {
    if (!msg.SerializeToString(&out)) return std::nullopt;
    return out;
  }
  pb::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  if (!pb::util::MessageToJsonString(msg, &out, options).ok()) return std::nullopt;
  return out;
}

}  // namespace huddle::server
