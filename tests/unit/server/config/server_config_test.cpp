#include "server/config/server_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace huddle::server {
namespace {

constexpr const char* kSecret = "0123456789abcdef0123456789abcdef";  // exactly 32 bytes
constexpr const char* kSecret2 = "fedcba9876543210fedcba9876543210xyz";
const std::string kKeysFlag = std::string("--keys=k1: ") + kSecret;

Result<ServerConfig, ConfigError> load(std::vector<std::string> args,
                                       const Environment& env = MapEnvironment{}) {
  args.insert(args.begin(), "huddle-server");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  return loadServerConfig(static_cast<int>(args.size()), argv.data(), env);
}

// Loads a YAML body with a valid key flag, so each test varies only what it is about.
Result<ServerConfig, ConfigError> loadYaml(const std::string& yaml) {
  return load({"--config-body", yaml, kKeysFlag});
}

// The error's message must start with the key it is about: an operator greps for it.
void expectError(const Result<ServerConfig, ConfigError>& r, ConfigError code,
                 const std::string& keyPrefix, const std::string& fragment = "") {
  ASSERT_FALSE(r.ok()) << "expected an error about " << keyPrefix;
  EXPECT_EQ(r.code(), code) << r.message();
  EXPECT_EQ(r.message().rfind(keyPrefix, 0), 0U) << r.message();
  if (!fragment.empty()) {
    EXPECT_NE(r.message().find(fragment), std::string::npos) << r.message();
  }
}

class TempFile {
 public:
  TempFile(const std::string& text, mode_t mode) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "huddle_cfg_XXXXXX").string();
    const int fd = ::mkstemp(tmpl.data());
    EXPECT_GE(fd, 0);
    ::close(fd);
    path_ = tmpl;
    std::ofstream(path_) << text;
    ::chmod(path_.c_str(), mode);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ServerConfig, DefaultsFollowLiveKitWithOurMuxPortAndIceLite) {
  auto r = load({kKeysFlag});
  ASSERT_TRUE(r.ok()) << r.message();
  const ServerConfig& c = *r;
  EXPECT_EQ(c.port, 7880);
  EXPECT_TRUE(c.bindAddresses.empty());
  EXPECT_EQ(effectiveBindAddresses(c), (std::vector<std::string>{"0.0.0.0", "::"}));
  EXPECT_EQ(c.rtc.udpPort, std::optional<std::uint16_t>(7882));
  EXPECT_EQ(c.rtc.tcpPort, 7881);
  EXPECT_EQ(c.rtc.portRangeStart, 50000);
  EXPECT_EQ(c.rtc.portRangeEnd, 60000);
  EXPECT_TRUE(c.rtc.useIceLite);
  EXPECT_TRUE(c.rtc.nodeIp.empty());
  EXPECT_TRUE(c.rtc.congestionControl);
  EXPECT_FALSE(c.rtc.congestionAllowPause);
  EXPECT_TRUE(c.room.autoCreate);
  EXPECT_EQ(c.room.emptyTimeout, std::chrono::seconds(300));
  EXPECT_EQ(c.room.departureTimeout, std::chrono::seconds(20));
  EXPECT_EQ(c.room.maxParticipants, 0U);
  EXPECT_TRUE(c.webhook.urls.empty());
  EXPECT_EQ(c.logLevel, "info");
  EXPECT_EQ(c.limit.signalMessageSizeLimit, 2U * 1024 * 1024);
  EXPECT_EQ(c.limit.maxApiRequestBodySize, 10U * 1024 * 1024);
  EXPECT_FALSE(c.development);
  EXPECT_EQ(c.configSource, "defaults");
  EXPECT_EQ(c.keySource, "--keys");
  EXPECT_EQ(c.keys.at("k1"), kSecret);
  EXPECT_NE(c.keyProvider.find("k1"), nullptr);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(ServerConfig, ParsesEveryModelledYamlKey) {
  const std::string yaml = std::string(R"(
port: 8443
bind_addresses:
  - 10.0.0.5
  - "::1"
development: false
rtc:
  udp_port: 9000
  tcp_port: 9001
  port_range_start: 40000
  port_range_end: 40100
  use_ice_lite: false
  node_ip: 203.0.113.7,2001:db8::7
keys:
  apikey1: )") + kSecret + R"(
  apikey2: )" + kSecret2 + R"(
room:
  auto_create: false
  empty_timeout: 600
  departure_timeout: 5
  max_participants: 12
webhook:
  api_key: apikey2
  urls:
    - https://hooks.example/a
    - http://127.0.0.1:9999/b
logging:
  level: warn
limit:
  signal_message_size_limit: 65536
  max_api_request_body_size: 0
)";
  auto r = load({"--config-body", yaml});
  ASSERT_TRUE(r.ok()) << r.message();
  const ServerConfig& c = *r;
  EXPECT_EQ(c.port, 8443);
  EXPECT_EQ(c.bindAddresses, (std::vector<std::string>{"10.0.0.5", "::1"}));
  EXPECT_EQ(c.rtc.udpPort, std::optional<std::uint16_t>(9000));
  EXPECT_EQ(c.rtc.tcpPort, 9001);
  EXPECT_EQ(c.rtc.portRangeStart, 40000);
  EXPECT_EQ(c.rtc.portRangeEnd, 40100);
  EXPECT_FALSE(c.rtc.useIceLite);
  EXPECT_EQ(c.rtc.nodeIp.v4, "203.0.113.7");
  EXPECT_EQ(c.rtc.nodeIp.v6, "2001:db8::7");
  EXPECT_EQ(c.keys.size(), 2U);
  EXPECT_EQ(c.keys.at("apikey2"), kSecret2);
  EXPECT_EQ(c.keySource, "keys");
  EXPECT_NE(c.keyProvider.find("apikey1"), nullptr);
  EXPECT_NE(c.keyProvider.find("apikey2"), nullptr);
  EXPECT_FALSE(c.room.autoCreate);
  EXPECT_EQ(c.room.emptyTimeout, std::chrono::seconds(600));
  EXPECT_EQ(c.room.departureTimeout, std::chrono::seconds(5));
  EXPECT_EQ(c.room.maxParticipants, 12U);
  EXPECT_EQ(c.webhook.apiKey, "apikey2");
  EXPECT_EQ(c.webhook.urls,
            (std::vector<std::string>{"https://hooks.example/a", "http://127.0.0.1:9999/b"}));
  EXPECT_EQ(c.logLevel, "warn");
  EXPECT_EQ(c.limit.signalMessageSizeLimit, 65536U);
  EXPECT_EQ(c.limit.maxApiRequestBodySize, 0U);
  EXPECT_EQ(c.configSource, "--config-body");
}

TEST(ServerConfig, ReadsConfigFileAndKeyFileNamedInIt) {
  TempFile keyFile(std::string("filekey: ") + kSecret + "\n", 0600);
  TempFile config("port: 7990\nkey_file: " + keyFile.path() + "\n", 0644);
  auto r = load({"--config", config.path()});
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->port, 7990);
  EXPECT_EQ(r->keys.at("filekey"), kSecret);
  EXPECT_EQ(r->keySource, "key_file");
  EXPECT_EQ(r->configSource, "--config " + config.path());
}

