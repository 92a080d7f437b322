#pragma once
// Thread-safe. The default executor of a Room: one thread that runs tasks in the order posted.
//
// Destroying it from one of its own tasks is allowed (a callback that destroys its Room): the
// thread is then detached and exits after that task, keeping its queue alive until then.

#include <memory>
#include <thread>

#include "client/options.h"

namespace huddle::client {

class EventThread final {
 public:
  EventThread();
  // Stops after the running task (queued tasks are dropped) and joins, or detaches when called
  // on the event thread itself.
  ~EventThread();
  EventThread(const EventThread&) = delete;
  EventThread& operator=(const EventThread&) = delete;

  // Posts to this thread; after destruction posting does nothing.
  [[nodiscard]] Executor executor() const;
  [[nodiscard]] std::thread::id id() const noexcept { return thread_.get_id(); }

 private:
  struct Queue;
  std::shared_ptr<Queue> queue_;
  std::thread thread_;
};

}  // namespace huddle::client
