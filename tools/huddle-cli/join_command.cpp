#include "join_command.h"

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "auth/access_token.h"
#include "cli_common.h"
#include "client/room.h"
#include "client/synthetic_source.h"
#include "join_session.h"
#include "key_options.h"

namespace huddle::cli {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct JoinOptions {
  std::string url;
  std::string token;
  KeyOptions keys;
  std::string room;
  std::string identity;
  std::string name;
  std::vector<std::string> publish;
  std::string videoSize = "1280x720";
  int fps = 30;
  bool simulcast = true;
  double toneHz = 440;
  double duration = 0;  // seconds; 0: until SIGINT/SIGTERM
  std::string statsJson;
  int expectTracks = 0;
  std::string sendData;
  std::string dataTopic = "huddle-cli";
  int dataCount = 0;  // 0: no limit
  int dataIntervalMs = 1000;
  bool noRtcV1 = false;
  bool verbose = false;
};

int badArguments(const std::string& message) {
  std::cerr << "huddle-cli join: " << message << "\n";
  return kJoinBadArguments;
}

std::optional<std::pair<int, int>> parseSize(const std::string& text) {
  static const std::regex kSize(R"((\d{2,4})x(\d{2,4}))");
  std::smatch m;
  if (!std::regex_match(text, m, kSize)) return std::nullopt;
  const int w = std::stoi(m[1]);
  const int h = std::stoi(m[2]);
  if (w < 16 || h < 16 || w > 4096 || h > 4096 || w % 2 || h % 2) return std::nullopt;
  return std::pair{w, h};
}

// The token from --token, or one minted as `huddle-cli token create --join` would.
std::optional<std::string> resolveToken(JoinOptions& o, std::string& error) {
  if (!o.token.empty()) return o.token;
  auto keys = o.keys.provider();
  if (!keys) {
    error = keys.message();
    return std::nullopt;
  }
  auth::ClaimGrants grants;
  grants.identity = o.identity;
  grants.name = o.name;
  auth::VideoGrant video;
  video.roomJoin = true;
  video.room = o.room;
  grants.video = video;
  auth::MintOptions mint;
  mint.apiKey = o.keys.apiKey;
  auto token = auth::mintToken(grants, mint, *keys->find(o.keys.apiKey));
  if (!token) {
    error = "cannot mint token: " + token.message();
    return std::nullopt;
  }
  return *token;
}

void writeJson(const std::string& path, const json& out) {
  if (path.empty()) return;
  // Written aside and renamed, so a script polling the file never reads half of it.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp, std::ios::trunc);
    file << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    if (!file) {
      std::cerr << "huddle-cli join: cannot write " << tmp << "\n";
      return;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) std::cerr << "huddle-cli join: cannot rename " << tmp << " to " << path << ": " << ec.message() << "\n";
}

// One published synthetic track and the source that feeds it.
struct Published {
  std::shared_ptr<client::LocalTrack> track;
  std::unique_ptr<client::SyntheticVideoSource> video;
  std::unique_ptr<client::SyntheticAudioSource> audio;
  long publishMs = 0;
  json config;

  void stop() {
    if (video) video->stop();
    if (audio) audio->stop();
  }
  [[nodiscard]] json report() const {
    const auto s = track->stats();
    json out = config;
    out["kind"] = client::toString(track->kind());
    out["sid"] = track->sid();
    out["name"] = track->name();
    out["publishMs"] = publishMs;
    out["framesProduced"] = video ? video->framesProduced() : audio->framesProduced();
    out["framesPushed"] = s.framesPushed;
    out["framesDropped"] = s.framesDropped;
    out["framesEncoded"] = s.framesEncoded;
    out["packetsSent"] = s.packetsSent;
    out["bytesSent"] = s.bytesSent;
    out["packetsRetransmitted"] = s.packetsRetransmitted;
    out["keyframeRequests"] = s.keyframeRequests;
    return out;
  }
};

// Publishes one track and waits (bounded) for the server to accept it.
bool publish(client::Room& room, Published& p, JoinSession& session, std::string& error) {
  const auto start = Clock::now();
  auto future = room.localParticipant().publishTrack(p.track);
  if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    error = "no answer within 30 s";
    return false;
  }
  const auto result = future.get();
  if (!result) {
    error = result.message;
    return false;
  }
  p.publishMs = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  session.log("published " + std::string(client::toString(p.track->kind())) + " " + result.publication.sid + " in " +
              std::to_string(p.publishMs) + " ms");
  if (p.video) p.video->start();
  if (p.audio) p.audio->start();
  return true;
}