TEST(ServerConfig, KeyFileReadableByOthersIsRefused) {
  TempFile keyFile(std::string("filekey: ") + kSecret + "\n", 0644);
  expectError(load({"--key-file", keyFile.path()}), ConfigError::FileUnreadable, "--key-file",
              "other users");
  expectError(load({"--key-file", "/nonexistent/huddle/keys"}), ConfigError::FileUnreadable,
              "--key-file");
  expectError(load({"--config", "/nonexistent/huddle.yaml"}), ConfigError::FileUnreadable,
              "--config");
}

TEST(ServerConfig, KeyFileFlagReplacesYamlKeys) {
  TempFile keyFile(std::string("a: ") + kSecret + "\nb: " + kSecret2 + "\n", 0600);
  auto r = load({"--config-body", std::string("keys: {yamlkey: ") + kSecret + "}", "--key-file",
                 keyFile.path()});
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->keys.size(), 2U);
  EXPECT_EQ(r->keys.count("yamlkey"), 0U);
  EXPECT_EQ(r->keySource, "--key-file");
}

TEST(ServerConfig, LivekitConfigEnvIsUsedWhenNoFlagGivesYaml) {
  MapEnvironment env;
  env.set("LIVEKIT_CONFIG", std::string("port: 7001\nkeys:\n  e: ") + kSecret + "\n");
  auto r = load({}, env);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->port, 7001);
  EXPECT_EQ(r->configSource, "LIVEKIT_CONFIG");

  // Flags are explicit and beat the environment.
  auto body = load({"--config-body", "port: 7002", kKeysFlag}, env);
  ASSERT_TRUE(body.ok()) << body.message();
  EXPECT_EQ(body->port, 7002);
  TempFile file("port: 7003\n", 0644);
  auto fromFile = load({"--config", file.path(), kKeysFlag}, env);
  ASSERT_TRUE(fromFile.ok()) << fromFile.message();
  EXPECT_EQ(fromFile->port, 7003);

  expectError(load({"--config", file.path(), "--config-body", "port: 1"}), ConfigError::InvalidFlag,
              "--config");
}

