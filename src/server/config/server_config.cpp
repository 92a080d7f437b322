#include "server/config/server_config.h"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>
#include <string_view>

#include "common/duration.h"

namespace huddle::server {
namespace {

using Fail = Error<ConfigError>;
using KeyMap = std::map<std::string, std::string>;

constexpr std::string_view kDevKey = "devkey";
constexpr std::string_view kDevSecret = "secret";  // public on purpose: dev mode only
constexpr std::array<std::string_view, 4> kLogLevels = {"debug", "info", "warn", "error"};

// ---- flags ----------------------------------------------------------------------------------

struct Flags {
  std::string config;
  std::string configBody;
  bool dev = false;
  std::vector<std::string> bind;
  std::string port;
  std::string udpPort;
  std::string tcpPort;
  std::string keys;
  std::string keyFile;
  std::string nodeIp;
  std::string logLevel;
  // Which of the string flags were given at all (an empty value is still "given").
  std::map<std::string, bool, std::less<>> given;
};

struct App {
  CLI::App app{"huddle-server: a LiveKit-protocol video meeting server", "huddle-server"};
  CLI::Option* config = nullptr;
  CLI::Option* configBody = nullptr;
  CLI::Option* bind = nullptr;
  CLI::Option* port = nullptr;
  CLI::Option* udpPort = nullptr;
  CLI::Option* tcpPort = nullptr;
  CLI::Option* keys = nullptr;
  CLI::Option* keyFile = nullptr;
  CLI::Option* nodeIp = nullptr;
  CLI::Option* logLevel = nullptr;

  explicit App(Flags& f) {
    app.footer(
        "Priority, lowest first: defaults, YAML (--config-body, else --config, else env "
        "LIVEKIT_CONFIG), env LIVEKIT_KEYS, flags. YAML keys follow livekit.yaml.");
    config = app.add_option("--config", f.config, "path to a livekit.yaml-style config file")
                 ->type_name("PATH");
    configBody = app.add_option("--config-body", f.configBody,
                                "config as YAML text (env LIVEKIT_CONFIG does the same)")
                     ->type_name("YAML");
    app.add_flag("--dev", f.dev,
                 "development mode: binds 127.0.0.1, keys devkey: secret unless keys are "
                 "given, short secrets allowed; insecure, never for production");
    bind = app.add_option("--bind", f.bind,
                          "IP address to listen on; repeat for several (default: all)")
               ->allow_extra_args(false)
               ->type_name("IP");
    port =
        app.add_option("--port", f.port, "HTTP/WebSocket port (default 7880)")->type_name("PORT");
    udpPort = app.add_option("--udp-port", f.udpPort,
                             "single UDP port for all WebRTC traffic (default 7882; 0 = use "
                             "rtc.port_range_start..end)")
                  ->type_name("PORT");
    tcpPort = app.add_option("--tcp-port", f.tcpPort,
                             "ICE-TCP port (default 7881; 0 = no TCP candidates)")
                  ->type_name("PORT");
    keys = app.add_option("--keys", f.keys,
                          "API keys as \"key: secret\" (several: one per line, or comma-"
                          "separated); env LIVEKIT_KEYS does the same at lower priority")
               ->type_name("KEYS");
    keyFile = app.add_option("--key-file", f.keyFile,
                             "file of \"key: secret\" lines, not readable by other users")
                  ->type_name("PATH");
    nodeIp = app.add_option("--node-ip", f.nodeIp,
                            "IP advertised in ICE candidates: ip or ipv4,ipv6 (default: "
                            "discovered)")
                 ->type_name("IP[,IPV6]");
    logLevel =
        app.add_option("--log-level", f.logLevel, "debug, info, warn or error")->type_name("LEVEL");
  }

