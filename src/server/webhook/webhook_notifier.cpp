#include "server/webhook/webhook_notifier.h"

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <openssl/ssl.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "auth/hmac_key.h"
#include "auth/webhook_auth.h"
#include "common/log.h"
#include "common/random.h"
#include "server/webhook/webhook_event.h"
#include "server/webhook/webhook_url.h"

namespace huddle::server {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string_view toString(WebhookError error) {
  switch (error) {
    case WebhookError::NoUrls: return "no webhook URLs";
    case WebhookError::InvalidUrl: return "invalid webhook URL";
    case WebhookError::TlsSetup: return "webhook TLS setup failed";
    case WebhookError::MissingCredentials: return "missing webhook API key or secret";
    case WebhookError::InvalidOption: return "invalid webhook option";
  }
  return "unknown webhook error";
}

namespace {

// Receivers answer with a short status body; anything longer is not worth buffering.
constexpr std::uint64_t kMaxResponseBodyBytes = 64 * 1024;

struct PostOutcome {
  bool answered = false;  // false: resolve/connect/write/read failed or timed out
  unsigned status = 0;
  std::string error;
};

// One HTTP/1.1 POST on its own connection, over TLS when the URL is https. Keeps itself alive
// through its handlers; calls `done` exactly once, on the io_context's thread.
class HttpPost final : public std::enable_shared_from_this<HttpPost> {
 public:
  using Done = std::function<void(PostOutcome)>;

  // borrowed: tlsContext (null for http) outlives the request.
  HttpPost(asio::io_context& io, const WebhookUrl& url, http::request<http::string_body> request,
           std::chrono::milliseconds timeout, asio::ssl::context* tlsContext, Done done)
      : url_(url),
        resolver_(io),
        plain_(io),
        deadline_(io),
        request_(std::move(request)),
        timeout_(timeout),
        done_(std::move(done)) {
    if (url_.tls && tlsContext != nullptr) tls_.emplace(io, *tlsContext);
    parser_.body_limit(kMaxResponseBodyBytes);
  }

  void start() {
    if (url_.tls && !tls_) return fail("tls", asio::error::operation_not_supported);
    deadline_.expires_after(timeout_);
    deadline_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->finished_) return;
      self->timedOut_ = true;
      // Cancelling makes the pending operation complete with operation_aborted.
      self->resolver_.cancel();
      boost::system::error_code ignored;
      self->socket().close(ignored);
    });
    resolver_.async_resolve(url_.host, std::to_string(url_.port),
                            [self = shared_from_this()](boost::system::error_code ec,
                                                        const tcp::resolver::results_type& results) {
                              self->onResolved(ec, results);
                            });
  }

 private:
  tcp::socket& socket() { return tls_ ? tls_->next_layer() : plain_; }

  template <typename F>
  void withStream(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(plain_);
    }
  }

  void onResolved(boost::system::error_code ec, const tcp::resolver::results_type& results) {
    if (ec) return fail("resolve", ec);
    asio::async_connect(socket(), results,
                        [self = shared_from_this()](boost::system::error_code connectEc,
                                                    const tcp::endpoint&) {
                          self->onConnected(connectEc);
                        });
  }

  void onConnected(boost::system::error_code ec) {
    if (ec) return fail("connect", ec);
    if (!tls_) return write();
    // SNI for name-based virtual hosts; IP literals must not be sent as SNI (RFC 6066).
    boost::system::error_code addressEc;
    (void)asio::ip::make_address(url_.host, addressEc);
    // SSL_set_tlsext_host_name() is a macro with a C cast; this is the call it expands to.
    if (addressEc && SSL_ctrl(tls_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                              TLSEXT_NAMETYPE_host_name,
                              const_cast<char*>(url_.host.c_str())) != 1) {
      return fail("tls", asio::error::invalid_argument);
    }
    tls_->set_verify_mode(asio::ssl::verify_peer);
    tls_->set_verify_callback(asio::ssl::host_name_verification(url_.host));
    tls_->async_handshake(asio::ssl::stream_base::client,
                          [self = shared_from_this()](boost::system::error_code handshakeEc) {
                            if (handshakeEc) return self->fail("tls handshake", handshakeEc);
                            self->write();
                          });
  }

  void write() {
    withStream([this](auto& stream) {
      http::async_write(stream, request_,
                        [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                          self->onWritten(ec);
                        });
    });
  }

  void onWritten(boost::system::error_code ec) {
    if (ec) return fail("write", ec);
    withStream([this](auto& stream) {
      http::async_read(stream, buffer_, parser_,
                       [self = shared_from_this()](boost::system::error_code readEc, std::size_t) {
                         self->onRead(readEc);
                       });
    });
  }

  void onRead(boost::system::error_code ec) {
    if (ec) return fail("read", ec);
    PostOutcome outcome;
    outcome.answered = true;
    outcome.status = parser_.get().result_int();
    finish(std::move(outcome));
  }

  void fail(std::string_view stage, boost::system::error_code ec) {
    PostOutcome outcome;
    outcome.error = std::string(stage) + ": " + (timedOut_ ? std::string("timed out") : ec.message());
    finish(std::move(outcome));
  }

  void finish(PostOutcome outcome) {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    // No TLS close_notify: the request said Connection: close and the answer is in, so waiting
    // on the peer's shutdown would only add a way to hang.
    boost::system::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
    done_(std::move(outcome));
  }

  const WebhookUrl url_;
  tcp::resolver resolver_;
  tcp::socket plain_;
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
  asio::steady_timer deadline_;
  http::request<http::string_body> request_;
  http::response_parser<http::string_body> parser_;
  boost::beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
  Done done_;
  bool finished_ = false;
  bool timedOut_ = false;
};