TEST(ServerConfig, PriorityDefaultsYamlEnvKeysFlags) {
  const std::string yaml = std::string(
                               "port: 9000\nrtc:\n  udp_port: 9100\n  tcp_port: 9101\n"
                               "  node_ip: 198.51.100.1\nlogging:\n  level: error\n"
                               "bind_addresses: [10.1.1.1]\nkeys:\n  yamlkey: ") +
                           kSecret + "\n";
  MapEnvironment env;
  env.set("LIVEKIT_KEYS", std::string("envkey: ") + kSecret2);

  // YAML beats defaults; LIVEKIT_KEYS beats YAML keys.
  auto yamlOnly = load({"--config-body", yaml}, env);
  ASSERT_TRUE(yamlOnly.ok()) << yamlOnly.message();
  EXPECT_EQ(yamlOnly->port, 9000);
  EXPECT_EQ(yamlOnly->rtc.udpPort, std::optional<std::uint16_t>(9100));
  EXPECT_EQ(yamlOnly->logLevel, "error");
  EXPECT_EQ(yamlOnly->keys.count("yamlkey"), 0U);
  EXPECT_EQ(yamlOnly->keys.at("envkey"), kSecret2);
  EXPECT_EQ(yamlOnly->keySource, "LIVEKIT_KEYS");

  // Flags beat both.
  auto flagged = load({"--config-body", yaml, "--port", "9200", "--udp-port", "9201", "--tcp-port",
                       "9202", "--node-ip", "192.0.2.9", "--log-level", "debug", "--bind",
                       "127.0.0.1", "--bind", "::1", kKeysFlag},
                      env);
  ASSERT_TRUE(flagged.ok()) << flagged.message();
  EXPECT_EQ(flagged->port, 9200);
  EXPECT_EQ(flagged->rtc.udpPort, std::optional<std::uint16_t>(9201));
  EXPECT_EQ(flagged->rtc.tcpPort, 9202);
  EXPECT_EQ(flagged->rtc.nodeIp.v4, "192.0.2.9");
  EXPECT_TRUE(flagged->rtc.nodeIp.v6.empty());
  EXPECT_EQ(flagged->logLevel, "debug");
  EXPECT_EQ(flagged->bindAddresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(flagged->keys.size(), 1U);
  EXPECT_EQ(flagged->keys.at("k1"), kSecret);
  EXPECT_EQ(flagged->keySource, "--keys");
}

TEST(ServerConfig, LivekitKeysAcceptsCommaSeparatedAndMultiLineForms) {
  MapEnvironment comma;
  comma.set("LIVEKIT_KEYS", std::string("a: ") + kSecret + ", b: " + kSecret2);
  auto r = load({}, comma);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->keys.at("a"), kSecret);
  EXPECT_EQ(r->keys.at("b"), kSecret2);

  MapEnvironment lines;
  lines.set("LIVEKIT_KEYS", std::string("a: ") + kSecret + "\nb: " + kSecret2 + "\n");
  auto r2 = load({}, lines);
  ASSERT_TRUE(r2.ok()) << r2.message();
  EXPECT_EQ(r2->keys.size(), 2U);

  MapEnvironment bad;
  bad.set("LIVEKIT_KEYS", "no-colon-here");
  expectError(load({}, bad), ConfigError::InvalidKeys, "LIVEKIT_KEYS");
}

