#include "rtc/ice/ice_lite_server.h"

#include <algorithm>
#include <array>
#include <utility>

#include "common/log.h"
#include "rtc/ice/stun_message.h"

namespace huddle::rtc {

namespace {

// A Binding response is under 100 bytes; room for a 420 with a few unknown types too.
constexpr std::size_t kResponseBufferSize = 256;
constexpr std::size_t kMaxUnknownReported = 8;

}  // namespace

std::optional<std::string_view> localUfragFromStunPacket(
    std::span<const std::uint8_t> packet) noexcept {
  if (!isStunPacket(packet)) return std::nullopt;
  const auto msg = StunMessageView::parse(packet);
  if (!msg) return std::nullopt;
  const auto username = msg->username();
  if (!username) return std::nullopt;
  const auto parts = splitUsername(*username);
  if (!parts) return std::nullopt;
  return parts->receiverUfrag;
}

std::optional<std::string_view> remoteUfragFromUsername(std::string_view username) noexcept {
  const auto parts = splitUsername(username);
  if (!parts) return std::nullopt;
  return parts->senderUfrag;
}

IceLiteServer::IceLiteServer(Listener& listener, const Clock& clock, IceCredentials local)
    : listener_(listener), clock_(clock), local_(std::move(local)) {}

void IceLiteServer::setRemoteCredentials(std::string_view ufrag, std::string_view pwd) {
  remoteUfrag_ = ufrag;
  remotePwd_ = pwd;
}

const IceTuple* IceLiteServer::selectedTuple() const noexcept {
  return selected_ ? &*selected_ : nullptr;
}

void IceLiteServer::handlePacket(std::span<const std::uint8_t> data, const StunAddress& from,
                                 IceSocketHandle socket) {
  if (state_ == IceState::Closed) return;
  ++stats_.packetsReceived;
  if (!isStunPacket(data)) {
    ++stats_.notStun;
    return;
  }
  handleBindingRequest(data, from, socket);
}

void IceLiteServer::handleBindingRequest(std::span<const std::uint8_t> data,
                                         const StunAddress& from, IceSocketHandle socket) {
  const auto msg = StunMessageView::parse(data);
  if (!msg) {
    ++stats_.malformed;
    return;
  }
  // A lite agent never sends requests, so responses are strays; Binding indications are
  // keepalives (RFC 8445 section 11) and need no answer.
  if (!msg->isBindingRequest()) {
    ++stats_.ignored;
    return;
  }
  // RFC 8445 section 7.1: every check carries FINGERPRINT; without a good one this may be
  // another protocol that happens to look like STUN, so it gets no answer at all.
  if (!msg->hasFingerprint() || !msg->verifyFingerprint()) {
    ++stats_.badFingerprint;
    return;
  }
  std::array<std::uint16_t, kMaxUnknownReported> unknown{};
  const std::size_t unknownCount = msg->unknownComprehensionRequired(unknown);
  if (unknownCount > 0) {
    ++stats_.badRequests;
    std::array<std::uint8_t, kResponseBufferSize> buffer{};
    const auto bytes = buildStunErrorResponse(
        buffer, *msg, kStunErrorUnknownAttribute, {},
        std::span<const std::uint16_t>(unknown.data(), std::min(unknownCount, unknown.size())));
    if (!bytes.empty()) listener_.onIceSendStun(*this, bytes, from, socket);
    return;
  }
  const auto username = msg->username();
  if (!username || !msg->hasMessageIntegrity()) {
    ++stats_.badRequests;
    sendError(data, kStunErrorBadRequest, false, from, socket);
    return;
  }
  const auto parts = splitUsername(*username);
  const bool ufragOk = parts && parts->receiverUfrag == local_.ufrag &&
                       (remoteUfrag_.empty() || parts->senderUfrag == remoteUfrag_);
  if (!ufragOk || !msg->verifyMessageIntegrity(std::string_view(local_.pwd))) {
    ++stats_.unauthorized;
    HUDDLE_LOG_DEBUG(ice, "lite check refused from={} reason={}", from.toString(),
                     ufragOk ? "integrity" : "username");
    sendError(data, kStunErrorUnauthorized, false, from, socket);
    return;
  }
  // The lite side is always controlled (RFC 8445 section 6.1.1); a peer that also claims the
  // controlled role must switch, which 487 tells it to do (section 7.3.1.1).
  if (msg->iceControlled()) {
    ++stats_.roleConflicts;
    sendError(data, kStunErrorRoleConflict, true, from, socket);
    return;
  }

  std::array<std::uint8_t, kResponseBufferSize> buffer{};
  StunMessageBuilder builder(buffer, StunClass::SuccessResponse, StunMethod::Binding,
                             msg->transactionId());
  builder.addXorMappedAddress(from);
  builder.addMessageIntegrity(std::string_view(local_.pwd));
  builder.addFingerprint();
  if (!builder.ok()) return;  // cannot happen with this buffer; never send half a message
  ++stats_.successResponses;
  const bool nominated = msg->useCandidate();
  if (nominated) ++stats_.nominations;

  const IceTuple tuple{from, socket};
  touchTuple(tuple);
  listener_.onIceSendStun(*this, builder.bytes(), from, socket);

  if (nominated) {
    selectTuple(tuple);
  } else if (!selected_) {
    setState(IceState::Checking);
  }
}

void IceLiteServer::sendError(std::span<const std::uint8_t> request, std::uint16_t code,
                              bool withIntegrity, const StunAddress& to, IceSocketHandle socket) {
  const auto msg = StunMessageView::parse(request);
  if (!msg) return;
  std::array<std::uint8_t, kResponseBufferSize> buffer{};
  std::span<const std::uint8_t> key;
  if (withIntegrity) {
    key = {reinterpret_cast<const std::uint8_t*>(local_.pwd.data()), local_.pwd.size()};
  }
  const auto bytes = buildStunErrorResponse(buffer, *msg, code, key);
  if (!bytes.empty()) listener_.onIceSendStun(*this, bytes, to, socket);
}

IceLiteServer::TupleEntry* IceLiteServer::touchTuple(const IceTuple& tuple) {
  const auto now = clock_.steadyNow();
  for (auto& entry : tuples_) {
    if (entry.tuple == tuple) {
      entry.lastValidCheck = now;
      return &entry;
    }
  }
  if (tuples_.size() >= kMaxTuples) {
    // Make room by forgetting the stalest path that is not carrying media.
    auto victim = tuples_.end();
    for (auto it = tuples_.begin(); it != tuples_.end(); ++it) {
      if (selected_ && it->tuple == *selected_) continue;
      if (victim == tuples_.end() || it->lastValidCheck < victim->lastValidCheck) victim = it;
    }
    if (victim != tuples_.end()) tuples_.erase(victim);
  }
  tuples_.push_back(TupleEntry{tuple, now});
  return &tuples_.back();
}

void IceLiteServer::selectTuple(const IceTuple& tuple) {
  const bool changed = !selected_ || !(*selected_ == tuple);
  selected_ = tuple;
  if (changed) {
    HUDDLE_LOG_DEBUG(ice, "lite selected tuple remote={} socket={}", tuple.remote.toString(),
                     tuple.local);
    listener_.onIceSelectedTupleChanged(*this, &*selected_);
  }
  // The callee may have closed us.
  if (state_ != IceState::Closed) setState(IceState::Connected);
}

void IceLiteServer::onTimer() {
  if (state_ == IceState::Closed) return;
  const auto now = clock_.steadyNow();
  bool selectedExpired = false;
  std::erase_if(tuples_, [&](const TupleEntry& entry) {
    if (entry.lastValidCheck + kConsentTimeout > now) return false;
    ++stats_.tuplesExpired;
    if (selected_ && entry.tuple == *selected_) selectedExpired = true;
    return true;
  });
  if (selectedExpired) {
    selected_.reset();
    if (!tuples_.empty()) {
      // Another path still has consent: fall back to the one heard from most recently.
      const auto best =
          std::max_element(tuples_.begin(), tuples_.end(), [](const auto& a, const auto& b) {
            return a.lastValidCheck < b.lastValidCheck;
          });
      selectTuple(best->tuple);
      return;
    }
    listener_.onIceSelectedTupleChanged(*this, nullptr);
    if (state_ == IceState::Closed) return;
  }
  if (tuples_.empty() && state_ != IceState::New && state_ != IceState::Disconnected) {
    setState(IceState::Disconnected);
  }
}

std::optional<std::chrono::steady_clock::time_point> IceLiteServer::nextTimeout() const {
  if (state_ == IceState::Closed || tuples_.empty()) return std::nullopt;
  auto earliest = tuples_.front().lastValidCheck;
  for (const auto& entry : tuples_) earliest = std::min(earliest, entry.lastValidCheck);
  return earliest + kConsentTimeout;
}

void IceLiteServer::restartIce(IceCredentials local) {
  if (state_ == IceState::Closed) return;
  local_ = std::move(local);
  remoteUfrag_.clear();
  remotePwd_.clear();
  // Paths learned under the old credentials are forgotten, except the one carrying media.
  std::erase_if(tuples_, [&](const TupleEntry& entry) {
    return !(selected_ && entry.tuple == *selected_);
  });
}

void IceLiteServer::close() {
  if (state_ == IceState::Closed) return;
  tuples_.clear();
  selected_.reset();
  state_ = IceState::Closed;
  listener_.onIceStateChanged(*this, state_);
}

void IceLiteServer::setState(IceState state) {
  if (state_ == state) return;
  HUDDLE_LOG_DEBUG(ice, "lite state {} -> {}", toString(state_), toString(state));
  state_ = state;
  listener_.onIceStateChanged(*this, state);
}

}  // namespace huddle::rtc
