#pragma once
// Public API is thread-safe; work runs on the Room's network thread; events go out through the
// executor the application provides.
//
// Participants as the application sees them: ParticipantInfo is a snapshot (copied out under
// the Room's lock, never updated afterwards); LocalParticipant is a handle on the Room's own
// participant whose setters send requests to the server.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "client/local_track.h"
#include "client/track_publication.h"

namespace huddle::client {

class RoomCore;

enum class ParticipantKind : std::uint8_t { Standard, Ingress, Egress, Sip, Agent, Connector, Bridge, Unknown };

struct ParticipantInfo {
  std::string sid;  // PA_...
  std::string identity;
  std::string name;
  std::string metadata;
  std::map<std::string, std::string> attributes;
  ParticipantKind kind = ParticipantKind::Standard;
  std::int64_t joinedAtMs = 0;
  bool isLocal = false;
  std::vector<TrackPublication> publications;  // in the server's order
};

// Remote participants are handed out as snapshots.
using RemoteParticipant = ParticipantInfo;

enum class DataKind : std::uint8_t { Reliable, Lossy };

struct DataPublishOptions {
  bool reliable = true;
  std::string topic;
  // Empty: everyone else in the room.
  std::vector<std::string> destinationIdentities;
};

enum class RequestError : std::uint8_t {
  NotConnected,  // no session, or the data channel is not open yet
  InvalidArgument,
  TooLarge,
};

struct PublishResult {
  bool ok = false;
  std::string message;           // why it failed
  TrackPublication publication;  // as the server accepted it
  explicit operator bool() const noexcept { return ok; }
};

struct RequestResult {
  bool ok = true;
  RequestError error = RequestError::NotConnected;
  std::string message;
  explicit operator bool() const noexcept { return ok; }
};

class LocalParticipant final {
 public:
  // Empty strings until the Room has joined.
  [[nodiscard]] std::string identity() const;
  [[nodiscard]] std::string sid() const;
  [[nodiscard]] std::string name() const;
  [[nodiscard]] std::string metadata() const;
  [[nodiscard]] std::map<std::string, std::string> attributes() const;
  [[nodiscard]] ParticipantInfo info() const;

  // Each sends UpdateParticipantMetadata; the server's echo (a ParticipantUpdate) updates the
  // values above and raises the matching delegate event. The token needs canUpdateOwnMetadata.
  RequestResult setMetadata(std::string metadata);
  RequestResult setName(std::string name);
  // Merged into the current attributes; an empty value deletes the key (LiveKit's rule).
  RequestResult setAttributes(std::map<std::string, std::string> attributes);

  // Sent as a LiveKit DataPacket on the _reliable or _lossy data channel of the peer connection.
  // Fails with NotConnected until a media engine with open data channels is in place.
  RequestResult publishData(std::span<const std::uint8_t> data, const DataPublishOptions& options = {});

  // Announces the track (AddTrack), negotiates its send section and starts sending. The result
  // comes once the server accepted the track and the section is negotiated (or with the reason
  // it failed: not connected, refused by the server, e.g. no canPublish grant, or timed out).
  // A track is published in one Room at a time. Published tracks are published again after a
  // full reconnection.
  [[nodiscard]] std::future<PublishResult> publishTrack(std::shared_ptr<LocalTrack> track);
  // Same; `done` runs on the Room's executor.
  void publishTrack(std::shared_ptr<LocalTrack> track, std::function<void(const PublishResult&)> done);
  // Stops sending and tells the server; others see onTrackUnpublished.
  RequestResult unpublishTrack(const std::shared_ptr<LocalTrack>& track);

 private:
  friend class Room;
  explicit LocalParticipant(std::weak_ptr<RoomCore> core) : core_(std::move(core)) {}
  std::weak_ptr<RoomCore> core_;
};

[[nodiscard]] const char* toString(ParticipantKind kind);

}  // namespace huddle::client
