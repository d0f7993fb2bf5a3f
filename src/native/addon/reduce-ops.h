// Reductions over the middle axis of a [outer, mid, inner] float32 tensor, with the
// semantics of the tfjs cpu kernels:
//  - Sum/Mean/Prod accumulate in double, as tfjs does in JS numbers; the result is rounded
//    to float32 once. Empty reductions give 0 (Sum, Mean) and 1 (Prod).
//  - Max/Min: a NaN anywhere gives NaN; an empty reduction gives NaN (tfjs reads past the
//    end of an empty array).
//  - ArgMax/ArgMin: the first index of the extreme value; NaNs are skipped, except that a
//    NaN first element wins (nothing compares greater than it); empty gives 0.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace unforget {

// Each op: Init (the identity), Step (fold one value, in order), Combine (fold two partial
// results), Finish (to float32, given the count), Empty (the result of no values), and
// Lanes: how many independent partial results a row is split into for SIMD (1 keeps the
// exact sequential order of tfjs where reordering could change an overflow).
struct SumOp {
  using Acc = double;
  static constexpr int Lanes = 16;
  static Acc Init() { return 0.0; }
  static Acc Step(Acc a, double v) { return a + v; }
  static Acc Combine(Acc a, Acc b) { return a + b; }
  static float Finish(Acc a, int64_t) { return (float)a; }
  static float Empty() { return 0.f; }
};

// tfjs sums x / n; summing first and dividing once is at least as accurate.
struct MeanOp : SumOp {
  static float Finish(Acc a, int64_t n) { return (float)(a / (double)n); }
};

struct ProdOp {
  using Acc = double;
  static constexpr int Lanes = 1;
  static Acc Init() { return 1.0; }
  static Acc Step(Acc a, double v) { return a * v; }
  static Acc Combine(Acc a, Acc b) { return a * b; }
  static float Finish(Acc a, int64_t) { return (float)a; }
  static float Empty() { return 1.f; }
};

// tfjs: `if (isNaN(v) || v > max) max = v`, so a NaN sticks once seen. Written as a
// plain max (maxss, or a vector compare and blend) and a separate NaN select, which
// scalar code predicts well: no branch on the data.
struct MaxOp {
  using Acc = float;
  static constexpr int Lanes = 16;
  static Acc Init() { return -std::numeric_limits<float>::infinity(); }
  static Acc Step(Acc a, float v) {
    const float m = v > a ? v : a;
    return v != v ? v : m;
  }
  static Acc Combine(Acc a, Acc b) { return Step(a, b); }
  static float Finish(Acc a, int64_t) { return a; }
  static float Empty() { return std::numeric_limits<float>::quiet_NaN(); }
};

struct MinOp {
  using Acc = float;
  static constexpr int Lanes = 16;
  static Acc Init() { return std::numeric_limits<float>::infinity(); }
  static Acc Step(Acc a, float v) {
    const float m = v < a ? v : a;
    return v != v ? v : m;
  }
  static Acc Combine(Acc a, Acc b) { return Step(a, b); }
  static float Finish(Acc a, int64_t) { return a; }
  static float Empty() { return std::numeric_limits<float>::quiet_NaN(); }
};

// One contiguous row of n >= 1 values, split over Op::Lanes independent partial results
// so that the loop vectorises and the additions do not wait on one another.
template <class Op>
inline typename Op::Acc ReduceRowAcc(const float* x, int64_t n) {
  constexpr int L = Op::Lanes;
  if (L == 1 || n < 2 * L) {
    // Short rows (class scores, a few features): the lanes would cost more than they save.
    typename Op::Acc a = Op::Init();
    for (int64_t j = 0; j < n; ++j) a = Op::Step(a, x[j]);
    return a;
  }
  typename Op::Acc acc[L];
  for (int k = 0; k < L; ++k) acc[k] = Op::Init();
  int64_t j = 0;
  for (; j + L <= n; j += L) {
#pragma omp simd
    for (int k = 0; k < L; ++k) acc[k] = Op::Step(acc[k], x[j + k]);
  }
  for (; j < n; ++j) acc[0] = Op::Step(acc[0], x[j]);
  typename Op::Acc r = acc[0];
  for (int k = 1; k < L; ++k) r = Op::Combine(r, acc[k]);
  return r;
}

// out[k] = reduce over m of x[m * inner + k]: a column block at a time, each column
// folded in the order of m (the order of tfjs), the block's accumulators on the stack.
template <class Op>
inline void ReduceColumns(const float* x, float* out, int64_t mid, int64_t inner) {
  constexpr int64_t B = 512;
  typename Op::Acc acc[B];
  for (int64_t k0 = 0; k0 < inner; k0 += B) {
    const int64_t nb = std::min(B, inner - k0);
    for (int64_t k = 0; k < nb; ++k) acc[k] = Op::Init();
    for (int64_t m = 0; m < mid; ++m) {
      const float* row = x + m * inner + k0;
#pragma omp simd
      for (int64_t k = 0; k < nb; ++k) acc[k] = Op::Step(acc[k], row[k]);
    }
    for (int64_t k = 0; k < nb; ++k) out[k0 + k] = Op::Finish(acc[k], mid);
  }
}

