// join_and_publish: the smallest useful program on the Huddle C++ client SDK.
//
// Joins a room, publishes a synthetic camera (a moving test pattern) and microphone (a 440 Hz
// tone), prints who joins, leaves and speaks, and leaves the room on Ctrl-C.
//
//   join_and_publish ws://127.0.0.1:7880 <token>
//   LIVEKIT_URL=ws://127.0.0.1:7880 LIVEKIT_TOKEN=<token> join_and_publish
//
// Replace the synthetic sources with your capture code: push frames into the tracks with
// LocalVideoTrack::pushI420/pushPacked and LocalAudioTrack::pushPcm.
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

#include "client/room.h"
#include "client/synthetic_source.h"

namespace hc = huddle::client;

// Room events arrive here, one at a time, on the Room's event thread. Override only what you
// need; every method has an empty default.
class Printer final : public hc::RoomDelegate {
 public:
  std::atomic<bool> ended{false};

  void onParticipantConnected(const hc::RemoteParticipant& p) override {
    std::cout << p.identity << " joined\n";
  }
  void onParticipantDisconnected(const hc::RemoteParticipant& p, hc::DisconnectReason) override {
    std::cout << p.identity << " left\n";
  }
  // The whole list each time, loudest first; empty when nobody speaks.
  void onActiveSpeakersChanged(const std::vector<hc::ActiveSpeaker>& speakers) override {
    std::cout << "speaking:";
    for (const auto& s : speakers) std::cout << ' ' << s.identity << (s.isLocal ? " (me)" : "");
    std::cout << (speakers.empty() ? " nobody\n" : "\n");
  }
  void onConnectionStateChanged(hc::ConnectionState state, hc::DisconnectReason reason,
                                std::string_view detail) override {
    if (state != hc::ConnectionState::Disconnected) return;
    std::cout << "disconnected: " << hc::toString(reason) << ' ' << detail << '\n';
    ended = true;
  }
};

int main(int argc, char** argv) {
  const char* url = argc > 1 ? argv[1] : std::getenv("LIVEKIT_URL");
  const char* token = argc > 2 ? argv[2] : std::getenv("LIVEKIT_TOKEN");
  if (url == nullptr || token == nullptr) {
    std::cerr << "usage: join_and_publish URL TOKEN (or set LIVEKIT_URL and LIVEKIT_TOKEN)\n";
    return 2;
  }

  // Ctrl-C is collected with sigtimedwait() below. Blocking the signals before the Room exists
  // makes its threads inherit the mask, so the signal always reaches this thread.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  Printer printer;  // declared before the Room: the Room borrows it and must go first
  hc::Room room;
  room.setDelegate(&printer);

  // connect() returns at once; the future holds the outcome of the join.
  const hc::ConnectResult joined = room.connect(url, token).get();
  if (!joined) {
    std::cerr << "join failed: " << hc::toString(joined.reason) << ": " << joined.message << '\n';
    return 1;
  }
  std::cout << "joined " << room.name() << " as " << room.localParticipant().identity() << '\n';
  for (const auto& p : room.remoteParticipants()) std::cout << p.identity << " is here\n";

  // A camera track fed by the test pattern. The SDK encodes it (VP8, simulcast by default).
  hc::VideoTrackOptions cameraOptions;
  cameraOptions.width = 640;
  cameraOptions.height = 360;
  auto camera = hc::LocalVideoTrack::create(cameraOptions);
  hc::SyntheticVideoSource pattern(camera);
  // A microphone track fed by a tone (Opus).
  auto microphone = hc::LocalAudioTrack::create();
  hc::SyntheticAudioSource tone(microphone, 440.0);

  // publishTrack() completes once the server accepted the track; then start feeding it.
  auto publish = [&room](const std::shared_ptr<hc::LocalTrack>& track) {
    const hc::PublishResult published = room.localParticipant().publishTrack(track).get();
    if (!published) {
      std::cerr << "publishing " << hc::toString(track->kind()) << " failed: " << published.message << '\n';
      return false;
    }
    std::cout << "published " << hc::toString(track->kind()) << ' ' << published.publication.sid << '\n';
    return true;
  };
  if (!publish(camera) || !publish(microphone)) return 1;
  pattern.start();
  tone.start();

  // Stay until Ctrl-C, or until the room ends (checked twice a second).
  std::cout << "in the room; Ctrl-C to leave\n";
  for (;;) {
    const timespec halfSecond{0, 500'000'000};
    if (sigtimedwait(&stop, nullptr, &halfSecond) > 0 || printer.ended) break;
  }

  // Stop feeding, then leave: disconnect() tells the server and returns at once; destroying
  // the Room at the end of main waits for its threads.
  pattern.stop();
  tone.stop();
  room.disconnect();
  room.setDelegate(nullptr);
  std::cout << "left\n";
  return 0;
}