TEST(ServerConfig, UdpPortZeroMeansPerSessionPortsFromTheRange) {
  auto r = load({"--udp-port", "0", kKeysFlag});
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_FALSE(r->rtc.udpPort.has_value());
  auto y = loadYaml("rtc:\n  udp_port: 0\n");
  ASSERT_TRUE(y.ok()) << y.message();
  EXPECT_FALSE(y->rtc.udpPort.has_value());
  expectError(loadYaml("rtc:\n  udp_port: 0\n  port_range_start: 0\n  port_range_end: 0\n"),
              ConfigError::InvalidValue, "rtc.udp_port", "no UDP port");
  expectError(loadYaml("rtc:\n  udp_port: 7882-7892\n"), ConfigError::InvalidValue, "rtc.udp_port",
              "range");
}

// Huddle's own key: ICE candidates announce a forwarded port instead of the bound one.
TEST(ServerConfig, AdvertisedUdpPortFromYamlOrFlagAndUnsetByDefault) {
  auto d = load({kKeysFlag});
  ASSERT_TRUE(d.ok()) << d.message();
  EXPECT_FALSE(d->rtc.advertisedUdpPort.has_value());

  auto y = loadYaml("rtc:\n  udp_port: 9100\n  advertised_udp_port: 40000\n");
  ASSERT_TRUE(y.ok()) << y.message();
  EXPECT_EQ(y->rtc.udpPort, std::optional<std::uint16_t>(9100));
  EXPECT_EQ(y->rtc.advertisedUdpPort, std::optional<std::uint16_t>(40000));
  EXPECT_NE(describe(*y).find("rtc.advertised_udp_port=40000"), std::string::npos) << describe(*y);

  auto f = load({"--config-body", "rtc:\n  advertised_udp_port: 40000\n", "--advertise-udp-port",
                 "40001", kKeysFlag});
  ASSERT_TRUE(f.ok()) << f.message();
  EXPECT_EQ(f->rtc.advertisedUdpPort, std::optional<std::uint16_t>(40001));

  expectError(loadYaml("rtc:\n  advertised_udp_port: 0\n"), ConfigError::InvalidValue,
              "rtc.advertised_udp_port");
  expectError(loadYaml("rtc:\n  advertised_udp_port: 70000\n"), ConfigError::InvalidValue,
              "rtc.advertised_udp_port");
  auto badFlag = load({"--advertise-udp-port", "0", kKeysFlag});
  ASSERT_FALSE(badFlag.ok());
  EXPECT_NE(badFlag.message().find("--advertise-udp-port"), std::string::npos) << badFlag.message();
}