int runJoin(JoinOptions& o) {
  // Arguments first: nothing touches the network before they are known to be right.
  if (o.token.empty() && (o.room.empty() || o.identity.empty())) {
    return badArguments("pass --token, or --room and --identity with an API key (--api-key/--api-secret or --dev)");
  }
  bool wantVideo = false;
  bool wantAudio = false;
  for (const auto& p : o.publish) {
    if (p == "video") wantVideo = true;
    else if (p == "audio") wantAudio = true;
    else if (p != "none") return badArguments("--publish takes video, audio or none, not '" + p + "'");
  }
  const auto size = parseSize(o.videoSize);
  if (!size) return badArguments("--video-size '" + o.videoSize + "' is not WIDTHxHEIGHT (even, 16..4096)");
  if (o.dataIntervalMs < 10) return badArguments("--data-interval-ms must be at least 10");
  std::string error;
  const auto token = resolveToken(o, error);
  if (!token) return badArguments(error);

  // SIGINT/SIGTERM are taken by sigtimedwait() in the loop below, not by a handler: blocked here
  // before the Room starts its threads, so they inherit the mask and the loop sees every signal.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const auto joinStart = Clock::now();
  JoinSession session(joinStart, o.verbose);
  json out{{"url", o.url}, {"ok", false}};
  client::RoomOptions roomOptions;
  roomOptions.autoSubscribe = true;
  roomOptions.preferV1 = !o.noRtcV1;
  std::vector<Published> published;
  int exitCode = 0;
  {
    client::Room room;
    room.setDelegate(&session);
    auto joined = room.connect(o.url, *token, roomOptions);
    // The Room's own timeouts end every attempt; this bound only guards against a hang.
    if (joined.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
      room.setDelegate(nullptr);
      out["error"] = "no join result within 60 s";
      writeJson(o.statsJson, out);
      return fail("join failed: no result within 60 s");
    }
    const auto result = joined.get();
    const long joinMs = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - joinStart).count();
    out["joinMs"] = joinMs;
    if (!result) {
      room.setDelegate(nullptr);
      std::string why = std::string(client::toString(result.reason)) + ": " + result.message;
      if (result.httpStatus && why.find("HTTP") == std::string::npos) {
        why += " (HTTP " + std::to_string(result.httpStatus) + ")";
      }
      out["error"] = why;
      writeJson(o.statsJson, out);
      return fail("join failed: " + why);
    }
    out["room"] = room.name();
    out["roomSid"] = room.sid();
    out["identity"] = room.localParticipant().identity();
    out["participantSid"] = room.localParticipant().sid();
    out["signalPath"] = result.usedV1 ? "v1" : "v0";
    out["serverVersion"] = room.serverVersion();
    session.addPresent(room.remoteParticipants());
    std::cout << "joined room " << room.name() << " as " << room.localParticipant().identity() << " ("
              << room.localParticipant().sid() << ") in " << joinMs << " ms over "
              << (result.usedV1 ? "/rtc/v1" : "/rtc") << std::endl;

    if (wantVideo) {
      client::VideoTrackOptions v;
      v.width = size->first;
      v.height = size->second;
      v.fps = o.fps;
      v.simulcast = o.simulcast;
      auto track = client::LocalVideoTrack::create(v);
      Published p{track, std::make_unique<client::SyntheticVideoSource>(track), nullptr, 0,
                  json{{"width", v.width}, {"height", v.height}, {"fps", v.fps}, {"simulcast", v.simulcast}}};
      published.push_back(std::move(p));
    }
    if (wantAudio) {
      auto track = client::LocalAudioTrack::create({});
      Published p{track, nullptr, std::make_unique<client::SyntheticAudioSource>(track, o.toneHz), 0,
                  json{{"toneHz", o.toneHz}}};
      published.push_back(std::move(p));
    }
    for (auto& p : published) {
      if (!publish(room, p, session, error)) {
        exitCode = fail("publishing " + std::string(client::toString(p.track->kind())) + " failed: " + error);
        out["error"] = "publish failed: " + error;
        break;
      }
    }

    int dataSent = 0;
    int dataFailed = 0;
    auto figures = [&] {
      json f;
      f["durationMs"] = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - joinStart).count();
      json pub = json::array();
      for (const auto& p : published) pub.push_back(p.report());
      f["published"] = pub;
      f["received"] = session.receivedReport();
      f["data"] = session.dataReport();
      f["data"]["sent"] = dataSent;
      f["data"]["sendFailures"] = dataFailed;
      f["data"]["topic"] = o.dataTopic;
      f["participants"] = session.participantsReport();
      f["activeSpeakerUpdates"] = session.speakerUpdates();
      f["tracksWithMedia"] = session.tracksWithMedia();
      return f;
    };

    // The session: data on its schedule, until the duration ends, a signal comes or the room
    // goes away. sigtimedwait() is the clock: it returns at the next deadline or at a signal.
    const auto end = o.duration > 0 ? joinStart + std::chrono::milliseconds(static_cast<long>(o.duration * 1000))
                                    : Clock::time_point::max();
    auto nextData = Clock::now();
    // With --stats-json the figures are also written once a second while running ("final":
    // false), so a script can wait for what it expects and then end the run.
    auto nextStats = Clock::now() + std::chrono::seconds(1);
    for (long tick = 0; exitCode == 0 && tick < 100'000'000; ++tick) {
      const auto now = Clock::now();
      if (now >= end) break;
      if (session.disconnected()) {
        exitCode = fail("disconnected: " + session.disconnectReason());
        out["error"] = "disconnected: " + session.disconnectReason();
        break;
      }
      if (!o.sendData.empty() && now >= nextData && (o.dataCount == 0 || dataSent < o.dataCount)) {
        const std::string text = o.sendData + " " + std::to_string(dataSent + 1);
        client::DataPublishOptions dataOptions;
        dataOptions.reliable = true;
        dataOptions.topic = o.dataTopic;
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
        if (auto sent = room.localParticipant().publishData({bytes, text.size()}, dataOptions)) {
          ++dataSent;
          session.debug("sent data '" + text + "'");
        } else {
          // Not open yet (the data channel follows the join): try again at the next tick.
          ++dataFailed;
          session.debug("data not sent: " + sent.message);
        }
        nextData = now + std::chrono::milliseconds(o.dataIntervalMs);
      }
      if (!o.statsJson.empty() && now >= nextStats) {
        json running = out;
        running.update(figures(), true);
        running["final"] = false;
        writeJson(o.statsJson, running);
        nextStats = now + std::chrono::seconds(1);
      }
      // Wake for the next data message, the end, or at least every 200 ms to notice a
      // disconnection reported by the Room's event thread.
      auto wake = std::min(end, now + std::chrono::milliseconds(200));
      if (!o.sendData.empty() && (o.dataCount == 0 || dataSent < o.dataCount)) wake = std::min(wake, nextData);
      const auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(wake - now);
      if (wait.count() <= 0) continue;
      const timespec ts{static_cast<time_t>(wait.count() / 1'000'000'000), static_cast<long>(wait.count() % 1'000'000'000)};
      if (const int sig = sigtimedwait(&signals, nullptr, &ts); sig == SIGINT || sig == SIGTERM) {
        session.log(sig == SIGINT ? "SIGINT: leaving" : "SIGTERM: leaving");
        break;
      }
    }

    // Figures before leaving: the bitrates are those of the last interval with media.
    out.update(figures(), true);
    for (auto& p : published) p.stop();
    session.detachAll();
    room.disconnect();
    if (!session.waitDisconnected(std::chrono::seconds(5))) session.log("no Disconnected event within 5 s");
    room.setDelegate(nullptr);
  }
  session.printTable(std::cout);

  const int withMedia = session.tracksWithMedia();
  if (exitCode == 0 && withMedia < o.expectTracks) {
    exitCode = kJoinExpectationFailed;
    out["error"] = "expected media on " + std::to_string(o.expectTracks) + " remote tracks, got " + std::to_string(withMedia);
    std::cerr << "huddle-cli join: " << out["error"].get<std::string>() << "\n";
  }
  out["ok"] = exitCode == 0;
  out["final"] = true;
  writeJson(o.statsJson, out);
  return exitCode;
}

}  // namespace

