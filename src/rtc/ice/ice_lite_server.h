#pragma once
// IceLiteServer: the SFU's ICE-lite responder (RFC 8445 section 2.5), one per peer connection.
// Single-threaded: runs on the owning worker's loop; no locks, no sockets, no timers of its own
// (the owner feeds datagrams in, calls onTimer() at nextTimeout(), and sends what the listener
// is given).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "rtc/ice/ice_credentials.h"
#include "rtc/ice/ice_types.h"
#include "rtc/ice/stun_address.h"

namespace huddle::rtc {

// The receiver part of the USERNAME of a STUN Binding request ("<receiver>:<sender>"): the
// local ufrag from our point of view, which is what a shared UDP port routes the first packet
// by. Empty when `packet` is not a well-formed STUN message with such a USERNAME. Never throws.
[[nodiscard]] std::optional<std::string_view> localUfragFromStunPacket(
    std::span<const std::uint8_t> packet) noexcept;
// The sender part of an ICE USERNAME, i.e. the remote peer's ufrag ("abcd:wxyz" -> "wxyz").
[[nodiscard]] std::optional<std::string_view> remoteUfragFromUsername(
    std::string_view username) noexcept;

// States: New -> Checking (first valid check) -> Connected (a check with USE-CANDIDATE) ->
// Disconnected (every path's consent lapsed; a new valid check revives it). It never reports
// Failed on its own: with no checks to send it cannot tell "gone" from "slow", so the owner
// tears the transport down on its own timeout.
class IceLiteServer final {
 public:
  // RFC 7675: consent expires 30 s after the last authenticated check on that path.
  static constexpr std::chrono::milliseconds kConsentTimeout{30'000};
  // Only authenticated checks create tuples, but a peer could still spray source addresses.
  static constexpr std::size_t kMaxTuples = 8;

  // Callbacks run synchronously inside handlePacket()/onTimer()/restartIce()/close(). A callee
  // may read the server's state and send datagrams, but must not destroy the server or call
  // handlePacket()/onTimer() on it re-entrantly (queue the work instead).
  class Listener {
   public:
    virtual ~Listener() = default;
    // `bytes` is valid only for the duration of the call.
    virtual void onIceSendStun(IceLiteServer& server, std::span<const std::uint8_t> bytes,
                               const StunAddress& to, IceSocketHandle socket) = 0;
    virtual void onIceStateChanged(IceLiteServer& server, IceState state) = 0;
    // `tuple` is null when the selected path went away and nothing replaced it.
    virtual void onIceSelectedTupleChanged(IceLiteServer& server, const IceTuple* tuple) = 0;
  };

  // Counters for what was dropped or refused; never reset.
  struct Stats {
    std::uint64_t packetsReceived = 0;
    std::uint64_t notStun = 0;          // first byte / cookie says another protocol
    std::uint64_t malformed = 0;        // looked like STUN, did not parse
    std::uint64_t badFingerprint = 0;   // missing or wrong FINGERPRINT
    std::uint64_t ignored = 0;          // responses, indications, non-Binding methods
    std::uint64_t badRequests = 0;      // 400 sent (USERNAME or integrity missing)
    std::uint64_t unauthorized = 0;     // 401 sent (wrong ufrag or integrity)
    std::uint64_t roleConflicts = 0;    // 487 sent
    std::uint64_t successResponses = 0;
    std::uint64_t nominations = 0;      // valid checks carrying USE-CANDIDATE
    std::uint64_t tuplesExpired = 0;
  };

  // `local` must be valid(); the remote credentials may come later (setRemoteCredentials). Until
  // the remote ufrag is known, any sender ufrag is accepted: the local password still
  // authenticates the check.
  IceLiteServer(Listener& listener, const Clock& clock, IceCredentials local);
  IceLiteServer(const IceLiteServer&) = delete;
  IceLiteServer& operator=(const IceLiteServer&) = delete;

  // Only ufrag matters to a lite agent (its responses are signed with the local pwd); the pwd is
  // kept for the owner's convenience.
  void setRemoteCredentials(std::string_view ufrag, std::string_view pwd);

  // One datagram from `from` that arrived on `socket`. Anything that is not a valid Binding
  // request for us is counted in stats() and dropped.
  void handlePacket(std::span<const std::uint8_t> data, const StunAddress& from,
                    IceSocketHandle socket);

  // Expires tuples whose consent lapsed. Cheap; calling it early is harmless.
  void onTimer();
  // When onTimer() next has work; empty when nothing is pending.
  [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> nextTimeout() const;

  // ICE restart: from now on only `local` authenticates checks. The selected tuple stays (media
  // keeps flowing) until a check made with the new credentials nominates a path, or until its
  // consent lapses. The owner then signals the new credentials and calls setRemoteCredentials().
  void restartIce(IceCredentials local);

  // Inert afterwards: no more callbacks, every packet ignored.
  void close();

  [[nodiscard]] IceState state() const noexcept { return state_; }
  [[nodiscard]] const IceCredentials& localCredentials() const noexcept { return local_; }
  [[nodiscard]] const std::string& remoteUfrag() const noexcept { return remoteUfrag_; }
  [[nodiscard]] const std::string& remotePwd() const noexcept { return remotePwd_; }
  [[nodiscard]] const IceTuple* selectedTuple() const noexcept;
  [[nodiscard]] std::size_t tupleCount() const noexcept { return tuples_.size(); }
  [[nodiscard]] const Stats& stats() const noexcept { return stats_; }

 private:
  struct TupleEntry {
    IceTuple tuple;
    std::chrono::steady_clock::time_point lastValidCheck;
  };

  void handleBindingRequest(std::span<const std::uint8_t> data, const StunAddress& from,
                            IceSocketHandle socket);
  void sendError(std::span<const std::uint8_t> request, std::uint16_t code, bool withIntegrity,
                 const StunAddress& to, IceSocketHandle socket);
  TupleEntry* touchTuple(const IceTuple& tuple);
  void selectTuple(const IceTuple& tuple);
  void setState(IceState state);

  // borrowed: outlives this
  Listener& listener_;
  const Clock& clock_;

  IceCredentials local_;
  std::string remoteUfrag_;
  std::string remotePwd_;
  IceState state_ = IceState::New;
  std::vector<TupleEntry> tuples_;
  std::optional<IceTuple> selected_;  // always one of tuples_
  Stats stats_;
};

}  // namespace huddle::rtc