  void recordGiven(Flags& f) const {
    const std::array<std::pair<std::string_view, const CLI::Option*>, 10> all = {{
        {"--config", config},
        {"--config-body", configBody},
        {"--bind", bind},
        {"--port", port},
        {"--udp-port", udpPort},
        {"--tcp-port", tcpPort},
        {"--keys", keys},
        {"--key-file", keyFile},
        {"--node-ip", nodeIp},
        {"--log-level", logLevel},
    }};
    for (const auto& [name, option] : all) f.given[std::string(name)] = option->count() > 0;
  }
};

// ---- scalar parsing -------------------------------------------------------------------------

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<std::uint64_t, ConfigError> parseInteger(std::string_view text, std::string_view name,
                                                std::uint64_t min, std::uint64_t max) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != end) {
    return Fail{ConfigError::InvalidValue,
                std::string(name) + ": expected an integer, got '" + std::string(text) + "'"};
  }
  if (ec == std::errc::result_out_of_range || value < 0 ||
      static_cast<std::uint64_t>(value) < min || static_cast<std::uint64_t>(value) > max) {
    return Fail{ConfigError::InvalidValue, std::string(name) + ": " + std::string(text) +
                                               " is out of range (" + std::to_string(min) + "-" +
                                               std::to_string(max) + ")"};
  }
  return static_cast<std::uint64_t>(value);
}

bool isIpLiteral(const std::string& text) {
  std::array<unsigned char, 16> buf{};
  return inet_pton(AF_INET, text.c_str(), buf.data()) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buf.data()) == 1;
}

bool isIpv4(const std::string& text) {
  std::array<unsigned char, 4> buf{};
  return inet_pton(AF_INET, text.c_str(), buf.data()) == 1;
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

Result<NodeIp, ConfigError> parseNodeIp(std::string_view text, std::string_view name) {
  std::vector<std::string> parts;
  for (std::size_t from = 0;;) {
    const auto comma = text.find(',', from);
    parts.push_back(
        trim(text.substr(from, comma == std::string_view::npos ? comma : comma - from)));
    if (comma == std::string_view::npos) break;
    from = comma + 1;
  }
  if (parts.size() > 2) {
    return Fail{
        ConfigError::InvalidValue,
        std::string(name) + ": expected 'ip' or 'ipv4,ipv6', got '" + std::string(text) + "'"};
  }
  NodeIp ip;
  for (const auto& part : parts) {
    if (!isIpLiteral(part)) {
      return Fail{ConfigError::InvalidValue,
                  std::string(name) + ": '" + part + "' is not an IP address"};
    }
    std::string& slot = isIpv4(part) ? ip.v4 : ip.v6;
    if (!slot.empty()) {
      return Fail{
          ConfigError::InvalidValue,
          std::string(name) + ": two addresses of the same family in '" + std::string(text) + "'"};
    }
    slot = part;
  }
  return ip;
}

Result<Ok, ConfigError> checkLogLevel(const std::string& level, std::string_view name) {
  if (std::find(kLogLevels.begin(), kLogLevels.end(), level) == kLogLevels.end()) {
    return Fail{ConfigError::InvalidValue,
                std::string(name) + ": '" + level + "' is not one of debug, info, warn, error"};
  }
  return Ok{};
}

Result<Ok, ConfigError> checkBindAddress(const std::string& address, std::string_view name) {
  if (!isIpLiteral(address)) {
    return Fail{ConfigError::InvalidValue,
                std::string(name) + ": '" + address + "' is not an IP address"};
  }
  return Ok{};
}

// "key: secret" text as LiveKit takes it: a YAML mapping (one pair per line), or on a single
// line pairs separated by commas, the LIVEKIT_KEYS shorthand.
Result<KeyMap, ConfigError> parseKeyText(std::string_view text, std::string_view name) {
  KeyMap keys;
  const auto malformed = [&] {
    return Fail{ConfigError::InvalidKeys,
                std::string(name) + ": expected \"key: secret\" entries (with ': ' between)"};
  };
  if (text.find('\n') == std::string_view::npos) {
    std::string_view rest = text;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string pair = trim(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      if (pair.empty()) continue;
      const auto colon = pair.find(':');
      if (colon == std::string::npos) return malformed();
      keys[trim(std::string_view(pair).substr(0, colon))] =
          trim(std::string_view(pair).substr(colon + 1));
    }
    return keys;
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception&) {
    return malformed();
  }
  if (root.IsNull()) return keys;
  if (!root.IsMap()) return malformed();
  for (const auto& entry : root) {
    if (!entry.first.IsScalar() || !entry.second.IsScalar()) return malformed();
    keys[entry.first.Scalar()] = entry.second.Scalar();
  }
  return keys;
}

Result<std::string, ConfigError> readFile(const std::string& path, std::string_view name) {
  std::ifstream file(path);
  if (!file) {
    return Fail{ConfigError::FileUnreadable, std::string(name) + ": cannot read '" + path + "'"};
  }
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

Result<KeyMap, ConfigError> readKeyFile(const std::string& path, std::string_view name) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Fail{ConfigError::FileUnreadable, std::string(name) + ": cannot read '" + path + "'"};
  }
  // Same rule as LiveKit: secrets that every local user can read are not secret.
  if ((st.st_mode & (S_IROTH | S_IWOTH | S_IXOTH)) != 0) {
    return Fail{ConfigError::FileUnreadable,
                std::string(name) + ": '" + path +
                    "' is accessible by other users; restrict it (chmod 600)"};
  }
  auto text = readFile(path, name);
  if (!text) return text.error();
  return parseKeyText(*text + "\n", name);  // a file is always read as YAML lines
}