TEST(ServerConfig, DevModeBindsLoopbackWithDevKeyAndAllowsShortSecrets) {
  auto r = load({"--dev"});
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_TRUE(r->development);
  EXPECT_EQ(r->bindAddresses, (std::vector<std::string>{"127.0.0.1"}));
  EXPECT_EQ(r->keys, (std::map<std::string, std::string>{{"devkey", "secret"}}));
  EXPECT_EQ(r->keySource, "dev");
  EXPECT_NE(r->keyProvider.find("devkey"), nullptr);
  EXPECT_EQ(r->logLevel, "info");
  EXPECT_FALSE(r->warnings.empty());

  // Given keys and addresses are kept; short secrets are allowed in dev only.
  auto own = load({"--dev", "--keys", "mine: short", "--bind", "0.0.0.0"});
  ASSERT_TRUE(own.ok()) << own.message();
  EXPECT_EQ(own->keys, (std::map<std::string, std::string>{{"mine", "short"}}));
  EXPECT_EQ(own->bindAddresses, (std::vector<std::string>{"0.0.0.0"}));
  expectError(load({"--keys", "mine: short"}), ConfigError::InvalidKeys, "--keys", "32");

  // `development: true` in YAML is the same switch.
  auto yaml = load({"--config-body", "development: true"});
  ASSERT_TRUE(yaml.ok()) << yaml.message();
  EXPECT_TRUE(yaml->development);
  EXPECT_EQ(yaml->keys.count("devkey"), 1U);
  EXPECT_EQ(yaml->bindAddresses, (std::vector<std::string>{"127.0.0.1"}));
  // ... and a file cannot switch --dev off.
  auto flagWins = load({"--dev", "--config-body", "development: false"});
  ASSERT_TRUE(flagWins.ok()) << flagWins.message();
  EXPECT_TRUE(flagWins->development);
}

TEST(ServerConfig, NoKeysOutsideDevIsRefused) {
  expectError(load({}), ConfigError::InvalidKeys, "keys", "--dev");
  expectError(load({"--config-body", "port: 7880"}), ConfigError::InvalidKeys, "keys");
}

TEST(ServerConfig, ShortSecretInYamlNamesKeysAndTheApiKey) {
  expectError(load({"--config-body", "keys:\n  tiny: abc\n"}), ConfigError::InvalidKeys, "keys",
              "tiny");
}

TEST(ServerConfig, TypeErrorsNameTheirKey) {
  expectError(loadYaml("port: abc"), ConfigError::InvalidValue, "port: expected an integer");
  expectError(loadYaml("port: [1, 2]"), ConfigError::InvalidValue, "port: expected an integer",
              "a list");
  expectError(loadYaml("rtc:\n  tcp_port: x\n"), ConfigError::InvalidValue,
              "rtc.tcp_port: expected an integer");
  expectError(loadYaml("rtc:\n  use_ice_lite: maybe\n"), ConfigError::InvalidValue,
              "rtc.use_ice_lite: expected true or false");
  expectError(loadYaml("room:\n  auto_create: 3\n"), ConfigError::InvalidValue, "room.auto_create");
  expectError(loadYaml("room:\n  empty_timeout: soon\n"), ConfigError::InvalidValue,
              "room.empty_timeout");
  expectError(loadYaml("room:\n  departure_timeout: 1500ms\n"), ConfigError::InvalidValue,
              "room.departure_timeout");
  expectError(loadYaml("room:\n  max_participants: -1\n"), ConfigError::InvalidValue,
              "room.max_participants", "out of range");
  expectError(loadYaml("bind_addresses: 127.0.0.1"), ConfigError::InvalidValue,
              "bind_addresses: expected a list");
  expectError(loadYaml("webhook:\n  urls: https://x/\n  api_key: k1\n"), ConfigError::InvalidValue,
              "webhook.urls: expected a list");
  expectError(loadYaml("webhook:\n  api_key: [a]\n"), ConfigError::InvalidValue,
              "webhook.api_key: expected a string");
  expectError(loadYaml("rtc: 5"), ConfigError::InvalidValue, "rtc: expected a mapping");
  expectError(loadYaml("logging:\n  level: verbose\n"), ConfigError::InvalidValue, "logging.level");
  expectError(loadYaml("log_level: loud"), ConfigError::InvalidValue, "log_level");
  expectError(loadYaml("limit:\n  signal_message_size_limit: big\n"), ConfigError::InvalidValue,
              "limit.signal_message_size_limit");
  expectError(loadYaml("development: sometimes"), ConfigError::InvalidValue, "development");
  expectError(loadYaml("keys: [a, b]"), ConfigError::InvalidValue, "keys");
}

