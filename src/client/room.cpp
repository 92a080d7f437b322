#include "client/room.h"

#include <thread>

#include "client/event_thread.h"
#include "client/peer_media_engine.h"
#include "client/room_core.h"
#include "client/room_internal.h"

namespace huddle::client {

// The Room's two threads. Kept out of RoomCore: a thread cannot be joined by an object it owns.
class Room::Threads {
 public:
  std::unique_ptr<EventThread> events;  // null when the application gave an executor
  std::thread network;
};

namespace {

// Executors are chosen per connect() (RoomOptions), but events of a Room must keep one order, so
// the Room routes every task through this indirection to the executor of the current options.
struct ExecutorSwitch {
  std::mutex mutex;
  Executor current;
};

}  // namespace

Room::Room() : threads_(std::make_unique<Threads>()), local_(std::weak_ptr<RoomCore>()) {
  threads_->events = std::make_unique<EventThread>();
  auto executorSwitch = std::make_shared<ExecutorSwitch>();
  executorSwitch->current = threads_->events->executor();
  core_ = std::make_shared<RoomCore>(
      [executorSwitch](std::function<void()> task) {
        Executor executor;
        {
          std::lock_guard lock(executorSwitch->mutex);
          executor = executorSwitch->current;
        }
        if (executor) executor(std::move(task));
      },
      PeerMediaEngine::factory());
  core_->setExecutorHook([executorSwitch, fallback = threads_->events->executor()](Executor chosen) {
    std::lock_guard lock(executorSwitch->mutex);
    executorSwitch->current = chosen ? std::move(chosen) : fallback;
  });
  local_ = LocalParticipant(core_);
  threads_->network = std::thread([core = core_] { core->run(); });
}

Room::~Room() {
  core_->shutdown();
  threads_->events.reset();  // joins, or detaches when this runs on the event thread
  if (threads_->network.get_id() == std::this_thread::get_id()) {
    threads_->network.detach();  // destroyed from a callback on the network thread (inline executor)
  } else if (threads_->network.joinable()) {
    threads_->network.join();
  }
}

void Room::setDelegate(RoomDelegate* delegate) { core_->setDelegate(delegate); }

void Room::connect(std::string url, std::string token, RoomOptions options, ConnectCallback done) {
  core_->connect(std::move(url), std::move(token), std::move(options), std::move(done), nullptr);
}

std::future<ConnectResult> Room::connect(std::string url, std::string token, RoomOptions options) {
  auto promise = std::make_shared<std::promise<ConnectResult>>();
  auto future = promise->get_future();
  core_->connect(std::move(url), std::move(token), std::move(options), nullptr, std::move(promise));
  return future;
}

void Room::disconnect() { core_->disconnect(); }

ConnectionState Room::state() const { return core_->state(); }
std::string Room::name() const { return core_->roomName(); }
std::string Room::sid() const { return core_->roomSid(); }
std::string Room::metadata() const { return core_->roomMetadata(); }
std::string Room::serverVersion() const { return core_->serverVersion(); }
std::optional<std::chrono::milliseconds> Room::signalRtt() const { return core_->signalRtt(); }
std::vector<RemoteParticipant> Room::remoteParticipants() const { return core_->remotes(); }
std::optional<RemoteParticipant> Room::remoteParticipant(const std::string& identity) const {
  return core_->remoteByIdentity(identity);
}
std::vector<ActiveSpeaker> Room::activeSpeakers() const { return core_->activeSpeakers(); }
ConnectionStats Room::connectionStats() const { return core_->connectionStats(); }

void RoomInternals::setMediaEngineFactory(Room& room, MediaEngineFactory factory) {
  room.core_->setMediaEngineFactory(std::move(factory));
}

}  // namespace huddle::client
