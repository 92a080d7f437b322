#pragma once
// IceAgent: the SDK's full ICE agent (RFC 8445), one component, one data stream.
// Single-threaded: runs on the owner's network thread; no locks, no sockets, no timers of its
// own (the owner feeds datagrams in, calls onTimer() at nextTimeout(), and sends what the
// listener is given).
//
// Nomination is regular (RFC 8445 section 8.1.1), not aggressive: ordinary checks carry no
// USE-CANDIDATE; once the best pair that can still win has succeeded, one more check with
// USE-CANDIDATE is sent on it, and its success selects the pair. With aggressive nomination a
// lite peer selects whichever nominating check arrived last while we select by priority, and
// the two ends may settle on different paths; regular nomination keeps them in agreement.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "rtc/ice/ice_candidate_pair.h"
#include "rtc/ice/ice_credentials.h"
#include "rtc/ice/ice_types.h"
#include "rtc/ice/stun_address.h"
#include "rtc/ice/stun_message.h"

namespace huddle::rtc {

class IceAgent final {
 public:
  // Ta: at most one new check per 50 ms (RFC 8445 section 14.2).
  static constexpr std::chrono::milliseconds kPacing{50};
  // Retransmission: RTO starts at 250 ms and doubles up to 1 s; 7 transmissions, then the
  // transaction fails after one more RTO (about 5.75 s in all).
  static constexpr std::chrono::milliseconds kInitialRto{250};
  static constexpr std::chrono::milliseconds kMaxRto{1000};
  static constexpr int kMaxTransmissions = 7;
  // How long a succeeded pair waits for better pairs still in flight before it is nominated.
  static constexpr std::chrono::milliseconds kNominationWait{1000};
  // RFC 7675: a consent request every 4-6 s (randomised), consent lost after 30 s of silence.
  // We report Disconnected earlier, after 10 s, so the app can show a warning.
  static constexpr std::chrono::milliseconds kConsentIntervalMin{4000};
  static constexpr std::chrono::milliseconds kConsentIntervalMax{6000};
  static constexpr std::chrono::milliseconds kConsentDisconnected{10'000};
  static constexpr std::chrono::milliseconds kConsentTimeout{30'000};
  static constexpr std::size_t kMaxPairs = 100;  // RFC 8445 section 6.1.2.5
  static constexpr std::size_t kMaxLocalCandidates = 16;
  static constexpr std::size_t kMaxRemoteCandidates = 50;

  // Callbacks run synchronously inside the agent's methods. A callee may read the agent's state
  // and send datagrams, but must not destroy the agent or call handlePacket()/onTimer() on it
  // re-entrantly (queue the work instead).
  class Listener {
   public:
    virtual ~Listener() = default;
    // `bytes` is valid only for the duration of the call; send it from `socket` to `to`.
    virtual void onIceSendStun(IceAgent& agent, std::span<const std::uint8_t> bytes,
                               const StunAddress& to, IceSocketHandle socket) = 0;
    virtual void onIceStateChanged(IceAgent& agent, IceState state) = 0;
    // `pair` is null when the selected pair lost consent. Valid until the next agent call.
    virtual void onIceSelectedPairChanged(IceAgent& agent, const IceCandidatePair* pair) = 0;
  };

  struct Stats {
    std::uint64_t packetsReceived = 0;
    std::uint64_t notStun = 0;
    std::uint64_t ignored = 0;  // indications, other methods, packets on unknown sockets
    std::uint64_t malformed = 0;
    std::uint64_t badFingerprint = 0;
    std::uint64_t unknownTransaction = 0;  // responses matching nothing we sent
    std::uint64_t badIntegrity = 0;        // responses failing integrity with the remote pwd
    std::uint64_t unauthorizedResponses = 0;  // 401 received
    std::uint64_t roleConflicts = 0;       // 487 received or sent
    std::uint64_t roleSwitches = 0;
    std::uint64_t checksSent = 0;          // first transmissions
    std::uint64_t retransmissions = 0;
    std::uint64_t consentRequestsSent = 0;
    std::uint64_t requestsAnswered = 0;    // checks from the peer answered with success
    std::uint64_t requestsRefused = 0;     // checks from the peer answered with 400/401
  };

  // `tieBreaker` is random when not given (tests pin it to force a role conflict outcome).
  IceAgent(Listener& listener, const Clock& clock, IceCredentials local,
           IceRole role = IceRole::Controlling, std::optional<std::uint64_t> tieBreaker = {});
  IceAgent(const IceAgent&) = delete;
  IceAgent& operator=(const IceAgent&) = delete;

  // A host candidate on one of the owner's sockets. Priority uses RFC 8445 section 5.1.2.1 with
  // host type preference and `localPreference` (give IPv6 a higher one to prefer it, RFC 8421).
  // Returns false when the limit is reached or the candidate already exists.
  bool addLocalCandidate(const StunAddress& address, IceSocketHandle socket,
                         std::uint16_t localPreference = 65535);
  void setRemoteCredentials(std::string_view ufrag, std::string_view pwd);
  // Trickled remote candidate with the priority from its SDP line.
  bool addRemoteCandidate(const StunAddress& address, std::uint32_t priority);
  // "end-of-candidates": once every pair has failed the agent may give up (Failed).
  void setRemoteEndOfCandidates();

  void handlePacket(std::span<const std::uint8_t> data, const StunAddress& from,
                    IceSocketHandle socket);
  void onTimer();
  [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> nextTimeout() const;

  // ICE restart: new local credentials (returned, for the owner to signal), every pair back to
  // Waiting. Checks wait for setRemoteCredentials() with the peer's new credentials. Consent on
  // the old selected pair continues so media keeps flowing until a new pair is selected.
  const IceCredentials& restartIce();
  const IceCredentials& restartIce(IceCredentials local);

  void close();

  [[nodiscard]] IceState state() const noexcept { return state_; }
  [[nodiscard]] IceRole role() const noexcept { return role_; }
  [[nodiscard]] std::uint64_t tieBreaker() const noexcept { return tieBreaker_; }
  [[nodiscard]] const IceCredentials& localCredentials() const noexcept { return local_; }
  [[nodiscard]] const IceCandidatePair* selectedPair() const noexcept;
  [[nodiscard]] const std::vector<IceCandidatePair>& pairs() const noexcept { return pairs_; }
  [[nodiscard]] const std::vector<IceAgentCandidate>& localCandidates() const noexcept {
    return locals_;
  }
  [[nodiscard]] const Stats& stats() const noexcept { return stats_; }

 private:
  using TimePoint = std::chrono::steady_clock::time_point;

  enum class TransactionKind : std::uint8_t { Check, Nomination, Consent };
  struct Transaction {
    StunTransactionId id{};
    TransactionKind kind = TransactionKind::Check;
    std::uint32_t pairId = 0;
    IceRole role = IceRole::Controlling;  // the role the request claimed
    std::string pwd;  // the remote pwd it was signed with; the response must match it
    int transmissions = 0;
    std::chrono::milliseconds rto = kInitialRto;
    TimePoint nextSend{};   // retransmission (or, for the last one, give-up) time
    TimePoint sentAt{};     // first transmission
    std::vector<std::uint8_t> bytes;
  };

  bool canCheck() const noexcept;
  void addPair(std::size_t localIndex, std::size_t remoteIndex);
  void sortPairs();
  IceCandidatePair* pairById(std::uint32_t id) noexcept;
  IceCandidatePair* findPair(IceSocketHandle socket, const StunAddress& remote) noexcept;
  const IceAgentCandidate* findLocal(IceSocketHandle socket) const noexcept;
  bool selectedIsCurrent() const noexcept;
  std::uint64_t pairPriority(const IceAgentCandidate& local, const IceAgentCandidate& remote) const noexcept;

  void startTransaction(IceCandidatePair& pair, TransactionKind kind);
  void buildRequest(Transaction& t, const IceCandidatePair& pair);
  void transmit(Transaction& t);
  void failPair(IceCandidatePair& pair, TransactionKind kind);

  void handleRequest(const StunMessageView& msg, const StunAddress& from, IceSocketHandle socket);
  void handleResponse(const StunMessageView& msg, const StunAddress& from, IceSocketHandle socket);
  void sendErrorResponse(const StunMessageView& request, std::uint16_t code, bool withIntegrity,
                         const StunAddress& to, IceSocketHandle socket);
  void switchRole(IceRole role);

  void sendNextCheck(TimePoint now);
  void maybeNominate(TimePoint now);
  void selectPair(IceCandidatePair& pair);
  void checkForFailure();
  void runConsent(TimePoint now);
  TimePoint nextConsentTime(TimePoint from);
  void setState(IceState state);

  // borrowed: outlives this
  Listener& listener_;
  const Clock& clock_;

  IceCredentials local_;
  std::string remoteUfrag_;
  std::string remotePwd_;
  std::uint64_t generation_ = 0;  // bumped by each restart
  bool remoteCredentialsCurrent_ = false;  // false after restartIce() until new ones arrive
  IceRole role_;
  std::uint64_t tieBreaker_;
  IceState state_ = IceState::New;
  bool remoteEndOfCandidates_ = false;

  std::vector<IceAgentCandidate> locals_;
  std::vector<IceAgentCandidate> remotes_;
  std::vector<IceCandidatePair> pairs_;  // sorted by priority, highest first
  std::deque<std::uint32_t> triggered_;  // pair ids awaiting a triggered check
  std::uint32_t nextPairId_ = 1;
  std::vector<Transaction> transactions_;
  std::optional<TimePoint> lastCheckSent_;
  std::optional<TimePoint> firstSuccess_;
  bool nominating_ = false;

  // Selected pair, by id (pairs are re-sorted and reset on restart, never removed).
  std::optional<std::uint32_t> selected_;
  std::uint64_t selectedGeneration_ = 0;
  TimePoint lastConsent_{};
  TimePoint nextConsent_{};

  std::mt19937_64 rng_;
  Stats stats_;
};

}  // namespace huddle::rtc
