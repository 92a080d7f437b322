#pragma once
// Thread-safe: delegate callbacks arrive on the Room's event thread, the rest is called from
// huddle-cli's main thread.
//
// The RoomDelegate of `huddle-cli join`: prints what happens in the room, puts a meter on every
// subscribed track, keeps the data messages received and notices the end of the connection.

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "client/events.h"
#include "track_meter.h"

namespace huddle::cli {

class JoinSession final : public client::RoomDelegate {
 public:
  JoinSession(SteadyTime start, bool verbose) : start_(start), verbose_(verbose) {}

  // A line on stdout with the time since the join started; debug() only with --verbose.
  void log(const std::string& line) const;
  void debug(const std::string& line) const {
    if (verbose_) log(line);
  }

  // The Room reported Disconnected (for whatever reason).
  [[nodiscard]] bool disconnected() const;
  [[nodiscard]] std::string disconnectReason() const;
  bool waitDisconnected(std::chrono::milliseconds timeout);

  // Participants already in the room at the join (they raise no connected event).
  void addPresent(const std::vector<client::RemoteParticipant>& participants);
  // Removes every frame sink (before leaving, so the figures stop changing).
  void detachAll();

  [[nodiscard]] nlohmann::json receivedReport() const;
  [[nodiscard]] nlohmann::json dataReport() const;
  [[nodiscard]] nlohmann::json participantsReport() const;
  [[nodiscard]] std::uint64_t speakerUpdates() const;
  // Remote tracks with at least one decoded frame.
  [[nodiscard]] int tracksWithMedia() const;
  void printTable(std::ostream& out) const;

  // RoomDelegate.
  void onConnectionStateChanged(client::ConnectionState state, client::DisconnectReason reason,
                                std::string_view detail) override;
  void onParticipantConnected(const client::RemoteParticipant& participant) override;
  void onParticipantDisconnected(const client::RemoteParticipant& participant,
                                 client::DisconnectReason reason) override;
  void onTrackPublished(const client::RemoteParticipant& participant,
                        const client::TrackPublication& publication) override;
  void onTrackUnpublished(const client::RemoteParticipant& participant,
                          const client::TrackPublication& publication) override;
  void onTrackSubscribed(const client::RemoteParticipant& participant, const client::TrackPublication& publication,
                         const std::shared_ptr<client::RemoteTrack>& track) override;
  void onTrackUnsubscribed(const client::RemoteParticipant& participant, const client::TrackPublication& publication,
                           const std::shared_ptr<client::RemoteTrack>& track) override;
  void onActiveSpeakersChanged(const std::vector<client::ActiveSpeaker>& speakers) override;
  void onDataReceived(const client::DataReceived& data) override;

 private:
  // Kept in full up to this many; later ones are only counted.
  static constexpr std::size_t kMaxDataKept = 10'000;

  struct DataRecord {
    std::string topic;
    std::string sender;
    bool reliable = true;
    std::string payload;
    long atMs = 0;
  };

  [[nodiscard]] long sinceStartMs() const;

  const SteadyTime start_;
  const bool verbose_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool disconnected_ = false;
  std::string disconnectReason_;
  std::vector<std::unique_ptr<RemoteTrackMeter>> meters_;
  std::vector<DataRecord> data_;
  std::uint64_t dataReceived_ = 0;
  std::uint64_t dataReliable_ = 0;
  std::uint64_t dataLossy_ = 0;
  std::set<std::string> seen_;  // identities of everyone who was in the room
  std::set<std::string> present_;
  std::uint64_t speakerUpdates_ = 0;
};

}  // namespace huddle::cli