// An event shared by every URL's queue. `body` is filled once, on the delivery thread, by
// whichever URL gets to it first.
struct Item {
  explicit Item(livekit::WebhookEvent e) : event(std::move(e)) {}
  livekit::WebhookEvent event;
  std::optional<std::string> body;
  bool encodeFailed = false;
};

}  // namespace

struct WebhookNotifier::Impl {
  struct Sink {
    Sink(WebhookUrl u, std::string text, asio::io_context& io)
        : url(std::move(u)), urlText(std::move(text)), retryTimer(io) {}
    const WebhookUrl url;
    const std::string urlText;
    // guarded by Impl::mutex. The front is the event in flight while `busy`.
    std::deque<std::shared_ptr<Item>> queue;
    bool busy = false;
    // delivery thread only
    int attempt = 0;
    asio::steady_timer retryTimer;
  };

  Impl(Options o, const Clock& c, std::vector<WebhookUrl> urls,
       std::optional<asio::ssl::context> tls)
      : options(std::move(o)),
        clock(c),
        key(options.apiSecret),
        tlsContext(std::move(tls)),
        work(asio::make_work_guard(io)) {
    sinks.reserve(urls.size());
    for (std::size_t i = 0; i < urls.size(); ++i) {
      sinks.push_back(std::make_unique<Sink>(std::move(urls[i]), options.urls[i], io));
    }
  }