// ---- YAML document --------------------------------------------------------------------------

struct Section {
  std::string_view name;
  std::vector<std::string_view> modelled;
  std::vector<std::string_view> ignored;  // livekit.yaml keys we accept and do not implement
};

const std::vector<Section>& sections() {
  static const std::vector<Section> kSections = {
      {"",
       {"port", "bind_addresses", "rtc", "keys", "key_file", "room", "webhook", "logging",
        "log_level", "limit", "development"},
       {"prometheus_port",
        "prometheus",
        "debug_handler",
        "debug_handler_port",
        "redis",
        "audio",
        "video",
        "turn",
        "ingress",
        "sip",
        "node_selector",
        "region",
        "signal_relay",
        "psrpc",
        "agents",
        "metric",
        "trace",
        "node_stats",
        "enable_data_tracks",
        "enable_participant_data_blob",
        "api",
        "environment"}},
      {"rtc",
       {"udp_port", "tcp_port", "port_range_start", "port_range_end", "use_ice_lite", "node_ip"},
       {"use_external_ip",
        "use_stun_port_as_ice",
        "additional_host_ips",
        "stun_servers",
        "turn_servers",
        "require_ipv4",
        "skip_external_ip_validation",
        "advertise_internal_ip",
        "interfaces",
        "ips",
        "enable_loopback_candidate",
        "use_mdns",
        "external_ip_only",
        "batch_io",
        "sctp_min_cwnd",
        "sctp_fast_rtx_wnd",
        "sctp_cwnd_ca_step",
        "host_acceptance_min_wait",
        "srflx_acceptance_min_wait",
        "prflx_acceptance_min_wait",
        "relay_acceptance_min_wait",
        "force_tcp",
        "enable_warp",
        "strict_acks",
        "packet_buffer_size",
        "packet_buffer_size_video",
        "packet_buffer_size_audio",
        "pli_throttle",
        "congestion_control",
        "allow_tcp_fallback",
        "tcp_fallback_rtt_threshold",
        "allow_udp_unstable_fallback",
        "reconnect_on_publication_error",
        "reconnect_on_subscription_error",
        "reconnect_on_data_channel_error",
        "data_channel_max_buffered_amount",
        "datachannel_slow_threshold",
        "datachannel_lossy_target_latency",
        "datachannel_data_track_target_latency",
        "forward_stats",
        "enable_rtp_stream_restart_detection"}},
      {"room",
       {"auto_create", "empty_timeout", "departure_timeout", "max_participants"},
       {"enabled_codecs", "enable_remote_unmute", "playout_delay", "sync_streams",
        "create_room_timeout", "create_room_attempts", "enable_full_room_in_webhooks",
        "update_batch_target_size", "max_metadata_size", "max_room_name_length",
        "max_participant_identity_length", "room_configurations"}},
      {"webhook", {"urls", "api_key"}, {}},
      {"logging", {"level"}, {"json", "sample", "pion_level", "component_levels"}},
      {"limit",
       {"signal_message_size_limit", "max_api_request_body_size"},
       {"num_tracks", "bytes_per_sec", "subscription_limit_video", "subscription_limit_audio",
        "max_metadata_size", "max_attributes_size", "max_room_name_length",
        "max_participant_identity_length", "max_participant_name_length",
        "max_data_blob_key_length", "max_data_blobs_size", "max_data_track_custom_encoding_length",
        "agent_signal_message_size_limit"}},
  };
  return kSections;
}

