// Per-thread scratch buffers that only grow, so steady-state kernel calls allocate nothing
// (a fresh multi-MB buffer per call costs more in page faults than the arithmetic).
// Each Slot is a separate buffer; kernels that may be live at the same time use different
// slots: conv 0-6, pooling 7.
#pragma once
#include <cstddef>
#include <memory>

namespace unforget {

template <typename T, int Slot>
T* Scratch(size_t n) {
  thread_local std::unique_ptr<T[]> buf;
  thread_local size_t cap = 0;
  if (cap < n) {
    buf.reset(new T[n]);
    cap = n;
  }
  return buf.get();
}

}  // namespace unforget
