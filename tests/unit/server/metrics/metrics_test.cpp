#include "server/metrics/metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace huddle::server::metrics {
namespace {

// A strict reader of exposition format 0.0.4, written independently of the renderer so that the
// tests check the text a Prometheus server would see, not the renderer's own idea of it.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string value;
};

struct ParsedFamily {
  std::string help;
  std::string type;
  std::vector<Sample> samples;
};

struct Parsed {
  std::vector<std::string> order;  // family names in output order
  std::map<std::string, ParsedFamily> families;
};

std::string unescape(std::string_view text, bool allowQuote) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) throw std::runtime_error("dangling backslash");
    if (text[i] == 'n') {
      out += '\n';
    } else if (text[i] == '\\') {
      out += '\\';
    } else if (text[i] == '"' && allowQuote) {
      out += '"';
    } else {
      throw std::runtime_error("bad escape");
    }
  }
  return out;
}

Sample parseSample(const std::string& line) {
  Sample s;
  std::size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') s.name += line[i++];
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (true) {
      std::string label;
      while (i < line.size() && line[i] != '=') label += line[i++];
      if (i + 1 >= line.size() || line[i + 1] != '"') throw std::runtime_error("bad label");
      i += 2;
      std::string raw;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\') raw += line[i++];
        if (i < line.size()) raw += line[i++];
      }
      if (i == line.size()) throw std::runtime_error("unterminated label value");
      ++i;  // closing quote
      if (!s.labels.emplace(label, unescape(raw, true)).second) {
        throw std::runtime_error("repeated label");
      }
      if (i < line.size() && line[i] == ',') {
        ++i;
        continue;
      }
      if (i < line.size() && line[i] == '}') {
        ++i;
        break;
      }
      throw std::runtime_error("bad label list");
    }
  }
  if (i >= line.size() || line[i] != ' ') throw std::runtime_error("no value: " + line);
  s.value = line.substr(i + 1);
  if (s.value.empty() || s.value.find(' ') != std::string::npos) {
    throw std::runtime_error("bad value: " + line);
  }
  return s;
}

Parsed parse(const std::string& text) {
  if (!text.empty() && text.back() != '\n') throw std::runtime_error("no final newline");
  Parsed parsed;
  std::istringstream in(text);
  std::string line;
  std::string current;
  while (std::getline(in, line)) {
    if (line.starts_with("# HELP ")) {
      const auto rest = line.substr(7);
      const auto space = rest.find(' ');
      current = rest.substr(0, space);
      if (parsed.families.count(current) != 0) throw std::runtime_error("family twice");
      parsed.order.push_back(current);
      parsed.families[current].help =
          space == std::string::npos ? "" : unescape(rest.substr(space + 1), false);
    } else if (line.starts_with("# TYPE ")) {
      const auto rest = line.substr(7);
      const auto space = rest.find(' ');
      if (rest.substr(0, space) != current) throw std::runtime_error("TYPE without HELP");
      parsed.families[current].type = rest.substr(space + 1);
    } else {
      Sample s = parseSample(line);
      if (s.name != current || parsed.families[current].type.empty()) {
        throw std::runtime_error("sample outside its family: " + line);
      }
      parsed.families[current].samples.push_back(std::move(s));
    }
  }
  return parsed;
}

TEST(MetricsRegistry, RendersCountersAndGaugesWithHelpAndType) {
  Registry registry;
  auto& joins = registry.counter("huddle_joins_total", "Participants that joined.");
  auto& rooms = registry.gauge("huddle_rooms", "Rooms open.");
  joins.inc();
  joins.inc(4);
  rooms.set(7);
  rooms.dec();
  rooms.add(-10);

  const Parsed p = parse(registry.render());
  ASSERT_EQ(p.order, (std::vector<std::string>{"huddle_joins_total", "huddle_rooms"}));
  const auto& j = p.families.at("huddle_joins_total");
  EXPECT_EQ(j.help, "Participants that joined.");
  EXPECT_EQ(j.type, "counter");
  ASSERT_EQ(j.samples.size(), 1U);
  EXPECT_TRUE(j.samples[0].labels.empty());
  EXPECT_EQ(j.samples[0].value, "5");
  const auto& r = p.families.at("huddle_rooms");
  EXPECT_EQ(r.type, "gauge");
  ASSERT_EQ(r.samples.size(), 1U);
  EXPECT_EQ(r.samples[0].value, "-4");
}

TEST(MetricsRegistry, ExactTextForASmallRegistry) {
  Registry registry;
  registry.gauge("b_level", "B.").set(2);
  registry.counter("a_total", "A.").inc(3);
  EXPECT_EQ(registry.render(),
            "# HELP a_total A.\n"
            "# TYPE a_total counter\n"
            "a_total 3\n"
            "# HELP b_level B.\n"
            "# TYPE b_level gauge\n"
            "b_level 2\n");
}