bool contains(const std::vector<std::string_view>& list, std::string_view key) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

// Walks the document's keys only, before any value is read, so that a typo anywhere is reported
// with all its siblings in one error rather than after an unrelated type error.
Result<Ok, ConfigError> checkKeys(const YAML::Node& root, std::vector<std::string>& warnings) {
  std::vector<std::string> unknown;
  for (const auto& section : sections()) {
    const YAML::Node node = section.name.empty() ? root : root[std::string(section.name)];
    // yaml-cpp: asking a missing key's node for its type throws, so IsDefined() comes first.
    if (!node.IsDefined() || !node.IsMap()) continue;  // a wrong type is reported when read
    const std::string prefix = section.name.empty() ? "" : std::string(section.name) + ".";
    for (const auto& entry : node) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "<non-scalar>";
      if (contains(section.modelled, key)) continue;
      if (contains(section.ignored, key)) {
        warnings.push_back("config key '" + prefix + key +
                           "' is accepted for livekit.yaml compatibility and ignored");
      } else {
        unknown.push_back(prefix + key);
      }
    }
  }
  if (unknown.empty()) return Ok{};
  std::string message = unknown.size() == 1 ? "unknown config key: " : "unknown config keys: ";
  for (std::size_t i = 0; i < unknown.size(); ++i) message += (i ? ", " : "") + unknown[i];
  return Fail{ConfigError::UnknownKey, message};
}

// Typed reads of one key. A null value ("port:" with nothing after it) means "not given".
class YamlReader {
 public:
  explicit YamlReader(const YAML::Node& root) : root_(root) {}

