#pragma once
// Single-threaded: usrsctp runs without its own threads (usrsctp_init_nothreads); every call, including handleTimers, comes from one owner thread.
//
// usrsctp keeps process-wide state (one stack, one timer wheel, one conn_output callback), so
// this wrapper initialises it once for the first association and calls usrsctp_finish after the
// last one goes away. Associations register here so the C callbacks can find them by the
// AF_CONN address (the association's `this`) and ignore packets for ones already destroyed.
//
// Limitation forced by usrsctp: the stack is global and not split per thread, so every
// SctpAssociation in a process must live on the same thread. Timers are global too: one
// handleTimers(elapsedMs) advances every association's timers, so call it once per tick in the
// process, not once per association, with the real time elapsed (see sctp_association.h).

#include <cstddef>
#include <cstdint>

namespace huddle::rtc {

class SctpAssociation;

class UsrsctpLibrary {
 public:
  // Ref-counted lifetime; the first acquire initialises usrsctp, the last release finishes it.
  static void acquire();
  static void release();

  // Advances usrsctp's timer wheel by elapsedMs (retransmissions, heartbeats, delayed SACKs)
  // and then lets every live association deliver what those timers produced.
  static void handleTimers(std::uint32_t elapsedMs);

  static void registerAssociation(SctpAssociation* association);
  static void unregisterAssociation(SctpAssociation* association);
  [[nodiscard]] static bool isRegistered(const SctpAssociation* association);

  [[nodiscard]] static int users();
  // False once usrsctp_finish succeeded after the last release.
  [[nodiscard]] static bool initialised();
};

}  // namespace huddle::rtc
