#include "rtc/srtp/srtp_library.h"

#include "common/log.h"

#include <srtp2/srtp.h>

#include <array>
#include <mutex>
#include <string>

namespace huddle::rtc {
namespace {

// Guarded by usersMutex: srtp_init()/srtp_shutdown() must not race with each other or with
// srtp_create() on another thread, and libsrtp keeps global state (crypto kernel, debug modules).
std::mutex usersMutex;
int usersCount = 0;

void onSrtpEvent(srtp_event_data_t* data) {
  if (data == nullptr) return;
  switch (data->event) {
    case event_ssrc_collision:
      HUDDLE_LOG_WARN(srtp, "ssrc collision ssrc={}", data->ssrc);
      break;
    case event_key_soft_limit:
      HUDDLE_LOG_WARN(srtp, "key usage soft limit reached ssrc={}", data->ssrc);
      break;
    case event_key_hard_limit:
      HUDDLE_LOG_ERROR(srtp, "key usage hard limit reached ssrc={}", data->ssrc);
      break;
    case event_packet_index_limit:
      HUDDLE_LOG_ERROR(srtp, "packet index limit reached ssrc={}", data->ssrc);
      break;
  }
}

void release() {
  const std::lock_guard lock(usersMutex);
  if (--usersCount == 0) {
    const srtp_err_status_t status = srtp_shutdown();
    if (status != srtp_err_status_ok) {
      HUDDLE_LOG_WARN(srtp, "srtp_shutdown failed status={}",
                      SrtpLibrary::statusName(static_cast<int>(status)));
    }
  }
}

}  // namespace

SrtpLibrary::Handle::~Handle() {
  if (held_) release();
}

SrtpLibrary::Handle& SrtpLibrary::Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    if (held_) release();
    held_ = other.held_;
    other.held_ = false;
  }
  return *this;
}

Result<SrtpLibrary::Handle, SrtpErrorCode> SrtpLibrary::acquire() {
  const std::lock_guard lock(usersMutex);
  if (usersCount == 0) {
    const srtp_err_status_t status = srtp_init();
    if (status != srtp_err_status_ok) {
      return Error{SrtpErrorCode::LibraryInit,
                   "srtp_init failed: " + std::string(statusName(static_cast<int>(status)))};
    }
    // Without a handler libsrtp prints events to its own debug output; route them to our log.
    srtp_install_event_handler(&onSrtpEvent);
    HUDDLE_LOG_DEBUG(srtp, "libsrtp initialised version={}", version());
  }
  ++usersCount;
  return Handle(true);
}

int SrtpLibrary::users() {
  const std::lock_guard lock(usersMutex);
  return usersCount;
}

std::string_view SrtpLibrary::version() {
  const char* text = srtp_get_version_string();
  return text != nullptr ? std::string_view(text) : std::string_view("unknown");
}

std::string_view SrtpLibrary::cryptoBackend() {
  const auto library = acquire();
  if (!library) return "unknown";
  // libsrtp has no API for this, but each backend registers its AES-ICM debug module under its
  // own name, and srtp_set_debug_module() fails for names that are not registered.
  struct Probe {
    const char* module;
    std::string_view backend;
  };
  static constexpr std::array<Probe, 4> kProbes{{{"aes icm ossl", "openssl"},
                                                 {"aes icm nss", "nss"},
                                                 {"aes icm mbedtls", "mbedtls"},
                                                 {"aes icm", "builtin"}}};
  for (const auto& probe : kProbes) {
    if (srtp_set_debug_module(probe.module, 0) == srtp_err_status_ok) return probe.backend;
  }
  return "unknown";
}

std::string_view SrtpLibrary::statusName(int status) {
  switch (static_cast<srtp_err_status_t>(status)) {
    case srtp_err_status_ok: return "ok";
    case srtp_err_status_fail: return "fail";
    case srtp_err_status_bad_param: return "bad_param";
    case srtp_err_status_alloc_fail: return "alloc_fail";
    case srtp_err_status_dealloc_fail: return "dealloc_fail";
    case srtp_err_status_init_fail: return "init_fail";
    case srtp_err_status_terminus: return "terminus";
    case srtp_err_status_auth_fail: return "auth_fail";
    case srtp_err_status_cipher_fail: return "cipher_fail";
    case srtp_err_status_replay_fail: return "replay_fail";
    case srtp_err_status_replay_old: return "replay_old";
    case srtp_err_status_algo_fail: return "algo_fail";
    case srtp_err_status_no_such_op: return "no_such_op";
    case srtp_err_status_no_ctx: return "no_ctx";
    case srtp_err_status_cant_check: return "cant_check";
    case srtp_err_status_key_expired: return "key_expired";
    case srtp_err_status_socket_err: return "socket_err";
    case srtp_err_status_signal_err: return "signal_err";
    case srtp_err_status_nonce_bad: return "nonce_bad";
    case srtp_err_status_read_fail: return "read_fail";
    case srtp_err_status_write_fail: return "write_fail";
    case srtp_err_status_parse_err: return "parse_err";
    case srtp_err_status_encode_err: return "encode_err";
    case srtp_err_status_semaphore_err: return "semaphore_err";
    case srtp_err_status_pfkey_err: return "pfkey_err";
    case srtp_err_status_bad_mki: return "bad_mki";
    case srtp_err_status_pkt_idx_old: return "pkt_idx_old";
    case srtp_err_status_pkt_idx_adv: return "pkt_idx_adv";
  }
  return "unknown";
}

}  // namespace huddle::rtc
