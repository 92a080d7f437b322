#pragma once
// One signaling thread plus N media workers; a room is pinned to one worker; workers and the
// signaling thread exchange work through queues (asio post). This is one worker: a thread with
// its own io_context that owns a RoomManager. Everything in `rooms()` is touched only from
// that thread.

#include <utility>

#include <boost/asio.hpp>
#include <memory>
#include <thread>

#include "common/clock.h"
#include "common/result.h"
#include "server/media/media_hub.h"
#include "sfu/room/room_manager.h"

namespace huddle::server {

class MediaWorker final {
 public:
  MediaWorker(const Clock& clock, sfu::RoomDefaults defaults, sfu::RoomEventListener& events);
  MediaWorker(const MediaWorker&) = delete;
  MediaWorker& operator=(const MediaWorker&) = delete;
  ~MediaWorker();

  // Before start(): the worker's UDP port and DTLS certificate. Without it the worker runs
  // rooms and signaling only (tests of the signaling layer).
  [[nodiscard]] Result<Ok, media::MediaHubError> enableMedia(const media::MediaHubOptions& options);
  void start();
  // Runs `closing` on the worker (e.g. close every room), then lets the loop finish and joins.
  void stop();

  [[nodiscard]] boost::asio::io_context& io() { return io_; }
  // Worker thread only.
  [[nodiscard]] sfu::RoomManager& rooms() { return rooms_; }
  // Worker thread only; null without enableMedia().
  [[nodiscard]] media::MediaHub* media() { return media_.get(); }

  template <typename F>
  void post(F&& f) {
    boost::asio::post(io_, std::forward<F>(f));
  }

 private:
  void scheduleTick();

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::steady_timer tickTimer_;
  sfu::RoomManager rooms_;
  std::unique_ptr<media::MediaHub> media_;
  std::thread thread_;
};

}  // namespace huddle::server