  [[nodiscard]] YAML::Node at(std::string_view section, std::string_view key) const {
    if (section.empty()) return root_[std::string(key)];
    const YAML::Node s = root_[std::string(section)];
    if (!s.IsDefined() || !s.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    return s[std::string(key)];
  }

  static std::string name(std::string_view section, std::string_view key) {
    return section.empty() ? std::string(key) : std::string(section) + "." + std::string(key);
  }

  Result<Ok, ConfigError> section(std::string_view section) const {
    const YAML::Node s = root_[std::string(section)];
    if (s.IsDefined() && !s.IsNull() && !s.IsMap()) {
      return Fail{ConfigError::InvalidValue, std::string(section) + ": expected a mapping"};
    }
    return Ok{};
  }

  template <typename T>
  Result<Ok, ConfigError> integer(std::string_view section, std::string_view key, T& out,
                                  std::uint64_t min = 0,
                                  std::uint64_t max = std::numeric_limits<T>::max()) const {
    const YAML::Node n = at(section, key);
    if (!n.IsDefined() || n.IsNull()) return Ok{};
    if (!n.IsScalar()) return typeError(section, key, "an integer");
    auto v = parseInteger(n.Scalar(), name(section, key), min, max);
    if (!v) return v.error();
    out = static_cast<T>(*v);
    return Ok{};
  }

  Result<Ok, ConfigError> boolean(std::string_view section, std::string_view key, bool& out) const {
    const YAML::Node n = at(section, key);
    if (!n.IsDefined() || n.IsNull()) return Ok{};
    const std::string v = n.IsScalar() ? lower(n.Scalar()) : "";
    if (v == "true" || v == "yes" || v == "on") {
      out = true;
    } else if (v == "false" || v == "no" || v == "off") {
      out = false;
    } else {
      return typeError(section, key, "true or false");
    }
    return Ok{};
  }

  Result<Ok, ConfigError> string(std::string_view section, std::string_view key,
                                 std::optional<std::string>& out) const {
    const YAML::Node n = at(section, key);
    if (!n.IsDefined() || n.IsNull()) return Ok{};
    if (!n.IsScalar()) return typeError(section, key, "a string");
    out = n.Scalar();
    return Ok{};
  }

  Result<Ok, ConfigError> stringList(std::string_view section, std::string_view key,
                                     std::optional<std::vector<std::string>>& out) const {
    const YAML::Node n = at(section, key);
    if (!n.IsDefined() || n.IsNull()) return Ok{};
    if (!n.IsSequence()) return typeError(section, key, "a list of strings");
    std::vector<std::string> items;
    for (const auto& item : n) {
      if (!item.IsScalar()) return typeError(section, key, "a list of strings");
      items.push_back(item.Scalar());
    }
    out = std::move(items);
    return Ok{};
  }

  // Whole seconds: an integer (LiveKit's form) or a duration such as "5m".
  Result<Ok, ConfigError> seconds(std::string_view section, std::string_view key,
                                  std::chrono::seconds& out) const {
    const YAML::Node n = at(section, key);
    if (!n.IsDefined() || n.IsNull()) return Ok{};
    if (!n.IsScalar()) return typeError(section, key, "a number of seconds");
    const auto ms = parseDuration(n.Scalar());
    if (!ms || ms->count() % 1000 != 0 ||
        ms->count() / 1000 > std::numeric_limits<std::uint32_t>::max()) {
      return Fail{ConfigError::InvalidValue,
                  name(section, key) + ": expected a number of seconds, got '" + n.Scalar() + "'"};
    }
    out = std::chrono::duration_cast<std::chrono::seconds>(*ms);
    return Ok{};
  }

 private:
  [[nodiscard]] Fail typeError(std::string_view section, std::string_view key,
                               std::string_view expected) const {
    const YAML::Node n = at(section, key);
    std::string got = n.IsScalar() ? "'" + n.Scalar() + "'" : n.IsSequence() ? "a list" : "a map";
    return Fail{ConfigError::InvalidValue,
                name(section, key) + ": expected " + std::string(expected) + ", got " + got};
  }

  YAML::Node root_;
};

#define HUDDLE_TRY(expr)                        \
  do {                                          \
    auto huddleTry_ = (expr);                   \
    if (!huddleTry_) return huddleTry_.error(); \
  } while (false)

struct YamlOutcome {
  std::optional<KeyMap> keys;
  std::string keySource;
  bool bindGiven = false;
};

Result<YamlOutcome, ConfigError> applyYaml(const std::string& text, ServerConfig& config) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Fail{ConfigError::InvalidYaml,
                "config (" + config.configSource + ") is not valid YAML: " + e.what()};
  }
  YamlOutcome outcome;
  if (root.IsNull()) return outcome;  // an empty document keeps the defaults
  if (!root.IsMap()) {
    return Fail{ConfigError::InvalidYaml,
                "config (" + config.configSource + ") must be a mapping of keys"};
  }
  HUDDLE_TRY(checkKeys(root, config.warnings));
  const YamlReader r(root);
  for (const auto* s : {"rtc", "room", "webhook", "logging", "limit"}) HUDDLE_TRY(r.section(s));

  HUDDLE_TRY(r.integer("", "port", config.port, 1));
  std::optional<std::vector<std::string>> bind;
  HUDDLE_TRY(r.stringList("", "bind_addresses", bind));
  if (bind) {
    for (const auto& a : *bind) HUDDLE_TRY(checkBindAddress(a, "bind_addresses"));
    config.bindAddresses = *bind;
    outcome.bindGiven = true;
  }
  HUDDLE_TRY(r.boolean("", "development", config.development));

  // rtc.udp_port: LiveKit also takes "start-end" (several mux ports); we serve one.
  if (const YAML::Node n = r.at("rtc", "udp_port"); n.IsDefined() && !n.IsNull()) {
    if (n.IsScalar() && n.Scalar().find('-') != std::string::npos &&
        n.Scalar().find_first_not_of("0123456789- ") == std::string::npos) {
      return Fail{ConfigError::InvalidValue,
                  "rtc.udp_port: a port range is not supported, give a single port"};
    }
    std::uint16_t udp = 0;
    HUDDLE_TRY(r.integer("rtc", "udp_port", udp));
    config.rtc.udpPort = udp == 0 ? std::nullopt : std::optional<std::uint16_t>(udp);
  }
  HUDDLE_TRY(r.integer("rtc", "tcp_port", config.rtc.tcpPort));
  HUDDLE_TRY(r.integer("rtc", "port_range_start", config.rtc.portRangeStart));
  HUDDLE_TRY(r.integer("rtc", "port_range_end", config.rtc.portRangeEnd));
  HUDDLE_TRY(r.boolean("rtc", "use_ice_lite", config.rtc.useIceLite));
  std::optional<std::string> nodeIp;
  HUDDLE_TRY(r.string("rtc", "node_ip", nodeIp));
  if (nodeIp && !nodeIp->empty()) {
    auto ip = parseNodeIp(*nodeIp, "rtc.node_ip");
    if (!ip) return ip.error();
    config.rtc.nodeIp = *ip;
  }

  HUDDLE_TRY(r.boolean("room", "auto_create", config.room.autoCreate));
  HUDDLE_TRY(r.seconds("room", "empty_timeout", config.room.emptyTimeout));
  HUDDLE_TRY(r.seconds("room", "departure_timeout", config.room.departureTimeout));
  HUDDLE_TRY(r.integer("room", "max_participants", config.room.maxParticipants));

  std::optional<std::vector<std::string>> urls;
  HUDDLE_TRY(r.stringList("webhook", "urls", urls));
  if (urls) config.webhook.urls = *urls;
  std::optional<std::string> apiKey;
  HUDDLE_TRY(r.string("webhook", "api_key", apiKey));
  if (apiKey) config.webhook.apiKey = *apiKey;

  std::optional<std::string> level;
  HUDDLE_TRY(r.string("logging", "level", level));
  if (level) {
    HUDDLE_TRY(checkLogLevel(*level, "logging.level"));
    config.logLevel = *level;
  }
  // LiveKit's older top-level spelling; like LiveKit, it wins over logging.level.
  std::optional<std::string> oldLevel;
  HUDDLE_TRY(r.string("", "log_level", oldLevel));
  if (oldLevel) {
    HUDDLE_TRY(checkLogLevel(*oldLevel, "log_level"));
    config.logLevel = *oldLevel;
  }

  HUDDLE_TRY(r.integer("limit", "signal_message_size_limit", config.limit.signalMessageSizeLimit));
  HUDDLE_TRY(r.integer("limit", "max_api_request_body_size", config.limit.maxApiRequestBodySize));

  std::optional<std::string> keyFile;
  HUDDLE_TRY(r.string("", "key_file", keyFile));
  const YAML::Node keysNode = root["keys"];
  const bool keysGiven = keysNode.IsDefined() && !keysNode.IsNull();
  if (keysGiven) {
    if (!keysNode.IsMap()) {
      return Fail{ConfigError::InvalidValue, "keys: expected a mapping of key: secret"};
    }
    KeyMap keys;
    for (const auto& entry : keysNode) {
      if (!entry.first.IsScalar() || !entry.second.IsScalar()) {
        return Fail{ConfigError::InvalidValue, "keys: expected a mapping of key: secret"};
      }
      keys[entry.first.Scalar()] = entry.second.Scalar();
    }
    outcome.keys = std::move(keys);
    outcome.keySource = "keys";
  }
  if (keyFile && !keyFile->empty()) {
    if (keysGiven) config.warnings.push_back("config key 'keys' is ignored: key_file is set");
    auto keys = readKeyFile(*keyFile, "key_file");
    if (!keys) return keys.error();
    outcome.keys = std::move(*keys);
    outcome.keySource = "key_file";
  }
  return outcome;
}

