#pragma once
// Console output as usual, plus each benchmark's mean CPU time per iteration, so a benchmark's
// main() can print its figure beside the reference measured in the same run. CPU rather than
// wall time: the machine is shared, and preemption inflates wall time at random.

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace huddle::bench {

class CpuTimeReporter final : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      auto& [sum, count] = times_[run.benchmark_name()];
      sum += run.GetAdjustedCPUTime();
      ++count;
    }
  }

  // Mean CPU time per iteration in the benchmark's time unit (ns unless it set another), or a
  // negative value if it did not run.
  [[nodiscard]] double meanCpuTime(const std::string& name) const {
    const auto it = times_.find(name);
    if (it == times_.end() || it->second.second == 0) return -1;
    return it->second.first / it->second.second;
  }

 private:
  std::map<std::string, std::pair<double, int>> times_;
};

}  // namespace huddle::bench
