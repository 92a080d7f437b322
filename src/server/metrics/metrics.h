#pragma once
// Counters and gauges for the Prometheus text exposition format 0.0.4. Thread-safe: increments
// are lock-free atomics callable from any thread; registration, labelled-child creation and
// render() take a mutex and belong on control paths, never on a per-packet path.
//
// Typical use: register at startup, keep the returned references, bump them on the hot path.
//   metrics::Registry registry;
//   auto& joins = registry.counter("huddle_participant_joins_total", "Participants that joined.");
//   auto& rejected = registry.counterFamily("huddle_signal_rejected_total",
//                                           "Signal connections refused, by reason.", {"reason"});
//   joins.inc();
//   rejected.labels({"bad_token"}).inc();   // first call creates the child under the mutex
//   std::string body = registry.render();   // serve with kContentType

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace huddle::server::metrics {

// The Content-Type a /metrics endpoint answers with.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Monotonic count. Prometheus convention: its name ends in `_total`.
class Counter final {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t value() const noexcept {
    return value_.load(std::memory_order_relaxed);
  }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A level that goes up and down (rooms open, participants connected). Integral, so that
// concurrent add/sub from many threads never loses precision.
class Gauge final {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void set(std::int64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t n) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  void inc() noexcept { add(1); }
  void dec() noexcept { add(-1); }
  [[nodiscard]] std::int64_t value() const noexcept {
    return value_.load(std::memory_order_relaxed);
  }

 private:
  std::atomic<std::int64_t> value_{0};
};

// Metrics of one name split by a fixed list of label names ("code", "reason"...). A child per
// distinct tuple of label values is created on first use and lives as long as the family, so
// callers may keep the reference and bump it without any lock.
template <typename Metric>
class Family final {
 public:
  explicit Family(std::vector<std::string> labelNames) : labelNames_(std::move(labelNames)) {}
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // Values in the order of labelNames(). Throws std::invalid_argument on a count mismatch
  // (a programming error). Takes the family mutex: cache the reference on hot paths.
  Metric& labels(const std::vector<std::string>& values);

  [[nodiscard]] const std::vector<std::string>& labelNames() const { return labelNames_; }

  // Calls fn(values, metric) for every child in label-value order, under the family mutex.
  void forEach(const std::function<void(const std::vector<std::string>&, const Metric&)>& fn) const;

 private:
  std::vector<std::string> labelNames_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;

extern template class Family<Counter>;
extern template class Family<Gauge>;

class Registry final {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Each registers a new metric family. The name must match [a-zA-Z_:][a-zA-Z0-9_:]* and not be
  // registered yet; label names must match [a-zA-Z_][a-zA-Z0-9_]*, not start with "__" and not
  // repeat. Violations are programming errors: std::invalid_argument (call these at startup).
  // The returned reference lives as long as the registry.
  Counter& counter(const std::string& name, const std::string& help);
  Gauge& gauge(const std::string& name, const std::string& help);
  CounterFamily& counterFamily(const std::string& name, const std::string& help,
                               std::vector<std::string> labelNames);
  GaugeFamily& gaugeFamily(const std::string& name, const std::string& help,
                           std::vector<std::string> labelNames);
  // A gauge read at render time, for values another component already holds (e.g. the room
  // count). `read` runs on the thread that calls render(), under the registry mutex: it must be
  // safe to call from that thread and must not call back into this registry.
  void callbackGauge(const std::string& name, const std::string& help,
                     std::function<std::int64_t()> read);

  // Exposition format 0.0.4: per family "# HELP", "# TYPE", then one sample line per child.
  // Families are sorted by name and children by label values, so output is deterministic.
  [[nodiscard]] std::string render() const;

 private:
  struct Entry;
  Entry& add(const std::string& name, const std::string& help,
             const std::vector<std::string>& labelNames);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Entry>> entries_;
};

// Exposed for tests and for other text producers: the escapes format 0.0.4 requires.
[[nodiscard]] std::string escapeHelp(std::string_view text);        // \ and newline
[[nodiscard]] std::string escapeLabelValue(std::string_view text);  // \, " and newline

}  // namespace huddle::server::metrics
