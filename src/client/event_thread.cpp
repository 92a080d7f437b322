#include "client/event_thread.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <utility>

namespace huddle::client {

struct EventThread::Queue {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::function<void()>> tasks;
  bool stopping = false;
};

EventThread::EventThread() : queue_(std::make_shared<Queue>()) {
  // The thread owns a reference to the queue: it may outlive this object when detached.
  thread_ = std::thread([queue = queue_] {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(queue->mutex);
        queue->wake.wait(lock, [&] { return queue->stopping || !queue->tasks.empty(); });
        if (queue->stopping) return;
        task = std::move(queue->tasks.front());
        queue->tasks.pop_front();
      }
      task();
    }
  });
}

EventThread::~EventThread() {
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard lock(queue_->mutex);
    queue_->stopping = true;
    dropped.swap(queue_->tasks);
  }
  queue_->wake.notify_all();
  if (std::this_thread::get_id() == thread_.get_id()) {
    thread_.detach();
  } else {
    thread_.join();
  }
  // `dropped` is destroyed here, outside the lock: tasks may own things whose destructors lock.
}

Executor EventThread::executor() const {
  return [weak = std::weak_ptr<Queue>(queue_)](std::function<void()> task) {
    auto queue = weak.lock();
    if (!queue) return;
    {
      std::lock_guard lock(queue->mutex);
      if (queue->stopping) return;
      queue->tasks.push_back(std::move(task));
    }
    queue->wake.notify_one();
  };
}

}  // namespace huddle::client
