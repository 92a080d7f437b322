#include "counting_allocator.h"

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace {

std::atomic<bool> countingOn{false};
std::atomic<long> newCalls{0};
std::atomic<long> mallocCallCount{0};

void* countedNew(std::size_t size) {
  if (countingOn.load(std::memory_order_relaxed)) newCalls.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return countedNew(size); }
void* operator new[](std::size_t size) { return countedNew(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HUDDLE_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HUDDLE_TEST_ASAN 1
#endif

#if defined(__GLIBC__) && !defined(HUDDLE_TEST_ASAN)
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void __libc_free(void* p);
}
namespace {
void noteMalloc() {
  if (countingOn.load(std::memory_order_relaxed)) {
    mallocCallCount.fetch_add(1, std::memory_order_relaxed);
  }
}
}  // namespace
extern "C" {
void* malloc(std::size_t size) noexcept {
  noteMalloc();
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
  noteMalloc();
  return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t size) noexcept {
  noteMalloc();
  return __libc_realloc(p, size);
}
void free(void* p) noexcept { __libc_free(p); }
}
#define HUDDLE_TEST_COUNTS_MALLOC 1
#endif

namespace huddle::test {

void setAllocationCounting(bool on) noexcept { countingOn.store(on, std::memory_order_relaxed); }

void resetAllocationCounts() noexcept {
  newCalls.store(0, std::memory_order_relaxed);
  mallocCallCount.store(0, std::memory_order_relaxed);
}

long operatorNewCalls() noexcept { return newCalls.load(std::memory_order_relaxed); }
long mallocCalls() noexcept { return mallocCallCount.load(std::memory_order_relaxed); }

bool countsMalloc() noexcept {
#if defined(HUDDLE_TEST_COUNTS_MALLOC)
  return true;
#else
  return false;
#endif
}

}  // namespace huddle::test