  void run() {
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception& e) {
        // Nothing in the handlers is expected to throw; keep delivering rather than die silently.
        HUDDLE_LOG_ERROR(webhook, "delivery loop caught exception what={}", e.what());
      }
    }
  }

  void notify(livekit::WebhookEvent event) {
    if (event.id().empty()) event.set_id(randomId("EV_"));
    if (event.created_at() == 0) event.set_created_at(clock.unixSeconds());
    auto item = std::make_shared<Item>(std::move(event));
    std::vector<std::size_t> toStart;
    std::uint64_t droppedNow = 0;
    {
      std::lock_guard lock(mutex);
      for (std::size_t i = 0; i < sinks.size(); ++i) {
        Sink& sink = *sinks[i];
        if (stopping || sink.queue.size() >= options.queueLimit) {
          droppedNow = dropped.fetch_add(1, std::memory_order_relaxed) + 1;
          continue;
        }
        sink.queue.push_back(item);
        queued.fetch_add(1, std::memory_order_relaxed);
        if (!sink.busy) {
          sink.busy = true;
          toStart.push_back(i);
        }
      }
    }
    for (std::size_t i : toStart) {
      asio::post(io, [this, i] { startNext(i); });
    }
    // The callers are media workers: while a receiver is down, a warning per event would cost
    // more than the events themselves.
    if (droppedNow == 1 || (droppedNow != 0 && droppedNow % 100 == 0)) {
      HUDDLE_LOG_WARN(webhook, "event dropped (queue full or stopping) event={} dropped_total={}",
                      item->event.event(), droppedNow);
    }
  }

  // delivery thread
  void startNext(std::size_t index) {
    std::shared_ptr<Item> item;
    {
      std::lock_guard lock(mutex);
      Sink& sink = *sinks[index];
      if (sink.queue.empty()) {
        sink.busy = false;
        drained.notify_all();
        return;
      }
      item = sink.queue.front();
    }
    sinks[index]->attempt = 0;
    attemptDelivery(index, item);
  }

  void attemptDelivery(std::size_t index, const std::shared_ptr<Item>& item) {
    Sink& sink = *sinks[index];
    if (!item->body && !item->encodeFailed) {
      item->body = encodeWebhookJson(item->event);
      item->encodeFailed = !item->body;
    }
    if (item->encodeFailed) {
      HUDDLE_LOG_ERROR(webhook, "event not encodable url={} event={} id={}", sink.urlText,
                       item->event.event(), item->event.id());
      givenUp.fetch_add(1, std::memory_order_relaxed);
      return finishFront(index);
    }
    // Signed per attempt: a retry minutes later must not carry a token close to expiry.
    auto token = auth::signWebhook(*item->body, options.apiKey, key, clock);
    if (!token) {
      HUDDLE_LOG_ERROR(webhook, "signing failed url={} reason={}", sink.urlText, token.message());
      givenUp.fetch_add(1, std::memory_order_relaxed);
      return finishFront(index);
    }

    http::request<http::string_body> request{http::verb::post, sink.url.target, 11};
    request.set(http::field::host, sink.url.hostHeader);
    request.set(http::field::content_type, "application/webhook+json");
    request.set(http::field::authorization, token.value());
    request.set(http::field::user_agent, options.userAgent);
    request.keep_alive(false);
    request.body() = *item->body;
    request.prepare_payload();

    ++sink.attempt;
    auto post = std::make_shared<HttpPost>(
        io, sink.url, std::move(request), options.requestTimeout,
        tlsContext ? &*tlsContext : nullptr,
        [this, index, item](PostOutcome outcome) { onAttemptDone(index, item, outcome); });
    post->start();
  }

  void onAttemptDone(std::size_t index, const std::shared_ptr<Item>& item,
                     const PostOutcome& outcome) {
    Sink& sink = *sinks[index];
    if (outcome.answered && outcome.status >= 200 && outcome.status < 300) {
      delivered.fetch_add(1, std::memory_order_relaxed);
      return finishFront(index);
    }
    failedAttempts.fetch_add(1, std::memory_order_relaxed);
    // Another 4xx means the receiver understood and refused; asking again will not change that.
    const bool retryable =
        !outcome.answered || outcome.status >= 500 || outcome.status == 429;
    if (!retryable || sink.attempt >= options.maxAttempts) {
      HUDDLE_LOG_WARN(webhook, "giving up url={} event={} id={} attempts={} status={} error={}",
                      sink.urlText, item->event.event(), item->event.id(), sink.attempt,
                      outcome.status, outcome.error);
      givenUp.fetch_add(1, std::memory_order_relaxed);
      return finishFront(index);
    }
    auto backoff = options.initialBackoff;
    for (int i = 1; i < sink.attempt && backoff < options.maxBackoff; ++i) backoff *= 2;
    backoff = std::min(backoff, options.maxBackoff);
    HUDDLE_LOG_DEBUG(webhook, "retrying url={} id={} attempt={} status={} error={} backoff_ms={}",
                     sink.urlText, item->event.id(), sink.attempt, outcome.status, outcome.error,
                     backoff.count());
    sink.retryTimer.expires_after(backoff);
    sink.retryTimer.async_wait([this, index, item](boost::system::error_code ec) {
      if (!ec) attemptDelivery(index, item);
    });
  }

  void finishFront(std::size_t index) {
    {
      std::lock_guard lock(mutex);
      Sink& sink = *sinks[index];
      sink.queue.pop_front();
      if (sink.queue.empty()) {
        sink.busy = false;
        drained.notify_all();
        return;
      }
    }
    // Posted rather than called so a run of events that fail before any I/O cannot recurse.
    asio::post(io, [this, index] { startNext(index); });
  }

  bool flush(std::chrono::milliseconds deadline) {
    std::unique_lock lock(mutex);
    return drained.wait_for(lock, deadline, [this] {
      return std::all_of(sinks.begin(), sinks.end(),
                         [](const std::unique_ptr<Sink>& s) { return s->queue.empty(); });
    });
  }

  const Options options;
  const Clock& clock;
  const auth::HmacSha256Key key;
  std::optional<asio::ssl::context> tlsContext;  // only when some URL is https

  std::atomic<std::uint64_t> queued{0};
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> failedAttempts{0};
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> givenUp{0};

  std::mutex mutex;
  std::condition_variable drained;
  bool stopping = false;  // guarded by mutex

  // Declared before the sinks: their timers must be destroyed before the io_context.
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::vector<std::unique_ptr<Sink>> sinks;
  std::thread thread;
};

