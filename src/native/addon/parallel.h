// Persistent worker threads for the addon's own parallel loops (the portable GEMM, conv,
// pooling). Workers sleep on a condition variable between calls instead of spinning, so
// they leave the cores to the JavaScript thread in between.
//
// RunParallel(threads, body) runs body(t) for t in [0, threads): t = 0 on the calling thread,
// the others on persistent workers that sleep on a condition variable between calls. Work is
// split statically by t, so results do not depend on timing. One call at a time: a second
// caller (another worker_threads thread) meanwhile runs its bodies serially.
#pragma once
#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace unforget {
namespace parallel {

class Workers {
 public:
  void Run(int threads, const std::function<void(int)>& body) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (threads <= 1 || !busy.owns_lock()) {
      for (int t = 0; t < threads; ++t) body(t);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(m_);
      // Threads are started once and kept; they exit with the process.
      while ((int)threads_ < threads - 1) {
        const int id = ++threads_;
        std::thread([this, id, seen = generation_] { Loop(id, seen); }).detach();
      }
      body_ = &body;
      active_ = remaining_ = threads - 1;
      ++generation_;
    }
    wake_.notify_all();
    body(0);
    std::unique_lock<std::mutex> lock(m_);
    done_.wait(lock, [&] { return remaining_ == 0; });
    body_ = nullptr;
  }

 private:
  void Loop(int id, uint64_t seen) {
    std::unique_lock<std::mutex> lock(m_);
    for (;;) {
      wake_.wait(lock, [&] { return generation_ != seen; });
      seen = generation_;
      if (id > active_) continue;  // not needed this time
      const std::function<void(int)>* body = body_;
      lock.unlock();
      (*body)(id);
      lock.lock();
      if (--remaining_ == 0) done_.notify_one();
    }
  }

  std::mutex busy_, m_;
  std::condition_variable wake_, done_;
  int threads_ = 0, active_ = 0, remaining_ = 0;
  uint64_t generation_ = 0;
  const std::function<void(int)>* body_ = nullptr;
};

inline void RunParallel(int threads, const std::function<void(int)>& body) {
  // Never destroyed: detached workers may still wait on it while the process exits.
  static Workers* workers = new Workers();
  workers->Run(threads, body);
}

// The part [begin, end) of [0, n) that thread t of `threads` takes.
inline void Share(int64_t n, int threads, int t, int64_t& begin, int64_t& end) {
  begin = n * t / threads;
  end = n * (t + 1) / threads;
}

}  // namespace parallel
}  // namespace unforget
