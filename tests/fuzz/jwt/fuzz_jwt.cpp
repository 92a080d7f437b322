// Feeds arbitrary bytes to the token verifier (the whole parse path: split, base64url, JSON,
// claims) and to the webhook check. Nothing may crash, leak or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/access_token.h"
#include "auth/webhook_auth.h"

namespace {

const huddle::auth::KeyProvider& keys() {
  static const huddle::auth::KeyProvider provider = [] {
    huddle::auth::KeyProvider p;
    (void)p.add("APIfuzz", "fuzz-secret-0123456789abcdefghijkl", {});
    (void)p.add("devkey", "secret", {.allowShortSecrets = true});
    return p;
  }();
  return provider;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const huddle::ManualClock clock;
  // A century of leeway lets every signed input reach claim parsing whatever its dates.
  static const huddle::auth::TokenVerifier verifier(keys(), clock,
                                                    std::chrono::hours(24 * 365 * 100));
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto verified = verifier.verify(input);
  if (verified) {
    (void)verified->identity();
    (void)verified->grants.video.has_value();
  }
  // The first line is taken as a webhook body, the rest as its Authorization header.
  const auto newline = input.find('\n');
  if (newline != std::string_view::npos) {
    (void)huddle::auth::verifyWebhook(input.substr(0, newline), input.substr(newline + 1),
                                      verifier);
  }
  return 0;
}