TEST(ServerConfig, DurationsAndOldLogLevelSpelling) {
  auto r = loadYaml(
      "room:\n  empty_timeout: 5m\n  departure_timeout: 90s\nlog_level: debug\n"
      "logging:\n  level: warn\n");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->room.emptyTimeout, std::chrono::seconds(300));
  EXPECT_EQ(r->room.departureTimeout, std::chrono::seconds(90));
  EXPECT_EQ(r->logLevel, "debug");  // log_level wins, as in LiveKit
}

TEST(ServerConfig, RangeErrorsNameTheirKey) {
  expectError(loadYaml("port: 70000"), ConfigError::InvalidValue, "port", "out of range");
  expectError(loadYaml("port: 0"), ConfigError::InvalidValue, "port", "out of range");
  expectError(loadYaml("rtc:\n  udp_port: 65536\n"), ConfigError::InvalidValue, "rtc.udp_port",
              "out of range");
  expectError(loadYaml("rtc:\n  port_range_start: 99999\n"), ConfigError::InvalidValue,
              "rtc.port_range_start", "out of range");
  expectError(loadYaml("rtc:\n  port_range_start: 60001\n  port_range_end: 60000\n"),
              ConfigError::InvalidValue, "rtc.port_range_start", "above");
  expectError(loadYaml("rtc:\n  tcp_port: 7880\n"), ConfigError::InvalidValue, "rtc.tcp_port",
              "HTTP port");
  expectError(loadYaml("bind_addresses: [localhost]"), ConfigError::InvalidValue, "bind_addresses",
              "not an IP");
  expectError(loadYaml("rtc:\n  node_ip: example.com\n"), ConfigError::InvalidValue, "rtc.node_ip",
              "not an IP");
  expectError(loadYaml("rtc:\n  node_ip: 192.0.2.1,192.0.2.2\n"), ConfigError::InvalidValue,
              "rtc.node_ip", "same family");
  expectError(loadYaml("rtc:\n  node_ip: 192.0.2.1,\n"), ConfigError::InvalidValue, "rtc.node_ip",
              "not an IP");
  expectError(loadYaml("rtc:\n  node_ip: 192.0.2.1,::1,::2\n"), ConfigError::InvalidValue,
              "rtc.node_ip", "ipv4,ipv6");
  expectError(loadYaml("room:\n  max_participants: 4294967296\n"), ConfigError::InvalidValue,
              "room.max_participants", "out of range");
}

TEST(ServerConfig, FlagValueErrorsNameTheFlag) {
  expectError(load({"--port", "abc", kKeysFlag}), ConfigError::InvalidValue,
              "--port: expected an integer");
  expectError(load({"--port", "65536", kKeysFlag}), ConfigError::InvalidValue, "--port",
              "out of range");
  expectError(load({"--udp-port=-3", kKeysFlag}), ConfigError::InvalidValue, "--udp-port");
  expectError(load({"--tcp-port", "1e3", kKeysFlag}), ConfigError::InvalidValue, "--tcp-port");
  expectError(load({"--bind", "not-an-ip", kKeysFlag}), ConfigError::InvalidValue, "--bind");
  expectError(load({"--node-ip", "1.2.3", kKeysFlag}), ConfigError::InvalidValue, "--node-ip");
  expectError(load({"--log-level", "chatty", kKeysFlag}), ConfigError::InvalidValue, "--log-level");
  expectError(load({"--keys", "a: " + std::string(kSecret), "--key-file", "/x"}),
              ConfigError::InvalidFlag, "--keys");
}

TEST(ServerConfig, UnknownFlagsAndPositionalsAreRefused) {
  auto r = load({"--no-such-flag", kKeysFlag});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), ConfigError::InvalidFlag);
  EXPECT_NE(r.message().find("no-such-flag"), std::string::npos) << r.message();
  auto p = load({"stray", kKeysFlag});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.code(), ConfigError::InvalidFlag);
  auto missing = load({"--port"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.code(), ConfigError::InvalidFlag);
}

