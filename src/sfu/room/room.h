#pragma once
// Single-threaded: a Room runs on the worker that owns it; no locks; other threads post().
//
// One room: its participants, their published tracks and subscriptions, and the rules the
// grants impose. Every change bumps the changed participant's version and is broadcast to the
// others as the participant's full info, because clients treat a missing track as unpublished.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "sfu/room/participant_sink.h"
#include "sfu/room/room_errors.h"
#include "sfu/room/room_types.h"

namespace huddle::sfu {

struct JoinOptions {
  std::string identity;
  std::string name;
  std::string metadata;
  std::map<std::string, std::string> attributes;
  ParticipantPermission permission;
  ParticipantKind kind = ParticipantKind::Standard;
  bool autoSubscribe = true;
  std::int32_t clientProtocol = 0;
  std::shared_ptr<ParticipantSink> sink;
};

struct AddTrackOptions {
  std::string cid;
  std::string name;
  TrackType type = TrackType::Audio;
  TrackSource source = TrackSource::Unknown;
  bool muted = false;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::vector<VideoLayer> layers;
  std::vector<TrackCodec> codecs;  // from simulcast_codecs: mime type and cid
  bool disableDtx = false;
  bool disableRed = false;
  bool stereo = false;
  std::uint8_t encryption = 0;
  std::string stream;
  std::vector<std::uint8_t> audioFeatures;
};

struct MetadataUpdate {
  std::optional<std::string> metadata;
  std::optional<std::string> name;
  std::map<std::string, std::string> attributes;  // an empty value deletes the key
};

// Told that participants, tracks or subscriptions changed, so the media path can bring its
// transports and downtracks in line. Called in the middle of room operations: implementations
// must only take note (e.g. schedule work), never call back into the room.
class RoomMediaListener {
 public:
  virtual ~RoomMediaListener() = default;
  virtual void onRoomMediaChanged(const std::string& roomName) = 0;
};

struct RoomStats {
  std::uint64_t joins = 0;
  std::uint64_t leaves = 0;
  std::uint64_t refusedRequests = 0;
};

class Room final {
 public:
  Room(const Clock& clock, RoomInfo info, RoomEventListener& events);
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;
  ~Room();

  [[nodiscard]] const RoomInfo& info() const { return info_; }
  [[nodiscard]] std::vector<ParticipantInfo> participants() const;  // hidden ones included
  [[nodiscard]] const ParticipantInfo* findByIdentity(std::string_view identity) const;
  [[nodiscard]] const ParticipantInfo* findBySid(std::string_view sid) const;
  [[nodiscard]] bool empty() const { return members_.empty(); }
  [[nodiscard]] bool closed() const { return closed_; }

  // A participant with the same identity is removed first (DUPLICATE_IDENTITY). The new one is
  // told about the room through its sink (onJoined) before anyone else hears of it.
  [[nodiscard]] Result<ParticipantInfo, RoomError> join(JoinOptions options);
  // The participant's transport is up: JOINED -> ACTIVE (the participant_joined webhook).
  void setActive(std::string_view sid);
  // The participant left (client leave, signal closed) or was removed; `notifyClient` sends
  // it a leave with `reason` first. Unknown sids are ignored (a race with a removal).
  void leave(std::string_view sid, DisconnectReason reason, bool notifyClient);

  // The participant's signal connection dropped without a leave: it stays in the room for
  // `grace` so that a resume (reconnect=1 with its sid) can take it back; tick() removes it
  // after that.
  // `sink` must be the participant's current one, so that a late notice from a connection a
  // resume already replaced changes nothing.
  void detachSignal(std::string_view sid, std::chrono::seconds grace,
                    const ParticipantSink* sink);
  // A resume: the participant must still be here (same sid and identity). The new sink replaces
  // the old one; the participant gets the room state again through onResumed.
  [[nodiscard]] Result<ParticipantInfo, RoomError> resume(std::string_view sid,
                                                         std::string_view identity,
                                                         std::shared_ptr<ParticipantSink> sink);
  // Removes participants whose resume grace ran out; returns how many.
  std::size_t tick();

