#include "join_session.h"

#include <cstdio>
#include <iomanip>
#include <sstream>

namespace huddle::cli {
namespace {

// Long payloads are recorded whole but printed cut.
constexpr std::size_t kPrintedPayload = 200;

std::string describe(const client::TrackPublication& publication) {
  return std::string(client::toString(publication.kind)) + " " + publication.sid + " '" + publication.name + "' (" +
         client::toString(publication.source) + ")";
}

}  // namespace

long JoinSession::sinceStartMs() const {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_).count());
}

void JoinSession::log(const std::string& line) const {
  // One write per line, so lines from the event thread and the main thread do not interleave.
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "[+%.2fs] ", static_cast<double>(sinceStartMs()) / 1000.0);
  const std::string text = prefix + line + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

bool JoinSession::disconnected() const {
  const std::lock_guard lock(mutex_);
  return disconnected_;
}

std::string JoinSession::disconnectReason() const {
  const std::lock_guard lock(mutex_);
  return disconnectReason_;
}

bool JoinSession::waitDisconnected(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [this] { return disconnected_; });
}

void JoinSession::addPresent(const std::vector<client::RemoteParticipant>& participants) {
  const std::lock_guard lock(mutex_);
  for (const auto& p : participants) {
    seen_.insert(p.identity);
    present_.insert(p.identity);
    log("in the room: " + p.identity + " (" + p.sid + ")");
  }
}

void JoinSession::detachAll() {
  // Sinks are removed outside the lock: removing one waits for a running sink call.
  std::vector<RemoteTrackMeter*> meters;
  {
    const std::lock_guard lock(mutex_);
    for (const auto& m : meters_) meters.push_back(m.get());
  }
  for (auto* m : meters) m->detach();
}

nlohmann::json JoinSession::receivedReport() const {
  const std::lock_guard lock(mutex_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : meters_) out.push_back(m->report());
  return out;
}

nlohmann::json JoinSession::dataReport() const {
  const std::lock_guard lock(mutex_);
  nlohmann::json messages = nlohmann::json::array();
  for (const auto& d : data_) {
    messages.push_back({{"topic", d.topic},
                        {"sender", d.sender},
                        {"kind", d.reliable ? "reliable" : "lossy"},
                        {"payload", d.payload},
                        {"atMs", d.atMs}});
  }
  return {{"receivedCount", dataReceived_},
          {"receivedReliable", dataReliable_},
          {"receivedLossy", dataLossy_},
          {"received", messages}};
}

nlohmann::json JoinSession::participantsReport() const {
  const std::lock_guard lock(mutex_);
  return {{"seen", seen_}, {"presentAtEnd", present_}};
}

std::uint64_t JoinSession::speakerUpdates() const {
  const std::lock_guard lock(mutex_);
  return speakerUpdates_;
}

int JoinSession::tracksWithMedia() const {
  const std::lock_guard lock(mutex_);
  int count = 0;
  for (const auto& m : meters_) {
    if (m->framesSeen() > 0) ++count;
  }
  return count;
}

void JoinSession::printTable(std::ostream& out) const {
  const std::lock_guard lock(mutex_);
  out << "\nreceived tracks (" << meters_.size() << ")\n";
  char header[200];
  std::snprintf(header, sizeof header, "%-16s %-5s %-16s %8s %8s %6s %6s %8s  %s\n", "participant", "kind", "track",
                "frames", "kbps", "lost", "freeze", "first ms", "content");
  out << header;
  for (const auto& m : meters_) out << m->tableRow() << "\n";
  out << "data messages received: " << dataReceived_ << " (" << dataReliable_ << " reliable, " << dataLossy_
      << " lossy)\n";
  out.flush();
}

void JoinSession::onConnectionStateChanged(client::ConnectionState state, client::DisconnectReason reason,
                                           std::string_view detail) {
  std::string line = std::string("connection ") + client::toString(state);
  if (state == client::ConnectionState::Disconnected) {
    line += std::string(": ") + client::toString(reason);
    if (!detail.empty()) line += " (" + std::string(detail) + ")";
  }
  log(line);
  if (state != client::ConnectionState::Disconnected) return;
  {
    const std::lock_guard lock(mutex_);
    disconnected_ = true;
    disconnectReason_ = std::string(client::toString(reason)) + (detail.empty() ? "" : ": " + std::string(detail));
  }
  cv_.notify_all();
}

void JoinSession::onParticipantConnected(const client::RemoteParticipant& participant) {
  {
    const std::lock_guard lock(mutex_);
    seen_.insert(participant.identity);
    present_.insert(participant.identity);
  }
  log("participant joined: " + participant.identity + " (" + participant.sid + ")");
}

void JoinSession::onParticipantDisconnected(const client::RemoteParticipant& participant,
                                            client::DisconnectReason reason) {
  {
    const std::lock_guard lock(mutex_);
    present_.erase(participant.identity);
  }
  log("participant left: " + participant.identity + " (" + client::toString(reason) + ")");
}

void JoinSession::onTrackPublished(const client::RemoteParticipant& participant,
                                   const client::TrackPublication& publication) {
  debug(participant.identity + " published " + describe(publication));
}

void JoinSession::onTrackUnpublished(const client::RemoteParticipant& participant,
                                     const client::TrackPublication& publication) {
  debug(participant.identity + " unpublished " + describe(publication));
}

void JoinSession::onTrackSubscribed(const client::RemoteParticipant& participant,
                                    const client::TrackPublication& publication,
                                    const std::shared_ptr<client::RemoteTrack>& track) {
  auto meter = std::make_unique<RemoteTrackMeter>(track, participant.identity, start_);
  meter->attach();
  {
    const std::lock_guard lock(mutex_);
    meters_.push_back(std::move(meter));
  }
  log("subscribed to " + participant.identity + "'s " + describe(publication));
}

void JoinSession::onTrackUnsubscribed(const client::RemoteParticipant& participant,
                                      const client::TrackPublication& publication,
                                      const std::shared_ptr<client::RemoteTrack>& track) {
  {
    const std::lock_guard lock(mutex_);
    for (const auto& m : meters_) {
      if (&m->track() == track.get()) m->markUnsubscribed();
    }
  }
  log("unsubscribed from " + participant.identity + "'s " + describe(publication));
}

void JoinSession::onActiveSpeakersChanged(const std::vector<client::ActiveSpeaker>& speakers) {
  {
    const std::lock_guard lock(mutex_);
    ++speakerUpdates_;
  }
  if (!verbose_) return;
  std::ostringstream line;
  line << "speaking:";
  if (speakers.empty()) line << " nobody";
  for (const auto& s : speakers) line << " " << s.identity << "(" << std::fixed << std::setprecision(2) << s.level << ")";
  log(line.str());
}

void JoinSession::onDataReceived(const client::DataReceived& data) {
  DataRecord record{data.topic, data.senderIdentity, data.kind == client::DataKind::Reliable,
                    std::string(data.payload.begin(), data.payload.end()), sinceStartMs()};
  const std::string printed =
      record.payload.size() > kPrintedPayload ? record.payload.substr(0, kPrintedPayload) + "..." : record.payload;
  log("data from " + (record.sender.empty() ? std::string("the server") : record.sender) + " topic '" + record.topic +
      "' (" + (record.reliable ? "reliable" : "lossy") + ", " + std::to_string(record.payload.size()) +
      " B): " + printed);
  const std::lock_guard lock(mutex_);
  ++dataReceived_;
  ++(record.reliable ? dataReliable_ : dataLossy_);
  if (data_.size() < kMaxDataKept) data_.push_back(std::move(record));
}

}  // namespace huddle::cli
