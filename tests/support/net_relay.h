#pragma once
// Test support: relays on 127.0.0.1 that a test puts between a client and huddle-server to cut,
// hold or black-hole the path (signal over TCP, media over UDP). Each runs its own io thread.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace huddle::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;
inline constexpr auto kRelayWait = std::chrono::seconds(15);

// Runs `fn` on `io`'s thread and waits for it (bounded).
template <typename Fn>
void runOn(asio::io_context& io, Fn fn) {
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  asio::post(io, [fn = std::move(fn), done]() mutable {
    fn();
    done->set_value();
  });
  ASSERT_EQ(future.wait_for(kRelayWait), std::future_status::ready);
}

// A TCP relay on 127.0.0.1 in front of a port: cut() closes every relayed connection on both
// sides (the server sees the client vanish, the client sees its signal close without a leave),
// hold() parks new connections until released, stopListening() makes connects fail.
class TcpRelay {
 public:
  explicit TcpRelay(std::uint16_t upstream)
      : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}), upstream_(upstream) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TcpRelay() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_); }
  int accepted() {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  bool waitAccepted(int n) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kRelayWait, [&] { return accepted_ >= n; });
  }
  void cut() {
    runOn(io_, [this] {
      for (const auto& pipe : pipes_) closePipe(*pipe);
      pipes_.clear();
    });
  }
  void hold(bool on) {
    runOn(io_, [this, on] {
      held_ = on;
      if (on) return;
      for (auto& pipe : parked_) connectUpstream(pipe);
      parked_.clear();
    });
  }
  void stopListening() {
    runOn(io_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
    });
  }

 private:
  struct Pipe {
    explicit Pipe(asio::io_context& io) : client(io), server(io) {}
    tcp::socket client;
    tcp::socket server;
    std::array<char, 16384> up{};
    std::array<char, 16384> down{};
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      {
        std::lock_guard lock(mutex_);
        ++accepted_;
      }
      cv_.notify_all();
      auto pipe = std::make_shared<Pipe>(io_);
      pipe->client = std::move(socket);
      if (held_) {
        parked_.push_back(pipe);
      } else {
        connectUpstream(pipe);
      }
      accept();
    });
  }
  void connectUpstream(const std::shared_ptr<Pipe>& pipe) {
    pipes_.insert(pipe);
    pipe->server.async_connect({asio::ip::make_address("127.0.0.1"), upstream_},
                               [this, pipe](boost::system::error_code ec) {
                                 if (ec) {
                                   drop(pipe);
                                   return;
                                 }
                                 pump(pipe, pipe->client, pipe->server, pipe->up);
                                 pump(pipe, pipe->server, pipe->client, pipe->down);
                               });
  }
  void pump(const std::shared_ptr<Pipe>& pipe, tcp::socket& from, tcp::socket& to, std::array<char, 16384>& buffer) {
    from.async_read_some(asio::buffer(buffer), [this, pipe, &from, &to, &buffer](boost::system::error_code ec,
                                                                                 std::size_t n) {
      if (ec) {
        drop(pipe);
        return;
      }
      asio::async_write(to, asio::buffer(buffer.data(), n),
                        [this, pipe, &from, &to, &buffer](boost::system::error_code ec2, std::size_t) {
                          if (ec2) {
                            drop(pipe);
                            return;
                          }
                          pump(pipe, from, to, buffer);
                        });
    });
  }
  void drop(const std::shared_ptr<Pipe>& pipe) {
    closePipe(*pipe);
    pipes_.erase(pipe);
  }
  static void closePipe(Pipe& pipe) {
    boost::system::error_code ignored;
    pipe.client.close(ignored);
    pipe.server.close(ignored);
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = acceptor_.local_endpoint().port();
  std::uint16_t upstream_;
  std::set<std::shared_ptr<Pipe>> pipes_;     // relay thread only
  std::vector<std::shared_ptr<Pipe>> parked_;  // relay thread only
  bool held_ = false;                          // relay thread only
  std::mutex mutex_;
  std::condition_variable cv_;
  int accepted_ = 0;
  std::thread thread_;
};


// A UDP relay on 127.0.0.1 in front of a port: each client address gets its own upstream
// socket (so the server sees distinct peers); block(true) drops everything both ways, a path
// that dies without a word, as when a NAT binding or a Wi-Fi link goes away.
class UdpRelay {
 public:
  explicit UdpRelay(std::uint16_t upstream)
      : front_(io_, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        upstream_(asio::ip::make_address("127.0.0.1"), upstream) {
    receiveFront();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~UdpRelay() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return front_.local_endpoint().port(); }
  void block(bool on) { blocked_ = on; }
  std::uint64_t dropped() const { return dropped_.load(); }

  // A UDP port free now on 127.0.0.1 (for a server that must come back on the same one).
  static std::uint16_t freePort() {
    asio::io_context io;
    udp::socket probe(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return probe.local_endpoint().port();
  }

 private:
  struct Peer {
    explicit Peer(asio::io_context& io) : socket(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
    udp::socket socket;
    udp::endpoint client;
    std::array<std::uint8_t, 2048> buffer{};
    udp::endpoint from;
  };

  void receiveFront() {
    front_.async_receive_from(asio::buffer(buffer_), from_, [this](boost::system::error_code ec, std::size_t n) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) forwardUp(n);
      receiveFront();
    });
  }
  void forwardUp(std::size_t n) {
    if (blocked_) {
      ++dropped_;
      return;
    }
    auto& peer = peers_[from_];
    if (!peer) {
      peer = std::make_shared<Peer>(io_);
      peer->client = from_;
      receiveBack(peer);
    }
    boost::system::error_code ignored;
    peer->socket.send_to(asio::buffer(buffer_.data(), n), upstream_, 0, ignored);
  }
  void receiveBack(const std::shared_ptr<Peer>& peer) {
    peer->socket.async_receive_from(asio::buffer(peer->buffer), peer->from,
                                    [this, peer](boost::system::error_code ec, std::size_t n) {
                                      if (ec == asio::error::operation_aborted) return;
                                      if (!ec && !blocked_) {
                                        boost::system::error_code ignored;
                                        front_.send_to(asio::buffer(peer->buffer.data(), n), peer->client, 0, ignored);
                                      } else if (!ec) {
                                        ++dropped_;
                                      }
                                      receiveBack(peer);
                                    });
  }

  asio::io_context io_;
  udp::socket front_;
  udp::endpoint upstream_;
  std::array<std::uint8_t, 2048> buffer_{};
  udp::endpoint from_;
  std::map<udp::endpoint, std::shared_ptr<Peer>> peers_;  // relay thread only
  std::atomic<bool> blocked_{false};
  std::atomic<std::uint64_t> dropped_{0};
  std::thread thread_;
};

}  // namespace huddle::testing
