// Golden-vector interop between our generated protobuf classes and @livekit/protocol 1.52.1.
//
// make_vectors.mjs (run by CTest before this test) writes, per vector, the reference binary and
// proto3 JSON. Direction 1 decodes the binary with our classes and compares: no unknown fields
// anywhere, the same JSON, the same bytes on re-serialisation. Direction 2 builds each message
// from the reference JSON, writes our binary into HUDDLE_PROTO_CPP_OUT, and verify_vectors.mjs
// (run by CTest after this test) decodes it with the reference library.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "livekit_models.pb.h"
#include "livekit_room.pb.h"
#include "livekit_rtc.pb.h"
#include "livekit_webhook.pb.h"

namespace {

namespace fs = std::filesystem;
namespace pb = google::protobuf;

// The files of our schema; every message they declare must have at least one vector.
const std::vector<std::string> kOurFiles = {
    "livekit_agent.proto",   "livekit_agent_dispatch.proto", "livekit_egress.proto",
    "livekit_ingress.proto", "livekit_metrics.proto",        "livekit_models.proto",
    "livekit_room.proto",    "livekit_rtc.proto",            "livekit_webhook.proto",
};

struct Vector {
  std::string name;
  std::string type;
  std::string file;
};

std::optional<std::string> readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

fs::path envPath(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? fs::path(value) : fs::path();
}

// Static-library objects are only linked when referenced, and the generated pool only knows the
// files that were linked; touching one message per top file pulls in the rest via imports.
void linkSchema() {
  (void)livekit::Room::descriptor();
  (void)livekit::SignalRequest::descriptor();
  (void)livekit::CreateRoomRequest::descriptor();
  (void)livekit::WebhookEvent::descriptor();
}

std::unique_ptr<pb::Message> newMessage(const std::string& type) {
  const pb::Descriptor* desc = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
  if (desc == nullptr) {
    return nullptr;
  }
  const pb::Message* proto = pb::MessageFactory::generated_factory()->GetPrototype(desc);
  return proto != nullptr ? std::unique_ptr<pb::Message>(proto->New()) : nullptr;
}

// Paths of every message in the tree that carries unknown fields; a field number we lack or a
// wire type we got wrong lands there instead of failing the parse.
void collectUnknown(const pb::Message& msg, const std::string& path, std::vector<std::string>& out) {
  const pb::Reflection* refl = msg.GetReflection();
  const pb::UnknownFieldSet& unknown = refl->GetUnknownFields(msg);
  for (int i = 0; i < unknown.field_count(); ++i) {
    out.push_back(path + " #" + std::to_string(unknown.field(i).number()));
  }
  std::vector<const pb::FieldDescriptor*> fields;
  refl->ListFields(msg, &fields);
  for (const pb::FieldDescriptor* f : fields) {
    if (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      continue;
    }
    const std::string sub = path + "." + f->name();
    if (f->is_repeated()) {
      for (int i = 0; i < refl->FieldSize(msg, f); ++i) {
        collectUnknown(refl->GetRepeatedMessage(msg, f, i), sub + "[" + std::to_string(i) + "]", out);
      }
    } else {
      collectUnknown(refl->GetMessage(msg, f), sub, out);
    }
  }
}

std::string serializeDeterministic(const pb::Message& msg) {
  std::string out;
  {
    pb::io::StringOutputStream stream(&out);
    pb::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!msg.SerializeToCodedStream(&coded)) {
      return {};
    }
  }
  return out;
}

std::string describeByteMismatch(const std::string& expected, const std::string& actual) {
  size_t i = 0;
  while (i < expected.size() && i < actual.size() && expected[i] == actual[i]) {
    ++i;
  }
  char buf[160];
  std::snprintf(buf, sizeof(buf), "sizes %zu (js) vs %zu (c++), first difference at offset %zu", expected.size(),
                actual.size(), i);
  return buf;
}

class ProtoGoldenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    linkSchema();
    vectorDir_ = envPath("HUDDLE_PROTO_VECTORS");
    cppOutDir_ = envPath("HUDDLE_PROTO_CPP_OUT");
    vectors_.clear();
    if (vectorDir_.empty()) {
      return;
    }
    const std::optional<std::string> text = readFile(vectorDir_ / "manifest.json");
    if (!text) {
      return;
    }
    const nlohmann::json manifest = nlohmann::json::parse(*text, nullptr, false);
    if (!manifest.is_array()) {
      return;
    }
    for (const nlohmann::json& entry : manifest) {
      vectors_.push_back({entry.value("name", ""), entry.value("type", ""), entry.value("file", "")});
    }
  }

  static fs::path vectorDir_;
  static fs::path cppOutDir_;
  static std::vector<Vector> vectors_;
};

fs::path ProtoGoldenTest::vectorDir_;
fs::path ProtoGoldenTest::cppOutDir_;
std::vector<Vector> ProtoGoldenTest::vectors_;