#undef HUDDLE_TRY

}  // namespace

Result<ServerConfig, ConfigError> loadServerConfig(int argc, const char* const* argv,
                                                   const Environment& env) {
  Flags flags;
  App cli(flags);
  try {
    cli.app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return Fail{ConfigError::HelpRequested, cli.app.help()};
  } catch (const CLI::ParseError& e) {
    return Fail{ConfigError::InvalidFlag, e.what()};
  }
  cli.recordGiven(flags);
  const auto given = [&](std::string_view name) { return flags.given.find(name)->second; };

  ServerConfig config;
  config.development = flags.dev;

  // 1. YAML: explicit flags first, then the container-style env variable.
  if (given("--config") && given("--config-body")) {
    return Fail{ConfigError::InvalidFlag, "--config and --config-body: give only one"};
  }
  std::optional<std::string> yaml;
  if (given("--config-body")) {
    yaml = flags.configBody;
    config.configSource = "--config-body";
  } else if (given("--config")) {
    auto text = readFile(flags.config, "--config");
    if (!text) return text.error();
    yaml = std::move(*text);
    config.configSource = "--config " + flags.config;
  } else if (auto body = env.get("LIVEKIT_CONFIG"); body && !body->empty()) {
    yaml = std::move(*body);
    config.configSource = "LIVEKIT_CONFIG";
  }
  YamlOutcome fromYaml;
  if (yaml) {
    auto applied = applyYaml(*yaml, config);
    if (!applied) return applied.error();
    fromYaml = std::move(*applied);
  }
  // --dev on the command line cannot be switched off by the file.
  if (flags.dev) config.development = true;

  // 2. Keys: the highest-priority source that names any replaces the lower ones whole.
  std::optional<KeyMap> keys = fromYaml.keys;
  std::string keySource = fromYaml.keySource;
  if (auto envKeys = env.get("LIVEKIT_KEYS"); envKeys && !trim(*envKeys).empty()) {
    auto parsed = parseKeyText(*envKeys, "LIVEKIT_KEYS");
    if (!parsed) return parsed.error();
    keys = std::move(*parsed);
    keySource = "LIVEKIT_KEYS";
  }
  if (given("--keys") && given("--key-file")) {
    return Fail{ConfigError::InvalidFlag, "--keys and --key-file: give only one"};
  }
  if (given("--key-file")) {
    auto parsed = readKeyFile(flags.keyFile, "--key-file");
    if (!parsed) return parsed.error();
    keys = std::move(*parsed);
    keySource = "--key-file";
  } else if (given("--keys")) {
    auto parsed = parseKeyText(flags.keys, "--keys");
    if (!parsed) return parsed.error();
    keys = std::move(*parsed);
    keySource = "--keys";
  }

  // 3. The remaining flags.
  if (given("--port")) {
    auto v = parseInteger(flags.port, "--port", 1, 65535);
    if (!v) return v.error();
    config.port = static_cast<std::uint16_t>(*v);
  }
  if (given("--udp-port")) {
    auto v = parseInteger(flags.udpPort, "--udp-port", 0, 65535);
    if (!v) return v.error();
    config.rtc.udpPort =
        *v == 0 ? std::nullopt : std::optional<std::uint16_t>(static_cast<std::uint16_t>(*v));
  }
  if (given("--tcp-port")) {
    auto v = parseInteger(flags.tcpPort, "--tcp-port", 0, 65535);
    if (!v) return v.error();
    config.rtc.tcpPort = static_cast<std::uint16_t>(*v);
  }
  bool bindGiven = fromYaml.bindGiven;
  if (given("--bind")) {
    for (const auto& a : flags.bind) {
      auto ok = checkBindAddress(a, "--bind");
      if (!ok) return ok.error();
    }
    config.bindAddresses = flags.bind;
    bindGiven = true;
  }
  if (given("--node-ip")) {
    auto ip = parseNodeIp(flags.nodeIp, "--node-ip");
    if (!ip) return ip.error();
    config.rtc.nodeIp = *ip;
  }
  if (given("--log-level")) {
    auto ok = checkLogLevel(flags.logLevel, "--log-level");
    if (!ok) return ok.error();
    config.logLevel = flags.logLevel;
  }

  // 4. Development mode fills what the operator left out, with values safe only on loopback.
  if (config.development) {
    if (!keys || keys->empty()) {
      keys = KeyMap{{std::string(kDevKey), std::string(kDevSecret)}};
      keySource = "dev";
      config.warnings.push_back(
          "development mode: API key 'devkey' with the public secret 'secret'");
    }
    if (!bindGiven) config.bindAddresses = {"127.0.0.1"};
  }

  // 5. Cross-field validation.
  if (!keys || keys->empty()) {
    return Fail{ConfigError::InvalidKeys,
                "keys: no API keys configured; give keys or key_file in the config, "
                "LIVEKIT_KEYS, --keys or --key-file (or run with --dev)"};
  }
  const std::string keyName = keySource == "dev" ? "keys" : keySource;
  const auth::KeyPolicy policy{.allowShortSecrets = config.development};
  for (const auto& [key, secret] : *keys) {
    auto added = config.keyProvider.add(key, secret, policy);
    if (!added) return Fail{ConfigError::InvalidKeys, keyName + ": " + added.message()};
  }
  config.keys = std::move(*keys);
  config.keySource = keySource;

  const auto& rtc = config.rtc;
  if (rtc.portRangeStart > rtc.portRangeEnd) {
    return Fail{ConfigError::InvalidValue,
                "rtc.port_range_start: " + std::to_string(rtc.portRangeStart) +
                    " is above rtc.port_range_end " + std::to_string(rtc.portRangeEnd)};
  }
  if (!rtc.udpPort && (rtc.portRangeStart == 0 || rtc.portRangeEnd == 0)) {
    return Fail{ConfigError::InvalidValue,
                "rtc.udp_port: no UDP port for media; set rtc.udp_port or "
                "rtc.port_range_start and rtc.port_range_end"};
  }
  if (rtc.tcpPort != 0 && rtc.tcpPort == config.port) {
    return Fail{ConfigError::InvalidValue,
                "rtc.tcp_port: " + std::to_string(rtc.tcpPort) + " is also the HTTP port (port)"};
  }
  for (const auto& url : config.webhook.urls) {
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      return Fail{ConfigError::InvalidValue,
                  "webhook.urls: '" + url + "' is not an http:// or https:// URL"};
    }
  }
  if (!config.webhook.urls.empty() && config.webhook.apiKey.empty()) {
    return Fail{ConfigError::InvalidValue,
                "webhook.api_key: required when webhook.urls is set (it signs the requests)"};
  }
  if (!config.webhook.apiKey.empty() && config.keys.count(config.webhook.apiKey) == 0) {
    return Fail{ConfigError::InvalidValue, "webhook.api_key: '" + config.webhook.apiKey +
                                               "' is not one of the configured keys"};
  }
  return config;
}

