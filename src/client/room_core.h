#pragma once
// Thread-safe where marked; everything else runs on the Room's network thread (the io_context
// it owns). Delegate calls go out through the executor.
//
// The inside of a Room, shared between the Room handle, LocalParticipant handles, the network
// thread and queued event tasks (which hold it weakly). It joins the signal session, the media
// engine and the room model, and turns model changes into delegate calls.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/events.h"
#include "client/media_engine.h"
#include "client/options.h"
#include "client/reconnect_policy.h"
#include "client/room.h"
#include "client/room_model.h"
#include "client/signal_session.h"

namespace huddle::client {

class RoomCore final : public std::enable_shared_from_this<RoomCore>,
                       private SignalSession::Listener,
                       private MediaEngine::Listener {
 public:
  RoomCore(Executor executor, MediaEngineFactory engineFactory);
  ~RoomCore() override;

  boost::asio::io_context& io() noexcept { return io_; }
  // Runs the network loop until shutdown() has finished; the network thread's body.
  void run();

  // ---- thread-safe --------------------------------------------------------------------------
  // Called with RoomOptions::executor at each connect() (before any event of that connection),
  // so the owner can route events to it. Set once, before run().
  void setExecutorHook(std::function<void(Executor)> hook) { executorHook_ = std::move(hook); }
  // Applies from the next connect() on.
  void setMediaEngineFactory(MediaEngineFactory factory);
  void setDelegate(RoomDelegate* delegate);
  void connect(std::string url, std::string token, RoomOptions options,
               std::function<void(const ConnectResult&)> done, std::shared_ptr<std::promise<ConnectResult>> promise);
  void disconnect();
  // No delegate call after this returns (it waits for one running on another thread); leaves the
  // room and ends run().
  void shutdown();

  [[nodiscard]] ConnectionState state() const;
  [[nodiscard]] std::string roomName() const;
  [[nodiscard]] std::string roomSid() const;
  [[nodiscard]] std::string roomMetadata() const;
  [[nodiscard]] std::string serverVersion() const;
  [[nodiscard]] std::optional<std::chrono::milliseconds> signalRtt() const;
  [[nodiscard]] ParticipantInfo localInfo() const;
  [[nodiscard]] std::vector<RemoteParticipant> remotes() const;
  [[nodiscard]] std::optional<RemoteParticipant> remoteByIdentity(const std::string& identity) const;
  [[nodiscard]] std::vector<ActiveSpeaker> activeSpeakers() const;
  [[nodiscard]] ConnectionStats connectionStats() const;

  RequestResult updateMetadata(std::optional<std::string> metadata, std::optional<std::string> name,
                               std::map<std::string, std::string> attributes);
  RequestResult publishData(std::span<const std::uint8_t> data, const DataPublishOptions& options);
  // `done` runs on the network thread.
  void publishTrack(std::shared_ptr<LocalTrackState> track, std::function<void(PublishResult)> done);
  RequestResult unpublishTrack(std::shared_ptr<LocalTrackState> track);
  // Runs a task on the application's executor (unless the Room is closed).
  void post(std::function<void()> task);

 private:
  struct PendingConnect {
    std::function<void(const ConnectResult&)> done;
    std::shared_ptr<std::promise<ConnectResult>> promise;
  };

  // One reconnection: resume attempts first, then full rejoins, all paced by one policy.
  struct Reconnection {
    bool active = false;
    bool rejoin = false;  // a full rejoin (new sid) rather than a resume
    unsigned attempts = 0;
    unsigned failedResumes = 0;
    livekit::ReconnectReason why = livekit::RR_UNKNOWN;
    DisconnectReason lastReason = DisconnectReason::Unknown;
    std::string lastError;
    std::optional<ReconnectPolicy> policy;
  };

  // ---- network thread -------------------------------------------------------------------------
  void startConnect(std::string url, std::string token, RoomOptions options, PendingConnect pending);
  // The join of startConnect() and of a rejoin (new engine, its first offer when it has one).
  void openJoinSession();
  // Connected -> Resuming or Reconnecting; the signal session goes without a leave (the server
  // keeps the participant for a resume).
  void startReconnect(bool rejoin, DisconnectReason reason, std::string detail, livekit::ReconnectReason why);
  void scheduleAttempt();
  void runAttempt();
  void attemptFailed(DisconnectReason reason, std::string error, bool refused);
  void switchToRejoin(DisconnectReason reason, const std::string& detail);
  void finishResume(const livekit::ReconnectResponse& reconnect);
  void finishRejoin(const livekit::JoinResponse& join);
  void giveUp();
  // Stops a reconnection: no timer or attempt of it runs afterwards.
  void cancelReconnect();
  // Drops the signal session alone (no leave), keeping the engine.
  void dropSignal();
  void dropEngine();
  void finishConnect(ConnectResult result);
  void setState(ConnectionState state, DisconnectReason reason, std::string detail);
  // Ends the current session and engine (later: their callbacks may be on the stack).
  void dropSession();
  // Sends leave and closes; `after` runs on the loop once the session is gone.
  void leaveSession(std::function<void()> after);
  // The signal part of leaveSession(): the engine stays.
  void leaveSignal(std::function<void()> after);
  void closeEngine();
  // disconnect() and shutdown(): the application's tracks are free for another Room.
  void releaseLocalTracks();
  void emit(EventList events);
  void dispatch(DelegateCall call);
  void invoke(const DelegateCall& call);
  void handleDataPacket(bool reliable, std::span<const std::uint8_t> packet);

  // SignalSession::Listener
  void onSignalJoined(SignalSession& session, const livekit::JoinResponse& join) override;
  void onSignalResumed(SignalSession& session, const livekit::ReconnectResponse& reconnect) override;
  void onSignalConnectFailed(SignalSession& session, const SignalFailure& failure) override;
  void onSignalMessage(SignalSession& session, const livekit::SignalResponse& message) override;
  void onSignalLeave(SignalSession& session, const livekit::LeaveRequest& leave) override;
  void onSignalLost(SignalSession& session, const std::string& why) override;
  void onSignalRtt(SignalSession& session, std::chrono::milliseconds rtt) override;
  void onTokenRefreshed(SignalSession& session) override;
  // MediaEngine::Listener
  void onMediaSignal(livekit::SignalRequest request) override;
  void onMediaData(bool reliable, std::span<const std::uint8_t> packet) override;
  void onMediaDataChannel(bool reliable, bool open) override;
  void onMediaFailed() override;
  void onMediaEvent(DelegateCall call) override;
  void onMediaStats(const ConnectionStats& stats) override;
  std::optional<std::pair<ParticipantInfo, TrackPublication>> findPublication(const std::string& trackSid) override;

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  Executor executor_;
  std::function<void(Executor)> executorHook_;
  MediaEngineFactory engineFactory_;  // network thread only

  // Guards the snapshot state below; never held while calling out.
  mutable std::mutex mutex_;
  RoomModel model_;
  ConnectionState state_ = ConnectionState::Disconnected;
  std::string serverVersion_;
  std::optional<std::chrono::milliseconds> rtt_;
  ConnectionStats mediaStats_;

  // Held while a delegate method runs; recursive so a callback may call back into the Room.
  std::recursive_mutex callbackMutex_;
  RoomDelegate* delegate_ = nullptr;  // guarded by callbackMutex_
  std::atomic<bool> closed_{false};
  std::atomic<bool> reliableOpen_{false};
  std::atomic<bool> lossyOpen_{false};

  // Network thread only.
  std::unique_ptr<SignalSession> session_;
  std::vector<std::unique_ptr<SignalSession>> leaving_;  // sent leave, waiting for the close
  std::unique_ptr<MediaEngine> engine_;
  std::optional<PendingConnect> pending_;
  RoomOptions options_;
  // What a reconnection needs of the connection it replaces.
  std::string url_;
  std::string token_;  // the latest: refreshed by the server's refresh_token
  bool usedV1_ = false;
  std::chrono::seconds pingInterval_{0};
  std::chrono::seconds pingTimeout_{0};
  Reconnection reconnect_;
  // Bumped whenever a reconnection starts or stops; a timer of an older one does nothing.
  std::uint64_t reconnectGeneration_ = 0;
  boost::asio::steady_timer reconnectTimer_{io_};
  // The last recovery was a resume and no join came since (a media failure then rejoins).
  bool resumedSinceJoin_ = false;
  bool closingEngine_ = false;
  std::uint32_t reliableSequence_ = 0;
  std::uint32_t nextRequestId_ = 1;
  // Tracks the application published; they are published again on every new engine (a full
  // reconnection) until unpublished or disconnect().
  std::vector<std::shared_ptr<LocalTrackState>> localTracks_;
};

}  // namespace huddle::client