TEST_F(ProtoGoldenTest, ManifestCoversEveryMessageOfOurSchema) {
  ASSERT_FALSE(vectorDir_.empty()) << "HUDDLE_PROTO_VECTORS is not set (run through ctest)";
  ASSERT_GT(vectors_.size(), 300U) << "manifest missing or too small in " << vectorDir_;

  std::set<std::string> vectorTypes;
  std::set<std::string> vectorNames;
  for (const Vector& v : vectors_) {
    vectorTypes.insert(v.type);
    vectorNames.insert(v.name);
  }
  size_t messageCount = 0;
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  std::vector<const pb::Descriptor*> pending;
  for (const std::string& file : kOurFiles) {
    const pb::FileDescriptor* fd = pool->FindFileByName(file);
    ASSERT_NE(fd, nullptr) << file;
    for (int i = 0; i < fd->message_type_count(); ++i) {
      pending.push_back(fd->message_type(i));
    }
  }
  while (!pending.empty()) {
    const pb::Descriptor* d = pending.back();
    pending.pop_back();
    for (int i = 0; i < d->nested_type_count(); ++i) {
      pending.push_back(d->nested_type(i));
    }
    if (d->options().map_entry()) {
      continue;
    }
    ++messageCount;
    EXPECT_TRUE(vectorTypes.count(d->full_name()) == 1) << "no golden vector for " << d->full_name();
  }
  EXPECT_GT(messageCount, 180U);

  // One vector per oneof member of the top-level signalling and data messages.
  for (const char* type : {"livekit.SignalRequest", "livekit.SignalResponse", "livekit.DataPacket"}) {
    const pb::Descriptor* d = pool->FindMessageTypeByName(type);
    ASSERT_NE(d, nullptr);
    const pb::OneofDescriptor* oneof = d->oneof_decl(0);
    for (int i = 0; i < oneof->field_count(); ++i) {
      const std::string name = std::string(type).substr(8) + "." + oneof->field(i)->name();
      EXPECT_TRUE(vectorNames.count(name) == 1) << "missing vector " << name;
    }
  }
}

// Compares one field of ours with the reference's type information for it.
void expectSameField(const pb::FieldDescriptor& ours, const nlohmann::json& ref) {
  const std::string kind = ref.value("kind", "");
  EXPECT_EQ(ours.name(), ref.value("name", ""));
  EXPECT_EQ(ours.json_name(), ref.value("jsonName", ""));
  const pb::OneofDescriptor* oneof = ours.real_containing_oneof();
  EXPECT_EQ(oneof != nullptr ? oneof->name() : std::string(), ref.value("oneof", ""));
  EXPECT_EQ(ours.has_optional_keyword(), ref.value("optional", false));
  EXPECT_EQ(ours.is_map(), kind == "map");
  const pb::FieldDescriptor* typed = &ours;
  std::string valueKind = kind;
  nlohmann::json valueType = ref.value("type", nlohmann::json());
  if (ours.is_map()) {
    const pb::Descriptor* entry = ours.message_type();
    EXPECT_EQ(static_cast<int>(entry->map_key()->type()), ref.value("mapKey", -1));
    typed = entry->map_value();
    valueKind = ref.value("mapValueKind", "");
    valueType = ref.value("mapValue", nlohmann::json());
  } else {
    EXPECT_EQ(ours.is_repeated(), ref.value("repeated", false));
  }
  if (valueKind == "scalar") {
    EXPECT_EQ(static_cast<int>(typed->type()), valueType.is_number() ? valueType.get<int>() : -1);
  } else if (valueKind == "enum") {
    ASSERT_EQ(typed->type(), pb::FieldDescriptor::TYPE_ENUM);
    EXPECT_EQ(typed->enum_type()->full_name(), valueType.is_string() ? valueType.get<std::string>() : "");
  } else if (valueKind == "message") {
    ASSERT_EQ(typed->type(), pb::FieldDescriptor::TYPE_MESSAGE);
    EXPECT_EQ(typed->message_type()->full_name(), valueType.is_string() ? valueType.get<std::string>() : "");
  } else {
    ADD_FAILURE() << "unexpected kind " << valueKind;
  }
}

