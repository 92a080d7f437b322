#include "server/config/config_yaml.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "common/duration.h"

namespace huddle::server::detail {
namespace {

using Fail = Error<ConfigError>;

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
       {"udp_port", "tcp_port", "port_range_start", "port_range_end", "use_ice_lite", "node_ip",
        "advertised_udp_port", "congestion_control"},
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
      {"rtc.congestion_control",
       {"enabled", "allow_pause"},
       // LiveKit's allocator tuning (probing, estimator parameters).
       {"nack_ratio_attenuator", "expected_usage_threshold", "use_send_side_bwe_interceptor",
        "use_send_side_bwe", "probe_mode", "min_channel_capacity", "send_side_bwe",
        "stream_allocator", "probe_config", "channel_observer_probe_config",
        "channel_observer_non_probe_config", "disable_estimation_unmanaged_tracks", "remote_bwe"}},
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

// A section by its dotted name ("" is the document, "rtc.congestion_control" a mapping inside
// rtc). Undefined when a step is missing or not a mapping.
YAML::Node sectionNode(const YAML::Node& root, std::string_view dotted) {
  if (dotted.empty()) return root;
  if (!root.IsDefined() || !root.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  // Node copies share the tree, and assigning one Node to another would write into it: each
  // step is a fresh child, never an assignment. const operator[] does not insert missing keys.
  const std::size_t dot = dotted.find('.');
  const YAML::Node child = root[std::string(dotted.substr(0, dot))];
  return dot == std::string_view::npos ? child : sectionNode(child, dotted.substr(dot + 1));
}

bool contains(const std::vector<std::string_view>& list, std::string_view key) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

// Walks the document's keys only, before any value is read, so that a typo anywhere is reported
// with all its siblings in one error rather than after an unrelated type error.
Result<Ok, ConfigError> checkKeys(const YAML::Node& root, std::vector<std::string>& warnings) {
  std::vector<std::string> unknown;
  for (const auto& section : sections()) {
    const YAML::Node node = sectionNode(root, section.name);
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
    const YAML::Node s = sectionNode(root_, section);
    if (!s.IsDefined() || !s.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    return s[std::string(key)];
  }

  static std::string name(std::string_view section, std::string_view key) {
    return section.empty() ? std::string(key) : std::string(section) + "." + std::string(key);
  }

  Result<Ok, ConfigError> section(std::string_view section) const {
    const YAML::Node s = sectionNode(root_, section);
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

}  // namespace

#define HUDDLE_TRY(expr)                        \
  do {                                          \
    auto huddleTry_ = (expr);                   \
    if (!huddleTry_) return huddleTry_.error(); \
  } while (false)

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
  for (const auto* s : {"rtc", "rtc.congestion_control", "room", "webhook", "logging", "limit"}) {
    HUDDLE_TRY(r.section(s));
  }

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
  // Huddle extension: a port forward in front of the mux port (see RtcConfig).
  if (const YAML::Node n = r.at("rtc", "advertised_udp_port"); n.IsDefined() && !n.IsNull()) {
    std::uint16_t advertised = 0;
    HUDDLE_TRY(r.integer("rtc", "advertised_udp_port", advertised, 1));
    config.rtc.advertisedUdpPort = advertised;
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

  HUDDLE_TRY(r.boolean("rtc.congestion_control", "enabled", config.rtc.congestionControl));
  HUDDLE_TRY(r.boolean("rtc.congestion_control", "allow_pause", config.rtc.congestionAllowPause));

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

}  // namespace huddle::server::detail
