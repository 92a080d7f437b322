#pragma once
// A small HTTP (or HTTPS) receiver on 127.0.0.1 for webhook tests: records every request and
// answers with scripted statuses. Runs its own io_context thread; the accessors are thread-safe.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace huddle::server::test {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::string contentType;
  std::string authorization;
  std::string userAgent;
  std::string body;
};

struct TlsFiles {
  std::string certFile;  // PEM certificate chain
  std::string keyFile;   // PEM private key
};

class TestReceiver final {
 public:
  explicit TestReceiver(const std::optional<TlsFiles>& tls = std::nullopt)
      : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    if (tls) {
      tls_.emplace(boost::asio::ssl::context::tls_server);
      tls_->use_certificate_chain_file(tls->certFile);
      tls_->use_private_key_file(tls->keyFile, boost::asio::ssl::context::pem);
    }
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }

  // Held connections close when held_ is destroyed, after the thread has stopped.
  ~TestReceiver() {
    work_.reset();
    io_.stop();
    thread_.join();
  }

  TestReceiver(const TestReceiver&) = delete;
  TestReceiver& operator=(const TestReceiver&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] std::string url(const std::string& path = "/hook") const {
    return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + path;
  }

  // Statuses for the next requests, in order; 200 after they run out.
  void script(std::vector<unsigned> statuses) {
    std::lock_guard lock(mutex_);
    script_.assign(statuses.begin(), statuses.end());
  }

  // While holding, requests are read and recorded but never answered (the connection stays
  // open), like a receiver that hangs.
  void setHold(bool hold) {
    std::lock_guard lock(mutex_);
    hold_ = hold;
  }

  [[nodiscard]] bool waitForRequests(std::size_t count,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
  }

  [[nodiscard]] std::vector<ReceivedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  using tcp = boost::asio::ip::tcp;

  template <typename Stream>
  struct Session {
    explicit Session(Stream s) : stream(std::move(s)) {}
    Stream stream;
    boost::beast::flat_buffer buffer;
    boost::beast::http::request<boost::beast::http::string_body> request;
    boost::beast::http::response<boost::beast::http::string_body> response;
  };
  using TlsStream = boost::asio::ssl::stream<tcp::socket>;

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      if (tls_) {
        auto session = std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *tls_));
        session->stream.async_handshake(boost::asio::ssl::stream_base::server,
                                        [this, session](boost::system::error_code handshakeEc) {
                                          if (!handshakeEc) read(session);
                                        });
      } else {
        read(std::make_shared<Session<tcp::socket>>(std::move(socket)));
      }
      accept();
    });
  }

  template <typename Stream>
  void read(const std::shared_ptr<Session<Stream>>& session) {
    boost::beast::http::async_read(session->stream, session->buffer, session->request,
                                   [this, session](boost::system::error_code ec, std::size_t) {
                                     if (!ec) onRequest(session);
                                   });
  }

  template <typename Stream>
  void onRequest(const std::shared_ptr<Session<Stream>>& session) {
    namespace http = boost::beast::http;
    const auto& req = session->request;
    ReceivedRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.contentType = std::string(req[http::field::content_type]);
    r.authorization = std::string(req[http::field::authorization]);
    r.userAgent = std::string(req[http::field::user_agent]);
    r.body = req.body();
    unsigned status = 200;
    bool hold = false;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(std::move(r));
      hold = hold_;
      if (!hold && !script_.empty()) {
        status = script_.front();
        script_.pop_front();
      }
    }
    cv_.notify_all();
    if (hold) {
      held_.push_back(session);
      return;
    }
    session->response.result(status);
    session->response.version(11);
    session->response.keep_alive(false);
    session->response.body() = "ok";
    session->response.prepare_payload();
    http::async_write(session->stream, session->response,
                      [session](boost::system::error_code, std::size_t) {
                        boost::system::error_code ignored;
                        boost::beast::get_lowest_layer(session->stream)
                            .shutdown(tcp::socket::shutdown_both, ignored);
                      });
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      boost::asio::make_work_guard(io_)};
  std::optional<boost::asio::ssl::context> tls_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::vector<std::shared_ptr<void>> held_;  // sessions never answered; io thread only

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<ReceivedRequest> requests_;
  std::deque<unsigned> script_;
  bool hold_ = false;

  std::thread thread_;
};

}  // namespace huddle::server::test