TEST(ServerConfig, WebhookNeedsAKnownApiKey) {
  expectError(loadYaml("webhook:\n  urls: [https://hooks.example/x]\n"), ConfigError::InvalidValue,
              "webhook.api_key", "required");
  expectError(loadYaml("webhook:\n  urls: [https://hooks.example/x]\n  api_key: nokey\n"),
              ConfigError::InvalidValue, "webhook.api_key", "nokey");
  expectError(loadYaml("webhook:\n  urls: [ftp://hooks.example/x]\n  api_key: k1\n"),
              ConfigError::InvalidValue, "webhook.urls", "ftp://");
  auto ok = loadYaml("webhook:\n  urls: [https://hooks.example/x]\n  api_key: k1\n");
  ASSERT_TRUE(ok.ok()) << ok.message();
  EXPECT_NE(ok->keyProvider.find(ok->webhook.apiKey), nullptr);
}

TEST(ServerConfig, UnknownKeysAreErrorsListedTogether) {
  auto r = loadYaml("prot: 7880\nrtc:\n  udp_prot: 1\nroom:\n  auto_create: true\n");
  expectError(r, ConfigError::UnknownKey, "unknown config keys");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("prot"), std::string::npos);
  EXPECT_NE(r.message().find("rtc.udp_prot"), std::string::npos);
  // Checked before values, so a typo is reported even beside a bad value.
  expectError(loadYaml("port: abc\nwebhok: {}\n"), ConfigError::UnknownKey,
              "unknown config key: webhok");
}

TEST(ServerConfig, LivekitKeysWeDoNotImplementLoadWithAWarning) {
  auto r = loadYaml(R"(
redis:
  address: 127.0.0.1:6379
turn:
  enabled: false
prometheus_port: 6789
region: us-west-2
rtc:
  use_external_ip: true
  stun_servers: [stun.example:3478]
room:
  enabled_codecs:
    - mime: audio/opus
logging:
  json: true
limit:
  num_tracks: -1
)");
  ASSERT_TRUE(r.ok()) << r.message();
  std::string all;
  for (const auto& w : r->warnings) all += w + "\n";
  for (const char* key :
       {"'redis'", "'turn'", "'prometheus_port'", "'region'", "'rtc.use_external_ip'",
        "'rtc.stun_servers'", "'room.enabled_codecs'", "'logging.json'", "'limit.num_tracks'"}) {
    EXPECT_NE(all.find(key), std::string::npos) << key << " missing from:\n" << all;
  }
  EXPECT_EQ(r->warnings.size(), 9U);
}

TEST(ServerConfig, CongestionControlIsANestedMappingWithItsOwnKeyChecks) {
  auto r = loadYaml("rtc:\n  congestion_control:\n    enabled: false\n    allow_pause: true\n"
                    "    probe_mode: padding\n");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_FALSE(r->rtc.congestionControl);
  EXPECT_TRUE(r->rtc.congestionAllowPause);
  ASSERT_EQ(r->warnings.size(), 1U);
  EXPECT_NE(r->warnings[0].find("'rtc.congestion_control.probe_mode'"), std::string::npos);
  expectError(loadYaml("rtc:\n  congestion_control:\n    allow_pause: sometimes\n"),
              ConfigError::InvalidValue, "rtc.congestion_control.allow_pause", "true or false");
  expectError(loadYaml("rtc:\n  congestion_control:\n    alow_pause: true\n"),
              ConfigError::UnknownKey, "unknown config key: rtc.congestion_control.alow_pause");
  expectError(loadYaml("rtc:\n  congestion_control: [1]\n"), ConfigError::InvalidValue,
              "rtc.congestion_control", "mapping");
}

TEST(ServerConfig, BadYamlAndNonMappingDocumentsAreRefused) {
  expectError(load({"--config-body", "port: [unclosed", kKeysFlag}), ConfigError::InvalidYaml,
              "config (--config-body)");
  expectError(load({"--config-body", "- a\n- b\n", kKeysFlag}), ConfigError::InvalidYaml,
              "config (--config-body)", "mapping");
  // An empty document keeps the defaults.
  auto empty = load({"--config-body", "", kKeysFlag});
  ASSERT_TRUE(empty.ok()) << empty.message();
  EXPECT_EQ(empty->port, 7880);
}

