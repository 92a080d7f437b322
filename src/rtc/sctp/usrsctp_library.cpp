#include "rtc/sctp/usrsctp_library.h"

#include <usrsctp.h>

#include <algorithm>
#include <vector>

#include "common/log.h"
#include "rtc/sctp/sctp_association.h"

namespace huddle::rtc {
namespace {

// Single-threaded by contract (see the header), so plain statics suffice.
int gUsers = 0;
bool gInitialised = false;
std::vector<SctpAssociation*> gAssociations;

// Enough simulated time for usrsctp to free closed sockets (its socket-kill timers) before
// we give up on usrsctp_finish and leave the stack initialised for the next user.
constexpr int kFinishAttempts = 100;
constexpr std::uint32_t kFinishTimerStepMs = 100;

}  // namespace

// usrsctp's conn_output; `addr` is the association's `this`, registered with
// usrsctp_register_address. Packets for an association already gone are dropped.
struct UsrsctpOutput {
  static int connOutput(void* addr, void* buffer, std::size_t length, std::uint8_t /*tos*/,
                        std::uint8_t /*setDf*/) {
    auto* association = static_cast<SctpAssociation*>(addr);
    if (!UsrsctpLibrary::isRegistered(association)) return 0;
    association->queueOutgoing(buffer, length);
    return 0;
  }
};

void UsrsctpLibrary::acquire() {
  if (gUsers++ > 0 || gInitialised) return;
  // Port 0: no UDP encapsulation, we only use AF_CONN. No debug printer.
  usrsctp_init_nothreads(0, &UsrsctpOutput::connOutput, nullptr);
  gInitialised = true;
  // Stream reconfiguration closes channels; PR-SCTP carries maxRetransmits.
  usrsctp_sysctl_set_sctp_reconfig_enable(1);
  usrsctp_sysctl_set_sctp_pr_enable(1);
  // No ECN over DTLS, and no ASCONF/auth for a single AF_CONN path (RFC 8831 s6.2).
  usrsctp_sysctl_set_sctp_ecn_enable(0);
  usrsctp_sysctl_set_sctp_asconf_enable(0);
  usrsctp_sysctl_set_sctp_auth_enable(0);
  // WebRTC-ish timing: a 1 s initial RTO instead of 3 s, so a lost INIT recovers sooner.
  usrsctp_sysctl_set_sctp_rto_initial_default(1000);
  usrsctp_sysctl_set_sctp_rto_min_default(200);
  usrsctp_sysctl_set_sctp_rto_max_default(10000);
  usrsctp_sysctl_set_sctp_init_rto_max_default(10000);
  usrsctp_sysctl_set_sctp_delayed_sack_time_default(20);
}

void UsrsctpLibrary::release() {
  if (gUsers <= 0) return;
  if (--gUsers > 0) return;
  for (int attempt = 0; attempt < kFinishAttempts; ++attempt) {
    if (usrsctp_finish() == 0) {
      gInitialised = false;
      return;
    }
    // Closed sockets are freed by usrsctp timers; without threads we must run them ourselves.
    usrsctp_handle_timers(kFinishTimerStepMs);
  }
  HUDDLE_LOG_WARN(sctp, "usrsctp_finish kept failing; leaving usrsctp initialised for reuse");
}

void UsrsctpLibrary::handleTimers(std::uint32_t elapsedMs) {
  if (!gInitialised) return;
  usrsctp_handle_timers(elapsedMs);
  // A listener may destroy associations; re-check each one before flushing it.
  const std::vector<SctpAssociation*> snapshot = gAssociations;
  for (SctpAssociation* association : snapshot) {
    if (isRegistered(association)) association->flush();
  }
}

void UsrsctpLibrary::registerAssociation(SctpAssociation* association) { gAssociations.push_back(association); }

void UsrsctpLibrary::unregisterAssociation(SctpAssociation* association) {
  std::erase(gAssociations, association);
}

bool UsrsctpLibrary::isRegistered(const SctpAssociation* association) {
  return std::find(gAssociations.begin(), gAssociations.end(), association) != gAssociations.end();
}

int UsrsctpLibrary::users() { return gUsers; }

bool UsrsctpLibrary::initialised() { return gInitialised; }

}  // namespace huddle::rtc