Result<ServerConfig, ConfigError> loadServerConfig(int argc, char** argv, const Environment& env) {
  return loadServerConfig(argc, const_cast<const char* const*>(argv), env);
}

std::string serverHelpText() {
  Flags flags;
  App cli(flags);
  return cli.app.help();
}

std::vector<std::string> effectiveBindAddresses(const ServerConfig& config) {
  if (config.bindAddresses.empty()) return {"0.0.0.0", "::"};
  return config.bindAddresses;
}

std::string describe(const ServerConfig& config) {
  std::string out = "port=" + std::to_string(config.port) + " bind=";
  const auto bind = effectiveBindAddresses(config);
  for (std::size_t i = 0; i < bind.size(); ++i) out += (i ? "," : "") + bind[i];
  const auto& rtc = config.rtc;
  out += " rtc.udp_port=" + (rtc.udpPort ? std::to_string(*rtc.udpPort) : std::string("none"));
  out += " rtc.tcp_port=" + (rtc.tcpPort ? std::to_string(rtc.tcpPort) : std::string("off"));
  out += " rtc.port_range=" + std::to_string(rtc.portRangeStart) + "-" +
         std::to_string(rtc.portRangeEnd);
  out += std::string(" rtc.use_ice_lite=") + (rtc.useIceLite ? "true" : "false");
  out += " rtc.node_ip=";
  if (rtc.nodeIp.empty()) {
    out += "auto";
  } else {
    out += rtc.nodeIp.v4;
    if (!rtc.nodeIp.v4.empty() && !rtc.nodeIp.v6.empty()) out += ",";
    out += rtc.nodeIp.v6;
  }
  // Key names identify keys in tokens and are not secret; the secrets never appear.
  out += " keys=";
  std::size_t i = 0;
  for (const auto& entry : config.keys) out += (i++ ? "," : "") + entry.first;
  out += "(" + config.keySource + ")";
  out += " webhook.urls=" + std::to_string(config.webhook.urls.size());
  out += std::string(" room.auto_create=") + (config.room.autoCreate ? "true" : "false");
  out += " room.empty_timeout=" + std::to_string(config.room.emptyTimeout.count()) + "s";
  out += " room.departure_timeout=" + std::to_string(config.room.departureTimeout.count()) + "s";
  out += " room.max_participants=" + (config.room.maxParticipants
                                          ? std::to_string(config.room.maxParticipants)
                                          : std::string("unlimited"));
  out += " log=" + config.logLevel;
  out += std::string(" dev=") + (config.development ? "true" : "false");
  out += " config=" + config.configSource;
  return out;
}

}  // namespace huddle::server
