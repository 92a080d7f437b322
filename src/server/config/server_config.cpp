#include "server/config/server_config.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <string_view>

#include "server/config/config_values.h"
#include "server/config/config_yaml.h"

namespace huddle::server {
// The helpers of this module's internal headers, used throughout this file.
using namespace detail;  // NOLINT(google-build-using-namespace)

namespace {

using Fail = Error<ConfigError>;

constexpr std::string_view kDevKey = "devkey";
constexpr std::string_view kDevSecret = "secret";  // public on purpose: dev mode only

// ---- flags ----------------------------------------------------------------------------------

struct Flags {
  std::string config;
  std::string configBody;
  bool dev = false;
  bool noRtcV1 = false;
  std::vector<std::string> bind;
  std::string port;
  std::string udpPort;
  std::string advertiseUdpPort;
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
  CLI::Option* advertiseUdpPort = nullptr;
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
    app.add_flag("--no-rtc-v1", f.noRtcV1,
                 "answer /rtc/v1 with 404, as a server before single peer connection did: "
                 "clients fall back to /rtc with two peer connections");
    bind = app.add_option("--bind", f.bind,
                          "IP address to listen on; repeat for several (default: all)")
               ->allow_extra_args(false)
               ->type_name("IP");
    port =
        app.add_option("--port", f.port, "HTTP/WebSocket port (default 7880)")->type_name("PORT");
    udpPort = app.add_option("--udp-port", f.udpPort,
                             "single UDP port for all WebRTC traffic (default 7882; 0 = an "
                             "ephemeral port)")
                  ->type_name("PORT");
    advertiseUdpPort =
        app.add_option("--advertise-udp-port", f.advertiseUdpPort,
                       "UDP port announced in ICE candidates instead of the bound one (a 1:1 "
                       "NAT port forward or a relay in front of --udp-port)")
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
    const std::array<std::pair<std::string_view, const CLI::Option*>, 11> all = {{
        {"--config", config},
        {"--config-body", configBody},
        {"--bind", bind},
        {"--port", port},
        {"--udp-port", udpPort},
        {"--advertise-udp-port", advertiseUdpPort},
        {"--tcp-port", tcpPort},
        {"--keys", keys},
        {"--key-file", keyFile},
        {"--node-ip", nodeIp},
        {"--log-level", logLevel},
    }};
    for (const auto& [name, option] : all) f.given[std::string(name)] = option->count() > 0;
  }
};

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
  if (flags.noRtcV1) config.rtc.singlePeerConnection = false;

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
  if (given("--advertise-udp-port")) {
    auto v = parseInteger(flags.advertiseUdpPort, "--advertise-udp-port", 1, 65535);
    if (!v) return v.error();
    config.rtc.advertisedUdpPort = static_cast<std::uint16_t>(*v);
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
  if (rtc.advertisedUdpPort) {
    out += " rtc.advertised_udp_port=" + std::to_string(*rtc.advertisedUdpPort);
  }
  out += " rtc.tcp_port=" + (rtc.tcpPort ? std::to_string(rtc.tcpPort) : std::string("off"));
  out += " rtc.port_range=" + std::to_string(rtc.portRangeStart) + "-" +
         std::to_string(rtc.portRangeEnd);
  out += std::string(" rtc.use_ice_lite=") + (rtc.useIceLite ? "true" : "false");
  out += std::string(" rtc.congestion_control=") + (rtc.congestionControl ? "on" : "off");
  out += std::string(" allow_pause=") + (rtc.congestionAllowPause ? "true" : "false");
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
