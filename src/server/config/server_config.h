#pragma once
// huddle-server configuration: LiveKit's livekit.yaml keys, flags and environment, merged and
// validated once at startup. Pure: loadServerConfig() runs on the main thread before anything
// else starts; the ServerConfig it returns is an immutable value any thread may read.
//
// Sources, in increasing priority:
//   1. built-in defaults (LiveKit's, except rtc.udp_port 7882 and rtc.use_ice_lite true)
//   2. one YAML document: --config-body <yaml>, else --config <path>, else env LIVEKIT_CONFIG
//   3. env LIVEKIT_KEYS (API keys only)
//   4. flags: --dev --bind --port --udp-port --advertise-udp-port --tcp-port --keys --key-file --node-ip --log-level
// API keys come whole from the highest-priority source that names any (--keys, --key-file,
// LIVEKIT_KEYS, YAML key_file, YAML keys); sources are never merged key by key.
//
// The YAML reader is strict like LiveKit's: a key it does not know is an error. Keys of
// livekit.yaml that huddle-server accepts but does not implement (redis, turn, region,
// prometheus_port, rtc.stun_servers...) load with a warning in ServerConfig::warnings.
//
// In main:
//   auto config = loadServerConfig(argc, argv, ProcessEnvironment{});
//   if (!config) {
//     if (config.code() == ConfigError::HelpRequested) { std::cout << config.message(); return 0; }
//     std::cerr << config.message() << '\n';
//     return 2;
//   }
//   (void)log::setLevel(config->logLevel);  // names already validated
//   for (const auto& w : config->warnings) HUDDLE_LOG_WARN(server, "{}", w);
//   HUDDLE_LOG_INFO(server, "ready {}", describe(*config));

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/key_provider.h"
#include "common/result.h"
#include "server/config/environment.h"

namespace huddle::server {

enum class ConfigError {
  HelpRequested,   // --help: message holds the help text; print it to stdout and exit 0
  InvalidFlag,     // unknown flag, missing flag value, conflicting flags
  FileUnreadable,  // --config or key file cannot be read, or a key file others can read
  InvalidYaml,     // not parseable as YAML, or not a mapping at the top
  UnknownKey,      // YAML key neither modelled nor known from livekit.yaml
  InvalidValue,    // wrong type or out of range; the message starts with the key's name
  InvalidKeys,     // no keys, short secret outside dev, malformed key list
};

// rtc.node_ip: the address(es) advertised in ICE candidates. Empty = discovered at startup.
struct NodeIp {
  std::string v4;
  std::string v6;
  [[nodiscard]] bool empty() const { return v4.empty() && v6.empty(); }
};

struct RtcConfig {
  // rtc.udp_port: one UDP port shared by every participant (ICE ufrag demux). 0 in YAML or
  // flag = none, and each session takes a port from the range below instead.
  std::optional<std::uint16_t> udpPort = 7882;
  std::uint16_t portRangeStart = 50000;  // rtc.port_range_start
  std::uint16_t portRangeEnd = 60000;    // rtc.port_range_end (inclusive)
  std::uint16_t tcpPort = 7881;          // rtc.tcp_port: ICE-TCP passive port; 0 = disabled
  bool useIceLite = true;                // rtc.use_ice_lite
  // /rtc/v1 (one peer connection); --no-rtc-v1 turns it off, as on servers before it existed.
  bool singlePeerConnection = true;
  NodeIp nodeIp;                         // rtc.node_ip: "ip" or "ipv4,ipv6"
  // rtc.advertised_udp_port (Huddle extension, not in livekit.yaml; flag --advertise-udp-port):
  // the port our UDP ICE candidates announce instead of the bound one, for a 1:1 NAT port
  // forward (or a test relay) in front of the mux port. Unset: the bound port.
  std::optional<std::uint16_t> advertisedUdpPort;
  // rtc.congestion_control.enabled: cap each subscriber's video to its send-side estimate.
  bool congestionControl = true;
  // rtc.congestion_control.allow_pause: when even the lowest layer does not fit the estimate,
  // pause the video (true) or keep forwarding its lowest layer (false, LiveKit's default: an
  // estimate that collapses under a CPU-starved receiver must not freeze a meeting). A client's
  // join (subscriber_allow_pause) overrides it for its own subscriptions.
  bool congestionAllowPause = false;
};

struct RoomDefaults {
  bool autoCreate = true;                     // room.auto_create: join may create the room
  std::chrono::seconds emptyTimeout{300};     // room.empty_timeout: close if nobody ever joins
  std::chrono::seconds departureTimeout{20};  // room.departure_timeout: close after last leaves
  std::uint32_t maxParticipants = 0;          // room.max_participants; 0 = unlimited
};

struct WebhookConfig {
  std::vector<std::string> urls;  // webhook.urls: POST targets for every event
  std::string apiKey;             // webhook.api_key: signs the requests; one of `keys`
};

struct LimitConfig {
  // limit.signal_message_size_limit: largest signal WebSocket message accepted; 0 = no limit.
  std::size_t signalMessageSizeLimit = std::size_t{2} << 20;
  // limit.max_api_request_body_size: largest Twirp request body accepted; 0 = no limit.
  std::size_t maxApiRequestBodySize = std::size_t{10} << 20;
};

struct ServerConfig {
  std::uint16_t port = 7880;  // port: HTTP + WebSocket (signal, Twirp, validate)
  // bind_addresses: IP literals to listen on. Empty = every interface (0.0.0.0 and ::);
  // --dev without bind addresses gives 127.0.0.1. See effectiveBindAddresses().
  std::vector<std::string> bindAddresses;
  RtcConfig rtc;
  // keys: API key -> secret. Never log the secrets (describe() does not).
  std::map<std::string, std::string> keys;
  RoomDefaults room;
  WebhookConfig webhook;
  std::string logLevel = "info";  // logging.level (or log_level): debug, info, warn, error
  LimitConfig limit;
  bool development = false;  // development / --dev

  // Filled by loadServerConfig() from `keys`: what token and webhook code look keys up in.
  auth::KeyProvider keyProvider;
  // Where the YAML came from ("defaults", "--config /etc/x.yaml", "--config-body",
  // "LIVEKIT_CONFIG") and where keys came from ("keys", "key_file", "LIVEKIT_KEYS", "--keys",
  // "--key-file", "dev"). Reported by describe().
  std::string configSource = "defaults";
  std::string keySource;
  // Accepted-but-ignored keys and other notes: log each at warn once the logger is set up.
  std::vector<std::string> warnings;
};

// Reads flags, environment and the YAML they point at, then validates. On failure the message
// names the offending key or flag, e.g. "port: expected an integer, got 'abc'".
[[nodiscard]] Result<ServerConfig, ConfigError> loadServerConfig(int argc, const char* const* argv,
                                                                 const Environment& env);
[[nodiscard]] Result<ServerConfig, ConfigError> loadServerConfig(int argc, char** argv,
                                                                 const Environment& env);

// The --help text (what loadServerConfig returns with HelpRequested).
[[nodiscard]] std::string serverHelpText();

// One line for the "ready" log: ports, addresses, key names and counts, never a secret.
[[nodiscard]] std::string describe(const ServerConfig& config);

// bindAddresses, or {"0.0.0.0", "::"} when it is empty.
[[nodiscard]] std::vector<std::string> effectiveBindAddresses(const ServerConfig& config);

}  // namespace huddle::server
