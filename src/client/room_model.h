#pragma once
// Single-threaded: owned by RoomCore, which calls it on the network thread under its lock (so
// the public getters can read snapshots from other threads).
//
// The room as the server describes it: the room's own fields, the local participant, the remote
// participants with their publications, the active speakers. Each apply*() brings the model up to
// date with one server message and appends the delegate calls that describe the change; the
// calls capture copies, so they can run later on another thread.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/events.h"
#include "client/participant.h"
#include "livekit_models.pb.h"
#include "livekit_rtc.pb.h"

namespace huddle::client {

using DelegateCall = std::function<void(RoomDelegate&)>;
using EventList = std::vector<DelegateCall>;

struct RoomModelStats {
  std::uint64_t staleUpdates = 0;       // a participant version older than the one we hold
  std::uint64_t unknownSpeakers = 0;    // speaker or quality entries naming nobody we know
  std::uint64_t replacedIdentities = 0; // an identity came back with a new sid
};

class RoomModel final {
 public:
  void reset();

  // The participants already in the room are added silently (they are in the snapshot when
  // Connected is reported), as LiveKit's JS client does.
  void applyJoin(const livekit::JoinResponse& join);
  void applyParticipantUpdate(const livekit::ParticipantUpdate& update, EventList& out);
  // LiveKit sends only the speakers whose state changed; the model keeps the set.
  void applySpeakersChanged(const livekit::SpeakersChanged& changed, EventList& out);
  void applyConnectionQuality(const livekit::ConnectionQualityUpdate& update, EventList& out);
  void applyRoomUpdate(const livekit::Room& room, EventList& out);

  [[nodiscard]] const std::string& roomSid() const noexcept { return roomSid_; }
  [[nodiscard]] const std::string& roomName() const noexcept { return roomName_; }
  [[nodiscard]] const std::string& roomMetadata() const noexcept { return roomMetadata_; }
  [[nodiscard]] const ParticipantInfo& local() const noexcept { return local_; }
  [[nodiscard]] std::vector<RemoteParticipant> remotes() const;
  [[nodiscard]] const RemoteParticipant* findRemoteBySid(const std::string& sid) const;
  [[nodiscard]] const RemoteParticipant* findRemoteByIdentity(const std::string& identity) const;
  [[nodiscard]] std::vector<ActiveSpeaker> activeSpeakers() const;
  [[nodiscard]] const RoomModelStats& stats() const noexcept { return stats_; }
  // The server's last connection-quality verdict about the local participant.
  [[nodiscard]] std::optional<std::pair<ConnectionQuality, float>> localQuality() const noexcept { return localQuality_; }

 private:
  struct Remote {
    RemoteParticipant info;
    std::uint32_t version = 0;
  };

  void applyLocal(const livekit::ParticipantInfo& info, EventList& out);
  void applyRemote(const livekit::ParticipantInfo& info, EventList& out);
  void removeRemote(const std::string& sid, DisconnectReason reason, EventList& out);
  // Events for the differences between two states of the same participant.
  static void diff(const ParticipantInfo& before, const ParticipantInfo& after, EventList& out);
  [[nodiscard]] const ParticipantInfo* findAny(const std::string& sid) const;

  std::string roomSid_;
  std::string roomName_;
  std::string roomMetadata_;
  ParticipantInfo local_;
  std::uint32_t localVersion_ = 0;
  std::map<std::string, Remote> remotes_;             // by sid
  std::map<std::string, std::string> sidByIdentity_;  // one sid per identity
  std::map<std::string, float> speakerLevels_;        // active speakers by sid
  RoomModelStats stats_;
  std::optional<std::pair<ConnectionQuality, float>> localQuality_;
};

}  // namespace huddle::client
