#include "server/proto_convert.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace huddle::server {

namespace {

void toProto(const sfu::VideoLayer& in, livekit::VideoLayer* out) {
  out->set_quality(static_cast<livekit::VideoQuality>(in.quality));
  out->set_width(in.width);
  out->set_height(in.height);
  out->set_bitrate(in.bitrate);
  out->set_ssrc(in.ssrc);
  out->set_rid(in.rid);
}

sfu::VideoLayer fromProto(const livekit::VideoLayer& in) {
  sfu::VideoLayer out;
  out.quality = static_cast<std::uint8_t>(in.quality());
  out.width = in.width();
  out.height = in.height();
  out.bitrate = in.bitrate();
  out.ssrc = in.ssrc();
  out.rid = in.rid();
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

void toProto(const sfu::RoomInfo& in, livekit::Room* out) {
  out->set_sid(in.sid);
  out->set_name(in.name);
  out->set_empty_timeout(in.emptyTimeoutSeconds);
  out->set_departure_timeout(in.departureTimeoutSeconds);
  out->set_max_participants(in.maxParticipants);
  out->set_creation_time(in.creationTimeMs / 1000);
  out->set_creation_time_ms(in.creationTimeMs);
  out->set_metadata(in.metadata);
  out->set_num_participants(in.numParticipants);
  out->set_num_publishers(in.numPublishers);
}

void toProto(const sfu::ParticipantPermission& in, livekit::ParticipantPermission* out) {
  out->set_can_subscribe(in.canSubscribe);
  out->set_can_publish(in.canPublish);
  out->set_can_publish_data(in.canPublishData);
  for (sfu::TrackSource s : in.canPublishSources) {
    out->add_can_publish_sources(static_cast<livekit::TrackSource>(s));
  }
  out->set_hidden(in.hidden);
  out->set_recorder(in.recorder);
  out->set_can_update_metadata(in.canUpdateMetadata);
  out->set_agent(in.agent);
  out->set_can_subscribe_metrics(in.canSubscribeMetrics);
}

void toProto(const sfu::TrackInfo& in, livekit::TrackInfo* out) {
  out->set_sid(in.sid);
  out->set_type(static_cast<livekit::TrackType>(in.type));
  out->set_name(in.name);
  out->set_muted(in.muted);
  out->set_width(in.width);
  out->set_height(in.height);
  out->set_simulcast(in.simulcast);
  out->set_disable_dtx(in.disableDtx);
  out->set_source(static_cast<livekit::TrackSource>(in.source));
  for (const auto& layer : in.layers) toProto(layer, out->add_layers());
  out->set_mime_type(in.mimeType);
  out->set_mid(in.mid);
  for (const auto& codec : in.codecs) {
    auto* c = out->add_codecs();
    c->set_mime_type(codec.mimeType);
    c->set_mid(codec.mid);
    c->set_cid(codec.cid);
    for (const auto& layer : codec.layers) toProto(layer, c->add_layers());
  }
  out->set_stereo(in.stereo);
  out->set_disable_red(in.disableRed);
  out->set_encryption(static_cast<livekit::Encryption::Type>(in.encryption));
  out->set_stream(in.stream);
  for (std::uint8_t f : in.audioFeatures) {
    out->add_audio_features(static_cast<livekit::AudioTrackFeature>(f));
  }
}

void toProto(const sfu::ParticipantInfo& in, livekit::ParticipantInfo* out) {
  out->set_sid(in.sid);
  out->set_identity(in.identity);
  out->set_state(static_cast<livekit::ParticipantInfo::State>(in.state));
  for (const auto& track : in.tracks) toProto(track, out->add_tracks());
  out->set_metadata(in.metadata);
  out->set_joined_at(in.joinedAtMs / 1000);
  out->set_joined_at_ms(in.joinedAtMs);
  out->set_name(in.name);
  out->set_version(in.version);
  toProto(in.permission, out->mutable_permission());
  out->set_is_publisher(in.isPublisher);
  out->set_kind(static_cast<livekit::ParticipantInfo::Kind>(in.kind));
  for (const auto& [k, v] : in.attributes) (*out->mutable_attributes())[k] = v;
  out->set_disconnect_reason(static_cast<livekit::DisconnectReason>(in.disconnectReason));
  out->set_client_protocol(in.clientProtocol);
}

sfu::ParticipantPermission permissionFromGrant(const auth::VideoGrant& grant,
                                               bool canUpdateOwnMetadata) {
  sfu::ParticipantPermission p;
  p.canSubscribe = grant.effectiveCanSubscribe();
  p.canPublish = grant.effectiveCanPublish();
  p.canPublishData = grant.effectiveCanPublishData();
  for (const std::string& source : grant.canPublishSources) {
    const sfu::TrackSource s = sfu::trackSourceFromName(lower(source));
    if (s != sfu::TrackSource::Unknown) p.canPublishSources.push_back(s);
  }
  p.hidden = grant.hidden;
  p.recorder = grant.recorder;
  p.canUpdateMetadata = canUpdateOwnMetadata;
  p.agent = grant.agent;
  p.canSubscribeMetrics = grant.canSubscribeMetrics.value_or(false);
  return p;
}

sfu::ParticipantPermission fromProto(const livekit::ParticipantPermission& in) {
  sfu::ParticipantPermission p;
  p.canSubscribe = in.can_subscribe();
  p.canPublish = in.can_publish();
  p.canPublishData = in.can_publish_data();
  for (int s : in.can_publish_sources()) {
    p.canPublishSources.push_back(static_cast<sfu::TrackSource>(s));
  }
  p.hidden = in.hidden();
  p.recorder = in.recorder();
  p.canUpdateMetadata = in.can_update_metadata();
  p.agent = in.agent();
  p.canSubscribeMetrics = in.can_subscribe_metrics();
  return p;
}

std::string normaliseMimeType(std::string_view codec, sfu::TrackType type) {
  std::string name = lower(codec);
  if (const auto slash = name.find('/'); slash != std::string::npos) name = name.substr(slash + 1);
  if (type == sfu::TrackType::Audio) return "audio/" + name;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return "video/" + name;
}

sfu::AddTrackOptions fromProto(const livekit::AddTrackRequest& in) {
  sfu::AddTrackOptions out;
  out.cid = in.cid();
  out.name = in.name();
  out.type = static_cast<sfu::TrackType>(in.type());
  out.source = static_cast<sfu::TrackSource>(in.source());
  out.muted = in.muted();
  out.width = in.width();
  out.height = in.height();
  for (const auto& layer : in.layers()) out.layers.push_back(fromProto(layer));
  for (const auto& codec : in.simulcast_codecs()) {
    if (codec.codec().empty()) continue;
    sfu::TrackCodec c;
    c.mimeType = normaliseMimeType(codec.codec(), out.type);
    c.cid = codec.cid();
    for (const auto& layer : codec.layers()) c.layers.push_back(fromProto(layer));
    out.codecs.push_back(std::move(c));
  }
  out.disableDtx = in.disable_dtx();
  out.disableRed = in.disable_red();
  out.stereo = in.stereo();
  out.encryption = static_cast<std::uint8_t>(in.encryption());
  out.stream = in.stream();
  for (int f : in.audio_features()) out.audioFeatures.push_back(static_cast<std::uint8_t>(f));
  return out;
}

sfu::ParticipantKind participantKindFromClaim(std::string_view kind) {
  const std::string k = lower(kind);
  if (k == "ingress") return sfu::ParticipantKind::Ingress;
  if (k == "egress") return sfu::ParticipantKind::Egress;
  if (k == "sip") return sfu::ParticipantKind::Sip;
  if (k == "agent") return sfu::ParticipantKind::Agent;
  if (k == "connector") return sfu::ParticipantKind::Connector;
  if (k == "bridge") return sfu::ParticipantKind::Bridge;
  return sfu::ParticipantKind::Standard;
}

}  // namespace huddle::server