TEST(ServerConfig, OddYamlShapesGiveErrorsNotExceptions) {
  // Each must come back as a Result, whatever yaml-cpp makes of it.
  for (const char* doc :
       {"? [a, b]\n: 1\n", "rtc: {? {a: 1} : 2}\n", "port: !!binary aGVsbG8=\n",
        "rtc:\n  node_ip: [1.2.3.4]\n", "keys: {k: [s]}\n", "room: []\n", "logging: x\n",
        "webhook:\n  urls: [[a]]\n", "port: ~\nrtc: ~\n", "\t\t", "{", "---\n...\n---\n",
        "port: 1.5\n", "port: 0x1F90\n", "port: 9223372036854775808\n"}) {
    Result<ServerConfig, ConfigError> r = Error{ConfigError::InvalidYaml, std::string()};
    EXPECT_NO_THROW(r = loadYaml(doc)) << doc;
    if (r.ok()) {
      EXPECT_EQ(r->port, 7880) << doc;  // only the null document and "port: ~" may load
    } else {
      EXPECT_FALSE(r.message().empty()) << doc;
    }
  }
  // Anchors and aliases are plain YAML and work.
  auto aliased = loadYaml("port: &p 9000\nrtc:\n  udp_port: *p\n");
  ASSERT_TRUE(aliased.ok()) << aliased.message();
  EXPECT_EQ(aliased->rtc.udpPort, std::optional<std::uint16_t>(9000));
}

TEST(ServerConfig, HelpListsEveryFlag) {
  auto r = load({"--help"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), ConfigError::HelpRequested);
  for (const char* flag :
       {"--config", "--config-body", "--dev", "--bind", "--port", "--udp-port", "--tcp-port",
        "--keys", "--key-file", "--node-ip", "--log-level", "LIVEKIT_CONFIG", "LIVEKIT_KEYS"}) {
    EXPECT_NE(r.message().find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(r.message(), serverHelpText());
}

TEST(ServerConfig, DescribeIsOneLineWithoutSecrets) {
  auto r = load({"--config-body",
                 std::string("webhook:\n  urls: [https://u:p@hooks.example/x]\n  api_key: k1\n"),
                 kKeysFlag, "--node-ip", "192.0.2.1,2001:db8::1"});
  ASSERT_TRUE(r.ok()) << r.message();
  const std::string line = describe(*r);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find(kSecret), std::string::npos) << line;
  EXPECT_EQ(line.find("u:p@"), std::string::npos) << line;
  EXPECT_NE(line.find("port=7880"), std::string::npos) << line;
  EXPECT_NE(line.find("bind=0.0.0.0,::"), std::string::npos) << line;
  EXPECT_NE(line.find("rtc.udp_port=7882"), std::string::npos) << line;
  EXPECT_NE(line.find("rtc.node_ip=192.0.2.1,2001:db8::1"), std::string::npos) << line;
  EXPECT_NE(line.find("keys=k1(--keys)"), std::string::npos) << line;
  EXPECT_NE(line.find("webhook.urls=1"), std::string::npos) << line;

  auto dev = load({"--dev"});
  ASSERT_TRUE(dev.ok());
  const std::string devLine = describe(*dev);
  EXPECT_NE(devLine.find("dev=true"), std::string::npos) << devLine;
  EXPECT_NE(devLine.find("bind=127.0.0.1 "), std::string::npos) << devLine;
  EXPECT_EQ(devLine.find("secret"), std::string::npos) << devLine;
}

TEST(ServerConfig, ProcessEnvironmentReadsRealVariables) {
  ::setenv("HUDDLE_CONFIG_TEST_VAR", "v1", 1);
  const ProcessEnvironment env;
  EXPECT_EQ(env.get("HUDDLE_CONFIG_TEST_VAR"), std::optional<std::string>("v1"));
  ::unsetenv("HUDDLE_CONFIG_TEST_VAR");
  EXPECT_EQ(env.get("HUDDLE_CONFIG_TEST_VAR"), std::nullopt);
}

}  // namespace
}  // namespace huddle::server