CLI::App* addJoinCommand(CLI::App& app, int& exitCode) {
  auto o = std::make_shared<JoinOptions>();
  auto* c = app.add_subcommand("join", "join a room as a bot: publish synthetic media, subscribe, measure");
  c->add_option("--url", o->url, "server URL, ws://host:port or http://host:port")->required();
  c->add_option("--token", o->token, "access token (else one is minted from the API key)");
  o->keys.addTo(*c);
  c->add_option("-r,--room", o->room, "room to join (for a minted token)");
  c->add_option("-i,--identity", o->identity, "identity (for a minted token)");
  c->add_option("-n,--name", o->name, "display name (for a minted token)");
  c->add_option("--publish", o->publish, "what to publish: video,audio (default: nothing)")->delimiter(',');
  c->add_option("--video-size", o->videoSize, "test pattern size (default 1280x720)");
  c->add_option("--fps", o->fps, "test pattern frame rate (default 30)")->check(CLI::Range(1, 60));
  c->add_flag("--simulcast,!--no-simulcast", o->simulcast, "three VP8 layers (default) or one");
  c->add_option("--tone-hz", o->toneHz, "frequency of the published tone (default 440)")->check(CLI::Range(20.0, 20000.0));
  c->add_option("--duration", o->duration, "seconds to stay (default: until SIGINT/SIGTERM)")->check(CLI::Range(0.0, 1e7));
  c->add_option("--stats-json", o->statsJson, "write the figures as JSON to this file at the end");
  c->add_option("--expect-tracks", o->expectTracks, "exit 3 unless this many remote tracks delivered media")
      ->check(CLI::Range(0, 1000));
  c->add_option("--send-data", o->sendData, "send reliable data messages '<TEXT> <n>', n = 1, 2, ...");
  c->add_option("--data-topic", o->dataTopic, "topic of the messages sent (default huddle-cli)");
  c->add_option("--data-count", o->dataCount, "stop sending after this many messages (default: no limit)")
      ->check(CLI::Range(0, 1'000'000));
  c->add_option("--data-interval-ms", o->dataIntervalMs, "milliseconds between messages (default 1000)");
  c->add_flag("--no-rtc-v1", o->noRtcV1, "join over /rtc (two peer connections) instead of trying /rtc/v1");
  c->add_flag("-v,--verbose", o->verbose, "print room events as they happen");
  c->callback([o, &exitCode] { exitCode = runJoin(*o); });
  return c;
}

}  // namespace huddle::cli