template <class Op>
inline void Reduce(const float* x, float* out, int64_t outer, int64_t mid, int64_t inner) {
  if (mid == 0) {
    std::fill(out, out + outer * inner, Op::Empty());
    return;
  }
  if (mid == 1) {
    // Reducing a size-1 axis: one step per element (Sum still turns -0 into +0, as tfjs).
    const int64_t n = outer * inner;
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) out[i] = Op::Finish(Op::Step(Op::Init(), x[i]), 1);
    return;
  }
  if (inner == 1) {
    for (int64_t o = 0; o < outer; ++o) out[o] = Op::Finish(ReduceRowAcc<Op>(x + o * mid, mid), mid);
    return;
  }
  for (int64_t o = 0; o < outer; ++o) ReduceColumns<Op>(x + o * mid * inner, out + o * inner, mid, inner);
}

// First index of the largest (kMin: smallest) value of a row of n >= 1 values, as tfjs:
// only a strictly better value replaces the best, so NaNs never win unless first. The
// index found is therefore the first j with x[j] == best: a vectorised pass finds the
// best value and a scan that stops early finds its index.
template <bool kMin>
inline int32_t ArgRow(const float* x, int64_t n) {
  const float first = x[0];
  if (first != first) return 0;
  constexpr int L = 16;
  if (n < 2 * L) {
    // Short rows (class scores): tfjs's own scan.
    int32_t at = 0;
    float best = first;
    for (int64_t j = 1; j < n; ++j) {
      if (kMin ? x[j] < best : x[j] > best) {
        best = x[j];
        at = (int32_t)j;
      }
    }
    return at;
  }
  float acc[L];
  for (int k = 0; k < L; ++k) acc[k] = first;
  int64_t j = 0;
  for (; j + L <= n; j += L) {
#pragma omp simd
    for (int k = 0; k < L; ++k) {
      const float v = x[j + k];
      acc[k] = (kMin ? v < acc[k] : v > acc[k]) ? v : acc[k];
    }
  }
  for (; j < n; ++j) acc[0] = (kMin ? x[j] < acc[0] : x[j] > acc[0]) ? x[j] : acc[0];
  float best = acc[0];
  for (int k = 1; k < L; ++k) best = (kMin ? acc[k] < best : acc[k] > best) ? acc[k] : best;
  for (j = 0; j < n; ++j)
    if (x[j] == best) return (int32_t)j;
  return 0;
}

template <bool kMin>
inline void ArgColumns(const float* x, int32_t* out, int64_t mid, int64_t inner) {
  constexpr int64_t B = 512;
  float best[B];
  int32_t idx[B];
  for (int64_t k0 = 0; k0 < inner; k0 += B) {
    const int64_t nb = std::min(B, inner - k0);
    for (int64_t k = 0; k < nb; ++k) {
      best[k] = x[k0 + k];
      idx[k] = 0;
    }
    for (int64_t m = 1; m < mid; ++m) {
      const float* row = x + m * inner + k0;
      const int32_t mi = (int32_t)m;
#pragma omp simd
      for (int64_t k = 0; k < nb; ++k) {
        const float v = row[k];
        const bool better = kMin ? v < best[k] : v > best[k];
        best[k] = better ? v : best[k];
        idx[k] = better ? mi : idx[k];
      }
    }
    std::copy(idx, idx + nb, out + k0);
  }
}

template <bool kMin>
inline void ArgReduce(const float* x, int32_t* out, int64_t outer, int64_t mid, int64_t inner) {
  if (mid == 0) {
    std::fill(out, out + outer * inner, 0);
    return;
  }
  if (inner == 1) {
    for (int64_t o = 0; o < outer; ++o) out[o] = ArgRow<kMin>(x + o * mid, mid);
    return;
  }
  for (int64_t o = 0; o < outer; ++o) ArgColumns<kMin>(x + o * mid * inner, out + o * inner, mid, inner);
}

// Softmax of each row of `cols` values, computed as tfjs does: e = exp(x - max) in float,
// their sum in double rounded to float, then e / sum. A NaN in a row (or a row of -Inf, or
// a +Inf) gives a row of NaN, as in tfjs.
inline void SoftmaxRows(const float* x, float* y, int64_t rows, int64_t cols) {
  if (cols == 0) return;
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    const float m = ReduceRowAcc<MaxOp>(xr, cols);
    double s = 0.0;
    for (int64_t j = 0; j < cols; ++j) {
      const float e = std::exp(xr[j] - m);
      yr[j] = e;
      s += e;
    }
    const float sf = (float)s;
#pragma omp simd
    for (int64_t j = 0; j < cols; ++j) yr[j] = yr[j] / sf;
  }
}

}  // namespace unforget