TEST(MetricsRegistry, LabelledFamilyCreatesChildrenOnFirstUseInSortedOrder) {
  Registry registry;
  auto& rejected =
      registry.counterFamily("huddle_rejected_total", "Refused joins.", {"reason", "code"});
  auto& badToken = rejected.labels({"bad_token", "401"});
  badToken.inc();
  rejected.labels({"alpha", "403"}).inc(2);
  // The same tuple gives the same child, so a cached reference stays valid and shared.
  EXPECT_EQ(&rejected.labels({"bad_token", "401"}), &badToken);
  badToken.inc();

  const Parsed p = parse(registry.render());
  const auto& f = p.families.at("huddle_rejected_total");
  EXPECT_EQ(f.type, "counter");
  ASSERT_EQ(f.samples.size(), 2U);
  EXPECT_EQ(f.samples[0].labels.at("reason"), "alpha");
  EXPECT_EQ(f.samples[0].labels.at("code"), "403");
  EXPECT_EQ(f.samples[0].value, "2");
  EXPECT_EQ(f.samples[1].labels.at("reason"), "bad_token");
  EXPECT_EQ(f.samples[1].value, "2");
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelp) {
  Registry registry;
  auto& fam = registry.gaugeFamily("huddle_weird", "Line one\nback\\slash \"quoted\" help.", {"v"});
  const std::string nasty = "a\"b\\c\nd";
  fam.labels({nasty}).set(1);
  const std::string text = registry.render();
  // Nothing but the separators may produce a raw newline.
  EXPECT_NE(text.find("huddle_weird{v=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("# HELP huddle_weird Line one\\nback\\\\slash \"quoted\" help.\n"),
            std::string::npos);
  const Parsed p = parse(text);
  const auto& f = p.families.at("huddle_weird");
  EXPECT_EQ(f.help, "Line one\nback\\slash \"quoted\" help.");
  ASSERT_EQ(f.samples.size(), 1U);
  EXPECT_EQ(f.samples[0].labels.at("v"), nasty);
}

TEST(MetricsRegistry, EmptyFamilyStillDeclaresItself) {
  Registry registry;
  registry.counterFamily("huddle_errors_total", "Errors.", {"code"});
  const Parsed p = parse(registry.render());
  const auto& f = p.families.at("huddle_errors_total");
  EXPECT_EQ(f.type, "counter");
  EXPECT_TRUE(f.samples.empty());
}

TEST(MetricsRegistry, CallbackGaugeIsReadAtRenderTime) {
  Registry registry;
  std::int64_t rooms = 3;
  registry.callbackGauge("huddle_rooms", "Rooms.", [&] { return rooms; });
  EXPECT_EQ(parse(registry.render()).families.at("huddle_rooms").samples.at(0).value, "3");
  rooms = 9;
  EXPECT_EQ(parse(registry.render()).families.at("huddle_rooms").samples.at(0).value, "9");
}

TEST(MetricsRegistry, RefusesBadNamesDuplicatesAndWrongLabelCounts) {
  Registry registry;
  registry.counter("ok_total", "x");
  EXPECT_THROW(registry.counter("ok_total", "again"), std::invalid_argument);
  EXPECT_THROW(registry.gauge("ok_total", "other type"), std::invalid_argument);
  EXPECT_THROW(registry.counter("1starts_with_digit", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("has-dash", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counterFamily("f1", "x", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(registry.counterFamily("f2", "x", {"a:b"}), std::invalid_argument);
  EXPECT_THROW(registry.counterFamily("f3", "x", {"code", "code"}), std::invalid_argument);
  EXPECT_THROW(registry.callbackGauge("f4", "x", nullptr), std::invalid_argument);
  auto& fam = registry.counterFamily("f5", "x", {"code"});
  EXPECT_THROW(fam.labels({}), std::invalid_argument);
  EXPECT_THROW(fam.labels({"a", "b"}), std::invalid_argument);
  // Colons are legal in metric names.
  EXPECT_NO_THROW(registry.gauge("ns:rule_level", "x"));
}

TEST(MetricsRegistry, CounterAtMaximumRendersAllDigits) {
  Registry registry;
  auto& c = registry.counter("big_total", "x");
  c.inc(18446744073709551615ULL);
  EXPECT_EQ(parse(registry.render()).families.at("big_total").samples.at(0).value,
            "18446744073709551615");
}

TEST(MetricsRegistry, TwoThreadsIncrementingLoseNothing) {
  Registry registry;
  auto& plain = registry.counter("huddle_packets_total", "x");
  auto& fam = registry.counterFamily("huddle_drops_total", "x", {"reason"});
  auto& level = registry.gauge("huddle_level", "x");
  constexpr int kPerThread = 200'000;
  const auto work = [&](const std::string& reason) {
    // Half the increments go through labels() so child creation races with the other thread.
    for (int i = 0; i < kPerThread; ++i) {
      plain.inc();
      level.inc();
      if (i % 2 == 0) {
        fam.labels({"shared"}).inc();
      } else {
        fam.labels({reason}).inc();
      }
      if (i % 1000 == 0) (void)registry.render();  // readers run alongside writers
    }
  };
  std::thread a(work, "a");
  std::thread b(work, "b");
  a.join();
  b.join();

  const Parsed p = parse(registry.render());
  EXPECT_EQ(p.families.at("huddle_packets_total").samples.at(0).value,
            std::to_string(2 * kPerThread));
  EXPECT_EQ(p.families.at("huddle_level").samples.at(0).value, std::to_string(2 * kPerThread));
  const auto& drops = p.families.at("huddle_drops_total").samples;
  ASSERT_EQ(drops.size(), 3U);
  std::map<std::string, std::string> byReason;
  for (const auto& s : drops) byReason[s.labels.at("reason")] = s.value;
  EXPECT_EQ(byReason.at("shared"), std::to_string(kPerThread));
  EXPECT_EQ(byReason.at("a"), std::to_string(kPerThread / 2));
  EXPECT_EQ(byReason.at("b"), std::to_string(kPerThread / 2));
}

}  // namespace
}  // namespace huddle::server::metrics
