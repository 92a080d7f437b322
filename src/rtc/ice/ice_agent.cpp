#include "rtc/ice/ice_agent.h"

#include <algorithm>
#include <array>
#include <utility>

#include "common/log.h"
#include "common/random.h"

namespace huddle::rtc {

namespace {

constexpr std::size_t kRequestBufferSize = 256;

std::uint64_t randomU64() {
  std::array<std::uint8_t, 8> bytes{};
  fillRandom(bytes);
  std::uint64_t v = 0;
  for (const auto b : bytes) v = (v << 8) | b;
  return v;
}

std::span<const std::uint8_t> keyOf(const std::string& s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

IceAgent::IceAgent(Listener& listener, const Clock& clock, IceCredentials local, IceRole role,
                   std::optional<std::uint64_t> tieBreaker)
    : listener_(listener),
      clock_(clock),
      local_(std::move(local)),
      role_(role),
      tieBreaker_(tieBreaker ? *tieBreaker : randomU64()),
      rng_(randomU64()) {}

// ------------------------------------------------------------------------------------------
// Candidates and pairs

bool IceAgent::addLocalCandidate(const StunAddress& address, IceSocketHandle socket,
                                 std::uint16_t localPreference) {
  if (state_ == IceState::Closed || locals_.size() >= kMaxLocalCandidates) return false;
  for (const auto& c : locals_) {
    if (c.socket == socket || c.address == address) return false;
  }
  IceAgentCandidate c;
  c.type = IceCandidateType::Host;
  c.address = address;
  c.socket = socket;
  c.localPreference = localPreference;
  c.priority = iceCandidatePriority(kIceTypePreferenceHost, localPreference);
  locals_.push_back(c);
  for (std::size_t r = 0; r < remotes_.size(); ++r) addPair(locals_.size() - 1, r);
  sortPairs();
  return true;
}

void IceAgent::setRemoteCredentials(std::string_view ufrag, std::string_view pwd) {
  remoteUfrag_ = ufrag;
  remotePwd_ = pwd;
  remoteCredentialsCurrent_ = true;
}

bool IceAgent::addRemoteCandidate(const StunAddress& address, std::uint32_t priority) {
  if (state_ == IceState::Closed || remotes_.size() >= kMaxRemoteCandidates) return false;
  for (const auto& c : remotes_) {
    if (c.address == address) return false;
  }
  IceAgentCandidate c;
  c.type = IceCandidateType::Host;  // the agent does not care which type the peer advertised
  c.address = address;
  c.priority = priority;
  remotes_.push_back(c);
  for (std::size_t l = 0; l < locals_.size(); ++l) addPair(l, remotes_.size() - 1);
  sortPairs();
  return true;
}

void IceAgent::setRemoteEndOfCandidates() {
  remoteEndOfCandidates_ = true;
  checkForFailure();
}

std::uint64_t IceAgent::pairPriority(const IceAgentCandidate& local,
                                     const IceAgentCandidate& remote) const noexcept {
  return role_ == IceRole::Controlling ? iceCandidatePairPriority(local.priority, remote.priority)
                                       : iceCandidatePairPriority(remote.priority, local.priority);
}

void IceAgent::addPair(std::size_t localIndex, std::size_t remoteIndex) {
  const auto& local = locals_[localIndex];
  const auto& remote = remotes_[remoteIndex];
  // A socket can only reach addresses of its own family.
  if (local.address.family != remote.address.family) return;
  if (pairs_.size() >= kMaxPairs) return;
  IceCandidatePair pair;
  pair.id = nextPairId_++;
  pair.local = local;
  pair.remote = remote;
  pair.priority = pairPriority(local, remote);
  pairs_.push_back(pair);
}

void IceAgent::sortPairs() {
  for (auto& p : pairs_) p.priority = pairPriority(p.local, p.remote);
  // Ties go to the older pair, so the order is deterministic without stable_sort's buffer.
  std::sort(pairs_.begin(), pairs_.end(), [](const auto& a, const auto& b) {
    return a.priority != b.priority ? a.priority > b.priority : a.id < b.id;
  });
}

IceCandidatePair* IceAgent::pairById(std::uint32_t id) noexcept {
  for (auto& p : pairs_) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

IceCandidatePair* IceAgent::findPair(IceSocketHandle socket, const StunAddress& remote) noexcept {
  for (auto& p : pairs_) {
    if (p.local.socket == socket && p.remote.address == remote) return &p;
  }
  return nullptr;
}

const IceAgentCandidate* IceAgent::findLocal(IceSocketHandle socket) const noexcept {
  for (const auto& c : locals_) {
    if (c.socket == socket) return &c;
  }
  return nullptr;
}

const IceCandidatePair* IceAgent::selectedPair() const noexcept {
  if (!selected_) return nullptr;
  for (const auto& p : pairs_) {
    if (p.id == *selected_) return &p;
  }
  return nullptr;
}

bool IceAgent::selectedIsCurrent() const noexcept {
  return selected_ && selectedGeneration_ == generation_;
}

bool IceAgent::canCheck() const noexcept {
  return remoteCredentialsCurrent_ && !remoteUfrag_.empty() && !remotePwd_.empty() &&
         state_ != IceState::Closed && state_ != IceState::Failed;
}

// ------------------------------------------------------------------------------------------
// Outgoing checks

void IceAgent::buildRequest(Transaction& t, const IceCandidatePair& pair) {
  std::array<std::uint8_t, kRequestBufferSize> buffer{};
  StunMessageBuilder b(buffer, StunClass::Request, StunMethod::Binding, t.id);
  std::string username;
  username.reserve(remoteUfrag_.size() + 1 + local_.ufrag.size());
  username.append(remoteUfrag_).append(":").append(local_.ufrag);
  b.addUsername(username);
  // The priority a peer-reflexive candidate learned from this check would get (section 7.1.1).
  b.addPriority(iceCandidatePriority(kIceTypePreferencePeerReflexive, pair.local.localPreference));
  if (role_ == IceRole::Controlling) {
    b.addIceControlling(tieBreaker_);
    if (t.kind == TransactionKind::Nomination) b.addUseCandidate();
  } else {
    b.addIceControlled(tieBreaker_);
  }
  b.addMessageIntegrity(keyOf(remotePwd_));
  b.addFingerprint();
  t.pwd = remotePwd_;
  t.role = role_;
  const auto bytes = b.bytes();
  t.bytes.assign(bytes.begin(), bytes.end());
}

void IceAgent::startTransaction(IceCandidatePair& pair, TransactionKind kind) {
  Transaction t;
  fillRandom(t.id);
  t.kind = kind;
  t.pairId = pair.id;
  buildRequest(t, pair);
  if (t.bytes.empty()) return;
  const auto now = clock_.steadyNow();
  t.sentAt = now;
  if (kind != TransactionKind::Consent) pair.state = IceCandidatePairState::InProgress;
  if (kind == TransactionKind::Consent) {
    ++stats_.consentRequestsSent;
  } else {
    ++stats_.checksSent;
  }
  transactions_.push_back(std::move(t));
  transmit(transactions_.back());
}

void IceAgent::transmit(Transaction& t) {
  const auto now = clock_.steadyNow();
  if (t.transmissions > 0) {
    ++stats_.retransmissions;
    t.rto = std::min(t.rto * 2, kMaxRto);
  }
  ++t.transmissions;
  t.nextSend = now + t.rto;
  const auto* pair = pairById(t.pairId);
  if (pair == nullptr) return;
  // Copy what the callee needs: it may add candidates, which moves pairs_.
  const StunAddress to = pair->remote.address;
  const IceSocketHandle socket = pair->local.socket;
  const std::vector<std::uint8_t> bytes = t.bytes;
  listener_.onIceSendStun(*this, bytes, to, socket);
}

void IceAgent::failPair(IceCandidatePair& pair, TransactionKind kind) {
  // Consent transactions come and go; only the 30 s rule decides that consent is lost.
  if (kind == TransactionKind::Consent) return;
  pair.state = IceCandidatePairState::Failed;
  if (kind == TransactionKind::Nomination) nominating_ = false;
}

void IceAgent::sendNextCheck(TimePoint now) {
  if (!canCheck()) return;
  if (lastCheckSent_ && now < *lastCheckSent_ + kPacing) return;
  IceCandidatePair* next = nullptr;
  while (!triggered_.empty() && next == nullptr) {
    auto* p = pairById(triggered_.front());
    triggered_.pop_front();
    if (p != nullptr && p->state == IceCandidatePairState::Waiting) next = p;
  }
  // Once this generation has a selected pair, ordinary checks have done their job.
  if (next == nullptr && !selectedIsCurrent()) {
    for (auto& p : pairs_) {
      if (p.state == IceCandidatePairState::Waiting) {
        next = &p;
        break;
      }
    }
  }
  if (next == nullptr) return;
  lastCheckSent_ = now;
  if (state_ == IceState::New) setState(IceState::Checking);
  startTransaction(*next, TransactionKind::Check);
}

void IceAgent::maybeNominate(TimePoint now) {
  if (role_ != IceRole::Controlling || nominating_ || selectedIsCurrent() || !canCheck()) return;
  IceCandidatePair* best = nullptr;
  bool betterPending = false;
  for (auto& p : pairs_) {  // highest priority first
    if (p.state == IceCandidatePairState::Succeeded) {
      best = &p;
      break;
    }
    if (p.state == IceCandidatePairState::Waiting || p.state == IceCandidatePairState::InProgress) {
      betterPending = true;
    }
  }
  if (best == nullptr) return;
  if (betterPending && firstSuccess_ && now < *firstSuccess_ + kNominationWait) return;
  nominating_ = true;
  HUDDLE_LOG_DEBUG(ice, "agent nominating local={} remote={}", best->local.address.toString(),
                   best->remote.address.toString());
  startTransaction(*best, TransactionKind::Nomination);
}

void IceAgent::selectPair(IceCandidatePair& pair) {
  const auto now = clock_.steadyNow();
  const bool changed = !selected_ || *selected_ != pair.id;
  selected_ = pair.id;
  selectedGeneration_ = generation_;
  lastConsent_ = now;
  nextConsent_ = nextConsentTime(now);
  if (changed) {
    HUDDLE_LOG_DEBUG(ice, "agent selected local={} remote={}", pair.local.address.toString(),
                     pair.remote.address.toString());
    listener_.onIceSelectedPairChanged(*this, &pair);
    if (state_ == IceState::Closed) return;
  }
  setState(IceState::Connected);
}

IceAgent::TimePoint IceAgent::nextConsentTime(TimePoint from) {
  std::uniform_int_distribution<std::int64_t> dist(kConsentIntervalMin.count(),
                                                   kConsentIntervalMax.count());
  return from + std::chrono::milliseconds(dist(rng_));
}

void IceAgent::runConsent(TimePoint now) {
  if (!selected_) return;
  if (now >= lastConsent_ + kConsentTimeout) {
    HUDDLE_LOG_INFO(ice, "agent consent lost");
    selected_.reset();
    std::erase_if(transactions_,
                  [](const Transaction& t) { return t.kind == TransactionKind::Consent; });
    listener_.onIceSelectedPairChanged(*this, nullptr);
    if (state_ != IceState::Closed) setState(IceState::Failed);
    return;
  }
  if (state_ == IceState::Connected && now >= lastConsent_ + kConsentDisconnected) {
    setState(IceState::Disconnected);
  }
  if (now >= nextConsent_) {
    nextConsent_ = nextConsentTime(now);
    if (auto* pair = pairById(*selected_)) startTransaction(*pair, TransactionKind::Consent);
  }
}

void IceAgent::checkForFailure() {
  if (selected_ || !remoteEndOfCandidates_ || !canCheck()) return;
  if (state_ != IceState::New && state_ != IceState::Checking) return;
  const bool allFailed = std::all_of(pairs_.begin(), pairs_.end(), [](const auto& p) {
    return p.state == IceCandidatePairState::Failed;
  });
  if (allFailed) setState(IceState::Failed);
}

// ------------------------------------------------------------------------------------------
// Timers

void IceAgent::onTimer() {
  if (state_ == IceState::Closed) return;
  const auto now = clock_.steadyNow();

  // Retransmit or give up. Collect first: callbacks must not see a half-walked vector.
  std::vector<StunTransactionId> due;
  for (const auto& t : transactions_) {
    if (t.nextSend <= now) due.push_back(t.id);
  }
  for (const auto& id : due) {
    auto it = std::find_if(transactions_.begin(), transactions_.end(),
                           [&](const Transaction& t) { return t.id == id; });
    if (it == transactions_.end()) continue;
    if (it->transmissions < kMaxTransmissions) {
      transmit(*it);
    } else {
      const auto kind = it->kind;
      const auto pairId = it->pairId;
      transactions_.erase(it);
      if (auto* pair = pairById(pairId)) failPair(*pair, kind);
    }
    if (state_ == IceState::Closed) return;
  }

  maybeNominate(now);
  if (state_ == IceState::Closed) return;
  sendNextCheck(now);
  if (state_ == IceState::Closed) return;
  runConsent(now);
  if (state_ == IceState::Closed) return;
  checkForFailure();
}

std::optional<std::chrono::steady_clock::time_point> IceAgent::nextTimeout() const {
  if (state_ == IceState::Closed) return std::nullopt;
  std::optional<TimePoint> next;
  const auto consider = [&](TimePoint t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& t : transactions_) consider(t.nextSend);
  if (canCheck()) {
    const bool ordinary = !selectedIsCurrent() &&
                          std::any_of(pairs_.begin(), pairs_.end(), [](const auto& p) {
                            return p.state == IceCandidatePairState::Waiting;
                          });
    if (ordinary || !triggered_.empty()) {
      consider(lastCheckSent_ ? *lastCheckSent_ + kPacing : clock_.steadyNow());
    }
    const bool anySucceeded = std::any_of(pairs_.begin(), pairs_.end(), [](const auto& p) {
      return p.state == IceCandidatePairState::Succeeded;
    });
    if (role_ == IceRole::Controlling && !nominating_ && !selectedIsCurrent() && firstSuccess_ &&
        anySucceeded) {
      consider(*firstSuccess_ + kNominationWait);
    }
  }
  if (selected_) {
    consider(nextConsent_);
    if (state_ == IceState::Connected) consider(lastConsent_ + kConsentDisconnected);
    consider(lastConsent_ + kConsentTimeout);
  }
  return next;
}

// ------------------------------------------------------------------------------------------
// Incoming

void IceAgent::handlePacket(std::span<const std::uint8_t> data, const StunAddress& from,
                            IceSocketHandle socket) {
  if (state_ == IceState::Closed) return;
  ++stats_.packetsReceived;
  if (!isStunPacket(data)) {
    ++stats_.notStun;
    return;
  }
  const auto msg = StunMessageView::parse(data);
  if (!msg) {
    ++stats_.malformed;
    return;
  }
  if (msg->method() != StunMethod::Binding || findLocal(socket) == nullptr) {
    ++stats_.ignored;
    return;
  }
  if (!msg->hasFingerprint() || !msg->verifyFingerprint()) {
    ++stats_.badFingerprint;
    return;
  }
  switch (msg->messageClass()) {
    case StunClass::Request: handleRequest(*msg, from, socket); break;
    case StunClass::SuccessResponse:
    case StunClass::ErrorResponse: handleResponse(*msg, from, socket); break;
    case StunClass::Indication: ++stats_.ignored; break;
  }
}

void IceAgent::sendErrorResponse(const StunMessageView& request, std::uint16_t code,
                                 bool withIntegrity, const StunAddress& to,
                                 IceSocketHandle socket) {
  std::array<std::uint8_t, kRequestBufferSize> buffer{};
  const auto bytes = buildStunErrorResponse(
      buffer, request, code,
      withIntegrity ? keyOf(local_.pwd) : std::span<const std::uint8_t>{});
  if (!bytes.empty()) listener_.onIceSendStun(*this, bytes, to, socket);
}

void IceAgent::switchRole(IceRole role) {
  if (role_ == role) return;
  HUDDLE_LOG_DEBUG(ice, "agent role switch to {}",
                   role == IceRole::Controlling ? "controlling" : "controlled");
  role_ = role;
  ++stats_.roleSwitches;
  if (role_ == IceRole::Controlled) nominating_ = false;
  sortPairs();
}

void IceAgent::handleRequest(const StunMessageView& msg, const StunAddress& from,
                             IceSocketHandle socket) {
  const auto username = msg.username();
  if (!username || !msg.hasMessageIntegrity()) {
    ++stats_.requestsRefused;
    sendErrorResponse(msg, kStunErrorBadRequest, false, from, socket);
    return;
  }
  const auto parts = splitUsername(*username);
  const bool ufragOk = parts && parts->receiverUfrag == local_.ufrag &&
                       (remoteUfrag_.empty() || !remoteCredentialsCurrent_ ||
                        parts->senderUfrag == remoteUfrag_);
  if (!ufragOk || !msg.verifyMessageIntegrity(std::string_view(local_.pwd))) {
    ++stats_.requestsRefused;
    sendErrorResponse(msg, kStunErrorUnauthorized, false, from, socket);
    return;
  }

  // RFC 8445 section 7.3.1.1: the larger tie-breaker keeps the controlling role.
  if (role_ == IceRole::Controlling) {
    if (const auto theirs = msg.iceControlling()) {
      ++stats_.roleConflicts;
      if (tieBreaker_ >= *theirs) {
        sendErrorResponse(msg, kStunErrorRoleConflict, true, from, socket);
        return;
      }
      switchRole(IceRole::Controlled);
    }
  } else if (const auto theirs = msg.iceControlled()) {
    ++stats_.roleConflicts;
    if (tieBreaker_ >= *theirs) {
      switchRole(IceRole::Controlling);
    } else {
      sendErrorResponse(msg, kStunErrorRoleConflict, true, from, socket);
      return;
    }
  }

  std::array<std::uint8_t, kRequestBufferSize> buffer{};
  StunMessageBuilder b(buffer, StunClass::SuccessResponse, StunMethod::Binding,
                       msg.transactionId());
  b.addXorMappedAddress(from);
  b.addMessageIntegrity(keyOf(local_.pwd));
  b.addFingerprint();
  if (!b.ok()) return;
  ++stats_.requestsAnswered;
  const bool useCandidate = msg.useCandidate() && role_ == IceRole::Controlled;
  const auto requestPriority = msg.priority();
  listener_.onIceSendStun(*this, b.bytes(), from, socket);
  if (state_ == IceState::Closed) return;

  auto* pair = findPair(socket, from);
  if (pair == nullptr && requestPriority) {
    // A peer-reflexive remote candidate (RFC 8445 section 7.3.1.3).
    if (remotes_.size() < kMaxRemoteCandidates) {
      IceAgentCandidate c;
      c.type = IceCandidateType::PeerReflexive;
      c.address = from;
      c.priority = *requestPriority;
      remotes_.push_back(c);
      const auto* local = findLocal(socket);
      const auto localIndex = static_cast<std::size_t>(local - locals_.data());
      addPair(localIndex, remotes_.size() - 1);
      sortPairs();
      pair = findPair(socket, from);
    }
  }
  if (pair == nullptr) return;
  // Triggered check (section 7.3.1.4): answer the peer's check with one of our own soon.
  if (pair->state == IceCandidatePairState::Failed) pair->state = IceCandidatePairState::Waiting;
  if (pair->state == IceCandidatePairState::Waiting &&
      std::find(triggered_.begin(), triggered_.end(), pair->id) == triggered_.end()) {
    triggered_.push_back(pair->id);
  }
  if (useCandidate) {
    pair->nominated = true;
    if (pair->state == IceCandidatePairState::Succeeded) selectPair(*pair);
  }
}

void IceAgent::handleResponse(const StunMessageView& msg, const StunAddress& from,
                              IceSocketHandle socket) {
  const auto id = msg.transactionId();
  auto it = std::find_if(transactions_.begin(), transactions_.end(),
                         [&](const Transaction& t) { return t.id == id; });
  if (it == transactions_.end()) {
    ++stats_.unknownTransaction;
    return;
  }
  const auto now = clock_.steadyNow();
  const bool signedOk = msg.hasMessageIntegrity() && msg.verifyMessageIntegrity(it->pwd);
  const auto kind = it->kind;
  auto* pair = pairById(it->pairId);

  if (msg.messageClass() == StunClass::ErrorResponse) {
    const auto error = msg.errorCode();
    const std::uint16_t code = error ? error->code : 0;
    if (code == kStunErrorRoleConflict) {
      // Only a signed 487 may flip our role; otherwise anyone could.
      if (!signedOk) {
        ++stats_.badIntegrity;
        return;
      }
      ++stats_.roleConflicts;
      const auto pairId = it->pairId;
      // Section 7.2.5.1: the opposite of the role the request claimed; if an incoming check
      // already made us switch, this is a no-op rather than a switch back.
      const auto newRole =
          it->role == IceRole::Controlling ? IceRole::Controlled : IceRole::Controlling;
      transactions_.erase(it);
      switchRole(newRole);
      // switchRole() re-sorts the pairs, so look the pair up again by id.
      pair = pairById(pairId);
      if (pair != nullptr && kind != TransactionKind::Consent) {
        // Section 7.2.5.1: retry the same pair with the new role.
        pair->state = IceCandidatePairState::Waiting;
        triggered_.push_front(pairId);
      }
      return;
    }
    // A 401 cannot be signed (our credentials are what it refuses); the 96-bit transaction id
    // is what ties it to our request.
    if (code == kStunErrorUnauthorized) ++stats_.unauthorizedResponses;
    HUDDLE_LOG_DEBUG(ice, "agent check error code={} from={}", code, from.toString());
    transactions_.erase(it);
    if (pair != nullptr) failPair(*pair, kind);
    checkForFailure();
    return;
  }

  if (!signedOk) {
    ++stats_.badIntegrity;
    return;  // keep waiting: the genuine response may still come
  }
  transactions_.erase(it);
  if (pair == nullptr) return;
  // Section 7.2.5.2.1: the response must come back over the same 5-tuple.
  if (!(from == pair->remote.address) || socket != pair->local.socket) {
    failPair(*pair, kind);
    checkForFailure();
    return;
  }

  if (selected_ && *selected_ == pair->id) {
    lastConsent_ = now;
    if (state_ == IceState::Disconnected) setState(IceState::Connected);
  }
  if (kind == TransactionKind::Consent) return;

  pair->state = IceCandidatePairState::Succeeded;
  if (!firstSuccess_) firstSuccess_ = now;
  if (kind == TransactionKind::Nomination) {
    nominating_ = false;
    pair->nominated = true;
    selectPair(*pair);
    return;
  }
  if (role_ == IceRole::Controlled && pair->nominated) {
    selectPair(*pair);
    return;
  }
  maybeNominate(now);
}

// ------------------------------------------------------------------------------------------
// Restart and close

const IceCredentials& IceAgent::restartIce() { return restartIce(IceCredentials::generate()); }

const IceCredentials& IceAgent::restartIce(IceCredentials local) {
  local_ = std::move(local);
  if (state_ == IceState::Closed) return local_;
  ++generation_;
  remoteCredentialsCurrent_ = false;
  std::erase_if(transactions_,
                [](const Transaction& t) { return t.kind != TransactionKind::Consent; });
  triggered_.clear();
  for (auto& p : pairs_) {
    p.state = IceCandidatePairState::Waiting;
    p.nominated = false;
  }
  firstSuccess_.reset();
  nominating_ = false;
  remoteEndOfCandidates_ = false;
  if (state_ == IceState::Failed) setState(IceState::Checking);
  return local_;
}

void IceAgent::close() {
  if (state_ == IceState::Closed) return;
  transactions_.clear();
  triggered_.clear();
  selected_.reset();
  setState(IceState::Closed);
}

void IceAgent::setState(IceState state) {
  if (state_ == state) return;
  HUDDLE_LOG_DEBUG(ice, "agent state {} -> {}", toString(state_), toString(state));
  state_ = state;
  listener_.onIceStateChanged(*this, state);
}

}  // namespace huddle::rtc
