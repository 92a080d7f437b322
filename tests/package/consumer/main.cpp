// The smallest application of the installed SDK: tracks are created and a Room connects to a
// port where nothing listens, so the result is known without a server. Exit 0 only when the
// connect failed the way it must (ServerUnreachable) within the bound.
#include <chrono>
#include <cstdio>
#include <future>
#include <memory>

#include "client/local_track.h"
#include "client/room.h"

int main() {
  using namespace huddle::client;
  std::shared_ptr<LocalVideoTrack> video = LocalVideoTrack::create();
  std::shared_ptr<LocalAudioTrack> audio = LocalAudioTrack::create();
  if (!video || !audio || video->kind() != TrackKind::Video || audio->kind() != TrackKind::Audio) {
    std::puts("track creation failed");
    return 2;
  }

  Room room;
  std::future<ConnectResult> pending = room.connect("ws://127.0.0.1:1", "token");
  if (pending.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    std::puts("connect did not finish within 10 s");
    return 3;
  }
  const ConnectResult result = pending.get();
  std::printf("connect: ok=%d reason=%s message=%s\n", result.ok ? 1 : 0, toString(result.reason),
              result.message.c_str());
  return !result.ok && result.reason == DisconnectReason::ServerUnreachable ? 0 : 1;
}