TEST_F(ProtoGoldenTest, DescriptorsMatchReferenceTypeInfo) {
  const std::optional<std::string> text = readFile(vectorDir_ / "schema.json");
  ASSERT_TRUE(text) << "schema.json missing in " << vectorDir_;
  const nlohmann::json schema = nlohmann::json::parse(*text, nullptr, false);
  ASSERT_TRUE(schema.is_object());
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  ASSERT_GT(schema["messages"].size(), 180U);
  for (const auto& [type, fields] : schema["messages"].items()) {
    SCOPED_TRACE(type);
    const pb::Descriptor* desc = pool->FindMessageTypeByName(type);
    ASSERT_NE(desc, nullptr) << "message missing from our schema";
    EXPECT_EQ(static_cast<size_t>(desc->field_count()), fields.size()) << "field count differs";
    for (const nlohmann::json& ref : fields) {
      SCOPED_TRACE(ref.value("name", ""));
      const pb::FieldDescriptor* ours = desc->FindFieldByNumber(ref.value("no", 0));
      ASSERT_NE(ours, nullptr) << "field number " << ref.value("no", 0) << " missing";
      expectSameField(*ours, ref);
    }
  }
  for (const auto& [type, values] : schema["enums"].items()) {
    SCOPED_TRACE(type);
    const pb::EnumDescriptor* desc = pool->FindEnumTypeByName(type);
    ASSERT_NE(desc, nullptr) << "enum missing from our schema";
    EXPECT_EQ(static_cast<size_t>(desc->value_count()), values.size());
    for (const nlohmann::json& ref : values) {
      const pb::EnumValueDescriptor* value = desc->FindValueByName(ref.value("name", ""));
      ASSERT_NE(value, nullptr) << "enum value " << ref.value("name", "") << " missing";
      EXPECT_EQ(value->number(), ref.value("no", -1)) << value->name();
    }
  }
}

TEST_F(ProtoGoldenTest, ReferenceBytesDecodeToSameJsonAndBytes) {
  ASSERT_FALSE(vectors_.empty());
  for (const Vector& v : vectors_) {
    SCOPED_TRACE(v.name);
    const std::optional<std::string> bin = readFile(vectorDir_ / (v.file + ".bin"));
    const std::optional<std::string> jsJson = readFile(vectorDir_ / (v.file + ".json"));
    ASSERT_TRUE(bin && jsJson);

    std::unique_ptr<pb::Message> msg = newMessage(v.type);
    ASSERT_NE(msg, nullptr) << "type not in our schema: " << v.type;
    ASSERT_TRUE(msg->ParseFromString(*bin));

    std::vector<std::string> unknown;
    collectUnknown(*msg, v.type, unknown);
    EXPECT_TRUE(unknown.empty()) << "unknown fields: " << ::testing::PrintToString(unknown);

    std::string ourJson;
    ASSERT_TRUE(pb::util::MessageToJsonString(*msg, &ourJson).ok());
    const nlohmann::json expected = nlohmann::json::parse(*jsJson, nullptr, false);
    const nlohmann::json actual = nlohmann::json::parse(ourJson, nullptr, false);
    ASSERT_FALSE(expected.is_discarded());
    ASSERT_FALSE(actual.is_discarded());
    EXPECT_EQ(expected, actual) << "JSON patch js -> c++: " << nlohmann::json::diff(expected, actual).dump();

    // Both sides write fields in number order; the reference writes map entries in insertion
    // order, which make_vectors.mjs keeps ascending, matching deterministic C++ output.
    const std::string ours = serializeDeterministic(*msg);
    EXPECT_TRUE(ours == *bin) << describeByteMismatch(*bin, ours);
  }
}

TEST_F(ProtoGoldenTest, ReferenceJsonParsesAndWritesOurBinary) {
  ASSERT_FALSE(vectors_.empty());
  ASSERT_FALSE(cppOutDir_.empty()) << "HUDDLE_PROTO_CPP_OUT is not set (run through ctest)";
  fs::remove_all(cppOutDir_);
  fs::create_directories(cppOutDir_);
  // Per-vector failures do not stop the loop: the others still reach verify_vectors.mjs, which
  // also fails on any vector missing from this manifest.
  nlohmann::json written = nlohmann::json::array();
  for (const Vector& v : vectors_) {
    SCOPED_TRACE(v.name);
    const std::optional<std::string> bin = readFile(vectorDir_ / (v.file + ".bin"));
    const std::optional<std::string> jsJson = readFile(vectorDir_ / (v.file + ".json"));
    std::unique_ptr<pb::Message> fromJson = newMessage(v.type);
    std::unique_ptr<pb::Message> fromBinary = newMessage(v.type);
    if (!bin || !jsJson || fromJson == nullptr || fromBinary == nullptr) {
      ADD_FAILURE() << "vector files or type missing";
      continue;
    }
    // Strict parsing: a JSON name we lack fails here rather than being dropped.
    const pb::util::Status status = pb::util::JsonStringToMessage(*jsJson, fromJson.get());
    if (!status.ok()) {
      ADD_FAILURE() << status.ToString();
      continue;
    }
    EXPECT_TRUE(fromBinary->ParseFromString(*bin));
    EXPECT_TRUE(pb::util::MessageDifferencer::Equals(*fromJson, *fromBinary));

    std::ofstream out(cppOutDir_ / (v.file + ".bin"), std::ios::binary | std::ios::trunc);
    out << serializeDeterministic(*fromJson);
    EXPECT_TRUE(out.good());
    written.push_back({{"name", v.name}, {"type", v.type}, {"file", v.file}});
  }
  std::ofstream manifest(cppOutDir_ / "manifest.json", std::ios::trunc);
  manifest << written.dump(1);
  ASSERT_TRUE(manifest.good());
}

}  // namespace
