#pragma once
// Thread-safe: notify(), flush() and stats() may be called from any thread (the signaling thread,
// media workers); delivery runs on the notifier's own thread and io_context, never the caller's.
//
// Posts LiveKit webhook events to configured URLs (docs: livekit-protocol.md section 7): each
// event is encoded once as proto3 JSON and signed per attempt with the API key and secret.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "livekit_webhook.pb.h"

namespace huddle::server {

enum class WebhookError {
  NoUrls,              // nothing to deliver to: the server should not build a notifier at all
  InvalidUrl,          // not an absolute http(s) URL we can parse
  TlsSetup,            // https URLs, but the trusted certificates (caFile or system) won't load
  MissingCredentials,  // empty API key or secret: receivers could not verify anything
  InvalidOption,       // zero queue limit or attempts, non-positive timeouts or backoff
};

[[nodiscard]] std::string_view toString(WebhookError error);

// Counts are per (event, URL) pair: one event to two URLs that both succeed is delivered twice.
struct WebhookStats {
  std::uint64_t queued = 0;          // accepted into a URL's queue
  std::uint64_t delivered = 0;       // answered with 2xx
  std::uint64_t failedAttempts = 0;  // every attempt that did not end in 2xx
  std::uint64_t dropped = 0;         // refused by notify(): queue full, or shutting down
  std::uint64_t givenUp = 0;         // abandoned: non-retryable answer, attempts exhausted,
                                     // or the event could not be encoded or signed
};

struct WebhookNotifierOptions {
  std::vector<std::string> urls;
  std::string apiKey;
  std::string apiSecret;
  // Per URL, counting the event in flight. LiveKit's notifier also keeps 100 and drops beyond.
  std::size_t queueLimit = 100;
  int maxAttempts = 5;  // including the first
  std::chrono::milliseconds initialBackoff{500};
  std::chrono::milliseconds maxBackoff{8000};
  // Whole request: resolve, connect, write and read the response.
  std::chrono::milliseconds requestTimeout{10000};
  // LiveKit sends "LiveKit"; receivers in the wild may log or filter on it.
  std::string userAgent = "LiveKit";
  // https only: PEM file of CA certificates to trust instead of the system store (private CAs,
  // tests). The peer's certificate must name the URL's host either way.
  std::string caFile;
};

class WebhookNotifier final {
 public:
  using Options = WebhookNotifierOptions;
  using Stats = WebhookStats;

  // Validates the options and starts the delivery thread.
  // borrowed: clock outlives the notifier (stamps created_at and the token's iat/exp).
  [[nodiscard]] static Result<std::unique_ptr<WebhookNotifier>, WebhookError> create(
      Options options, const Clock& clock = SystemClock::instance());

  // Stops the thread; whatever is still queued is abandoned (call flush() first to wait).
  ~WebhookNotifier();
  WebhookNotifier(const WebhookNotifier&) = delete;
  WebhookNotifier& operator=(const WebhookNotifier&) = delete;

  // Never blocks on the network: takes a short lock, enqueues and returns. Fills `id`
  // ("EV_" + random) and `created_at` (unix seconds) when they are empty. When a URL's queue is
  // full the event is dropped for that URL and counted.
  void notify(livekit::WebhookEvent event);

  // Waits until every URL's queue is empty (delivered or given up) or the deadline passes.
  // Returns true when drained.
  [[nodiscard]] bool flush(std::chrono::milliseconds deadline);

  [[nodiscard]] Stats stats() const;

 private:
  struct Impl;
  explicit WebhookNotifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace huddle::server