  // Requests from the participant's own signal connection.
  void addTrack(std::string_view sid, const AddTrackOptions& options);
  void setTrackMuted(std::string_view sid, std::string_view trackSid, bool muted);
  void updateOwnMetadata(std::string_view sid, const MetadataUpdate& update,
                         std::uint32_t requestId);
  void updateSubscription(std::string_view sid, const std::vector<std::string>& trackSids,
                          bool subscribe);
  void unpublishTrack(std::string_view sid, std::string_view trackSid);
  // The publisher's UpdateSubscriptionPermissions. Subscribers that lose a track they want are
  // unsubscribed and told (not allowed); wanted again once allowed, they get it back.
  void setSubscriptionPermissions(std::string_view sid, SubscriptionPermissions permissions);

  // Administrative calls (RoomService).
  [[nodiscard]] Result<TrackInfo, RoomError> muteTrackByAdmin(std::string_view identity,
                                                             std::string_view trackSid,
                                                             bool muted);
  [[nodiscard]] Result<ParticipantInfo, RoomError> updateParticipantByAdmin(
      std::string_view identity, const MetadataUpdate& update,
      const std::optional<ParticipantPermission>& permission);
  [[nodiscard]] Result<Ok, RoomError> updateSubscriptionsByAdmin(
      std::string_view identity, const std::vector<std::string>& trackSids, bool subscribe);
  [[nodiscard]] Result<Ok, RoomError> removeByAdmin(std::string_view identity);
  void setMetadata(std::string metadata);
  // Delivers to the destinations (or everyone but the sender); returns how many received it.
  std::size_t sendData(const DataMessage& message);

  // Ends the room: everyone is removed with `reason`, then onRoomFinished.
  void close(DisconnectReason reason);

  // Whether the room should close now: nobody ever joined within the empty timeout, or the
  // last participant left longer ago than the departure timeout.
  [[nodiscard]] bool expired() const;

  [[nodiscard]] const RoomStats& stats() const { return stats_; }
  // At most one; borrowed, must outlive the room or be reset first.
  void setMediaListener(RoomMediaListener* listener) { media_ = listener; }
  // The participant's media transport connected: ACTIVE, as for setActive. Media info (mid,
  // mime type) of a track once its section is negotiated, broadcast as a track change.
  void setTrackMedia(std::string_view sid, std::string_view trackSid, std::string mid,
                     std::string mimeType);
  // The SSRC a simulcast layer (by quality) arrives on, once the media path learnt it: fills
  // TrackInfo.layers[].ssrc, broadcast when it changed.
  void setTrackLayerSsrc(std::string_view sid, std::string_view trackSid, std::uint8_t quality,
                         std::uint32_t ssrc);
  // Track sids the participant wants and may receive: what the media path subscribes it to.
  [[nodiscard]] std::vector<std::string> subscriptionsOf(std::string_view sid) const;
  // Whether the track's publisher lets this participant subscribe (false for unknown tracks).
  [[nodiscard]] bool subscriptionAllowed(std::string_view subscriberSid,
                                         std::string_view trackSid) const;

 private:
  struct Member;
  Member* memberBySid(std::string_view sid);
  Member* memberByIdentity(std::string_view identity);
  const Member* memberBySid(std::string_view sid) const;
  void changed(Member& member);  // bump version, broadcast
  void broadcast(const std::vector<ParticipantInfo>& update, const Member* except);
  void remove(Member& member, DisconnectReason reason, std::optional<LeaveAction> notify);
  void refreshCounts();
  void autoSubscribe(Member& subscriber);
  void subscribeToNewTrack(const Member& publisher, const TrackInfo& track);
  const Member* publisherOf(std::string_view trackSid) const;
  static bool allows(const Member& publisher, const Member& subscriber, std::string_view trackSid);
  std::string newTrackSid(TrackType type, TrackSource source);
  void mediaChanged() {
    if (media_ != nullptr) media_->onRoomMediaChanged(info_.name);
  }

  // borrowed: outlive the room
  const Clock& clock_;
  RoomEventListener& events_;

  RoomInfo info_;
  std::vector<std::unique_ptr<Member>> members_;
  std::chrono::steady_clock::time_point createdAt_;
  std::optional<std::chrono::steady_clock::time_point> lastLeftAt_;
  bool everJoined_ = false;
  bool closed_ = false;
  RoomStats stats_;
  RoomMediaListener* media_ = nullptr;
};

}  // namespace huddle::sfu
