#include "server/media_worker.h"

#include <chrono>

namespace huddle::server {

MediaWorker::MediaWorker(const Clock& clock, sfu::RoomDefaults defaults,
                         sfu::RoomEventListener& events)
    : work_(io_.get_executor()), tickTimer_(io_), rooms_(clock, defaults, events) {}

MediaWorker::~MediaWorker() { stop(); }

Result<Ok, media::MediaHubError> MediaWorker::enableMedia(const media::MediaHubOptions& options) {
  auto hub = media::MediaHub::create(io_, rooms_, options);
  if (!hub.ok()) return hub.error();
  media_ = std::move(hub).value();
  return Ok{};
}

void MediaWorker::start() {
  scheduleTick();
  thread_ = std::thread([this] { io_.run(); });
}

void MediaWorker::scheduleTick() {
  // Room timeouts are whole seconds; checking once a second is precise enough.
  tickTimer_.expires_after(std::chrono::seconds(1));
  tickTimer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    rooms_.tick();
    scheduleTick();
  });
}

void MediaWorker::stop() {
  if (!thread_.joinable()) return;
  boost::asio::post(io_, [this] {
    if (media_) media_->shutdown();
    tickTimer_.cancel();
    work_.reset();
  });
  thread_.join();
}

}  // namespace huddle::server