Result<std::unique_ptr<WebhookNotifier>, WebhookError> WebhookNotifier::create(
    Options options, const Clock& clock) {
  if (options.urls.empty()) return Error{WebhookError::NoUrls, "no webhook URLs configured"};
  if (options.apiKey.empty() || options.apiSecret.empty()) {
    return Error{WebhookError::MissingCredentials,
                 "webhooks need an API key and secret to sign requests"};
  }
  if (options.queueLimit == 0 || options.maxAttempts < 1 ||
      options.initialBackoff.count() <= 0 || options.maxBackoff < options.initialBackoff ||
      options.requestTimeout.count() <= 0) {
    return Error{WebhookError::InvalidOption,
                 "webhook queue limit and attempts must be at least 1, backoff and timeout "
                 "positive, max backoff not below the initial one"};
  }
  std::vector<WebhookUrl> urls;
  bool anyTls = false;
  for (const std::string& text : options.urls) {
    auto url = parseWebhookUrl(text);
    if (!url) return Error{WebhookError::InvalidUrl, "cannot parse webhook URL '" + text + "'"};
    anyTls = anyTls || url->tls;
    urls.push_back(std::move(*url));
  }
  std::optional<asio::ssl::context> tls;
  if (anyTls) {
    tls.emplace(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
    boost::system::error_code ec;
    if (options.caFile.empty()) {
      tls->set_default_verify_paths(ec);
    } else {
      tls->load_verify_file(options.caFile, ec);
    }
    if (ec) {
      return Error{WebhookError::TlsSetup,
                   "cannot load trusted certificates" +
                       (options.caFile.empty() ? std::string(" (system store)")
                                               : " from '" + options.caFile + "'") +
                       ": " + ec.message()};
    }
  }
  auto impl = std::make_unique<Impl>(std::move(options), clock, std::move(urls), std::move(tls));
  Impl* raw = impl.get();
  raw->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<WebhookNotifier>(new WebhookNotifier(std::move(impl)));
}

WebhookNotifier::WebhookNotifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebhookNotifier::~WebhookNotifier() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->work.reset();
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void WebhookNotifier::notify(livekit::WebhookEvent event) { impl_->notify(std::move(event)); }

bool WebhookNotifier::flush(std::chrono::milliseconds deadline) { return impl_->flush(deadline); }

WebhookStats WebhookNotifier::stats() const {
  WebhookStats s;
  s.queued = impl_->queued.load(std::memory_order_relaxed);
  s.delivered = impl_->delivered.load(std::memory_order_relaxed);
  s.failedAttempts = impl_->failedAttempts.load(std::memory_order_relaxed);
  s.dropped = impl_->dropped.load(std::memory_order_relaxed);
  s.givenUp = impl_->givenUp.load(std::memory_order_relaxed);
  return s;
}

}  // namespace huddle::server
