#include "server/metrics/metrics.h"

#include <stdexcept>
#include <variant>

namespace huddle::server::metrics {
namespace {

bool isMetricNameChar(char c, bool first) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  return alpha || (!first && c >= '0' && c <= '9');
}

bool isValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!isMetricNameChar(name[i], i == 0)) return false;
  }
  return true;
}

bool isValidLabelName(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    // Colons are reserved for metric names (recording rules), not labels.
    if (name[i] == ':' || !isMetricNameChar(name[i], i == 0)) return false;
  }
  return true;
}

void appendLabels(std::string& out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values) {
  if (names.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    out += escapeLabelValue(values[i]);
    out += '"';
  }
  out += '}';
}

}  // namespace

std::string escapeHelp(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escapeLabelValue(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

template <typename Metric>
Metric& Family<Metric>::labels(const std::vector<std::string>& values) {
  if (values.size() != labelNames_.size()) {
    throw std::invalid_argument("metric family expects " + std::to_string(labelNames_.size()) +
                                " label values, got " + std::to_string(values.size()));
  }
  const std::lock_guard lock(mutex_);
  auto& slot = children_[values];
  if (!slot) slot = std::make_unique<Metric>();
  return *slot;
}

template <typename Metric>
void Family<Metric>::forEach(
    const std::function<void(const std::vector<std::string>&, const Metric&)>& fn) const {
  const std::lock_guard lock(mutex_);
  for (const auto& [values, metric] : children_) fn(values, *metric);
}

template class Family<Counter>;
template class Family<Gauge>;

struct Registry::Entry {
  std::string help;
  std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>, std::unique_ptr<CounterFamily>,
               std::unique_ptr<GaugeFamily>, std::function<std::int64_t()>>
      metric;
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Entry& Registry::add(const std::string& name, const std::string& help,
                               const std::vector<std::string>& labelNames) {
  if (!isValidMetricName(name)) throw std::invalid_argument("invalid metric name '" + name + "'");
  for (std::size_t i = 0; i < labelNames.size(); ++i) {
    if (!isValidLabelName(labelNames[i])) {
      throw std::invalid_argument("metric '" + name + "': invalid label name '" + labelNames[i] +
                                  "'");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (labelNames[j] == labelNames[i]) {
        throw std::invalid_argument("metric '" + name + "': label '" + labelNames[i] + "' repeats");
      }
    }
  }
  // Caller holds mutex_.
  auto [it, inserted] = entries_.try_emplace(name);
  if (!inserted) throw std::invalid_argument("metric '" + name + "' is already registered");
  it->second = std::make_unique<Entry>();
  it->second->help = help;
  return *it->second;
}

Counter& Registry::counter(const std::string& name, const std::string& help) {
  const std::lock_guard lock(mutex_);
  auto& entry = add(name, help, {});
  auto metric = std::make_unique<Counter>();
  Counter& ref = *metric;
  entry.metric = std::move(metric);
  return ref;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help) {
  const std::lock_guard lock(mutex_);
  auto& entry = add(name, help, {});
  auto metric = std::make_unique<Gauge>();
  Gauge& ref = *metric;
  entry.metric = std::move(metric);
  return ref;
}

CounterFamily& Registry::counterFamily(const std::string& name, const std::string& help,
                                       std::vector<std::string> labelNames) {
  const std::lock_guard lock(mutex_);
  auto& entry = add(name, help, labelNames);
  auto family = std::make_unique<CounterFamily>(std::move(labelNames));
  CounterFamily& ref = *family;
  entry.metric = std::move(family);
  return ref;
}

GaugeFamily& Registry::gaugeFamily(const std::string& name, const std::string& help,
                                   std::vector<std::string> labelNames) {
  const std::lock_guard lock(mutex_);
  auto& entry = add(name, help, labelNames);
  auto family = std::make_unique<GaugeFamily>(std::move(labelNames));
  GaugeFamily& ref = *family;
  entry.metric = std::move(family);
  return ref;
}

void Registry::callbackGauge(const std::string& name, const std::string& help,
                             std::function<std::int64_t()> read) {
  if (!read) throw std::invalid_argument("metric '" + name + "': empty callback");
  const std::lock_guard lock(mutex_);
  auto& entry = add(name, help, {});
  entry.metric = std::move(read);
}

std::string Registry::render() const {
  std::string out;
  const std::lock_guard lock(mutex_);
  for (const auto& item : entries_) {
    // Named references, not a structured binding: clang 14 cannot capture bindings in lambdas.
    const std::string& name = item.first;
    const Entry* entry = item.second.get();
    const bool isCounter = std::holds_alternative<std::unique_ptr<Counter>>(entry->metric) ||
                           std::holds_alternative<std::unique_ptr<CounterFamily>>(entry->metric);
    out += "# HELP ";
    out += name;
    out += ' ';
    out += escapeHelp(entry->help);
    out += "\n# TYPE ";
    out += name;
    out += isCounter ? " counter\n" : " gauge\n";

    const auto sample = [&](const std::vector<std::string>& labelNames,
                            const std::vector<std::string>& values, const std::string& value) {
      out += name;
      appendLabels(out, labelNames, values);
      out += ' ';
      out += value;
      out += '\n';
    };
    const std::vector<std::string> none;
    if (const auto* c = std::get_if<std::unique_ptr<Counter>>(&entry->metric)) {
      sample(none, none, std::to_string((*c)->value()));
    } else if (const auto* g = std::get_if<std::unique_ptr<Gauge>>(&entry->metric)) {
      sample(none, none, std::to_string((*g)->value()));
    } else if (const auto* cf = std::get_if<std::unique_ptr<CounterFamily>>(&entry->metric)) {
      (*cf)->forEach([&](const std::vector<std::string>& values, const Counter& metric) {
        sample((*cf)->labelNames(), values, std::to_string(metric.value()));
      });
    } else if (const auto* gf = std::get_if<std::unique_ptr<GaugeFamily>>(&entry->metric)) {
      (*gf)->forEach([&](const std::vector<std::string>& values, const Gauge& metric) {
        sample((*gf)->labelNames(), values, std::to_string(metric.value()));
      });
    } else if (const auto* fn = std::get_if<std::function<std::int64_t()>>(&entry->metric)) {
      sample(none, none, std::to_string((*fn)()));
    }
  }
  return out;
}

}  // namespace huddle::server::metrics
