#pragma once
// Test support: a replacement global allocator that counts calls while counting is on, for the
// "no allocation on the packet path" tests. Link counting_allocator.cpp into the test binary
// (its own binary: it replaces operator new and, on glibc without ASan, malloc/calloc/realloc,
// so allocations inside OpenSSL and asio are seen as well).

namespace huddle::test {

void setAllocationCounting(bool on) noexcept;
void resetAllocationCounts() noexcept;
[[nodiscard]] long operatorNewCalls() noexcept;
[[nodiscard]] long mallocCalls() noexcept;  // stays 0 when malloc is not replaced
// Whether malloc/calloc/realloc are replaced too (false under ASan, which owns malloc).
[[nodiscard]] bool countsMalloc() noexcept;

// Counts between construction and stop() (or destruction).
class AllocationScope {
 public:
  AllocationScope() noexcept {
    resetAllocationCounts();
    setAllocationCounting(true);
  }
  ~AllocationScope() { setAllocationCounting(false); }
  AllocationScope(const AllocationScope&) = delete;
  AllocationScope& operator=(const AllocationScope&) = delete;
  void stop() noexcept { setAllocationCounting(false); }
};

}  // namespace huddle::test
