// Transpose of a row-major tensor of 4-byte elements (float32 and int32 move the same bits).
//
// The permutation is first simplified: size-1 axes are dropped and input axes that stay
// adjacent and in order in the output are merged, so most real permutations become a
// copy, a batch of contiguous row copies, or a batch of 2-D transposes. The 2-D case is
// done in square tiles so that both the rows read and the rows written stay in L1.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>

namespace unforget {

// Ranks above this are left to the JS kernel (tfjs tensors rarely exceed rank 6).
constexpr int kMaxTransposeRank = 32;

// The simplified permutation: output axis i has size shape[i] and, in the input, stride
// srcStride[i]. The output is written contiguously in row-major order of `shape`.
struct TransposePlan {
  int rank = 0;
  int64_t total = 1;
  int64_t shape[kMaxTransposeRank];
  int64_t srcStride[kMaxTransposeRank];
};

// desc = [rank, shape[0..rank), perm[0..rank)], as tfjs's Transpose: out axis i = in axis perm[i].
inline TransposePlan PlanTranspose(const int32_t* desc) {
  const int rank = desc[0];
  const int32_t* inShape = desc + 1;
  const int32_t* perm = desc + 1 + rank;
  TransposePlan plan;
  for (int a = 0; a < rank; ++a) plan.total *= inShape[a];

  // Size-1 axes move nothing: renumber the others.
  int renum[kMaxTransposeRank];
  int64_t size[kMaxTransposeRank];
  int n = 0;
  for (int a = 0; a < rank; ++a) {
    renum[a] = inShape[a] == 1 ? -1 : n;
    if (inShape[a] != 1) size[n++] = inShape[a];
  }
  int p[kMaxTransposeRank];
  int pos[kMaxTransposeRank];  // output position of each input axis
  int m = 0;
  for (int i = 0; i < rank; ++i) {
    const int a = renum[perm[i]];
    if (a >= 0) {
      pos[a] = m;
      p[m++] = a;
    }
  }

  // Input axis a joins the group of a-1 when it directly follows a-1 in the output too.
  int group[kMaxTransposeRank];
  int64_t groupSize[kMaxTransposeRank];
  int groups = 0;
  for (int a = 0; a < n; ++a) {
    if (a == 0 || pos[a] != pos[a - 1] + 1) groupSize[groups++] = 1;
    group[a] = groups - 1;
    groupSize[groups - 1] *= size[a];
  }
  int64_t groupStride[kMaxTransposeRank];
  int64_t stride = 1;
  for (int g = groups - 1; g >= 0; --g) {
    groupStride[g] = stride;
    stride *= groupSize[g];
  }
  // Groups in output order: an output position that starts a group names it.
  for (int i = 0; i < m; ++i) {
    const int a = p[i];
    if (a > 0 && group[a] == group[a - 1]) continue;
    plan.shape[plan.rank] = groupSize[group[a]];
    plan.srcStride[plan.rank] = groupStride[group[a]];
    ++plan.rank;
  }
  return plan;
}

// dst[j * dstLd + i] = src[i * srcLd + j] for i < rows, j < cols, in TB x TB tiles.
template <class T>
inline void TransposeTiled(const T* src, int64_t srcLd, T* dst, int64_t dstLd, int64_t rows, int64_t cols) {
  constexpr int64_t TB = 16;
  for (int64_t i0 = 0; i0 < rows; i0 += TB) {
    const int64_t ie = std::min(i0 + TB, rows);
    for (int64_t j0 = 0; j0 < cols; j0 += TB) {
      const int64_t je = std::min(j0 + TB, cols);
      if (ie - i0 == TB && je - j0 == TB) {
        // Full tile with compile-time bounds: the compiler unrolls it.
        const T* s = src + i0 * srcLd + j0;
        T* d = dst + j0 * dstLd + i0;
        for (int64_t j = 0; j < TB; ++j)
          for (int64_t i = 0; i < TB; ++i) d[j * dstLd + i] = s[i * srcLd + j];
      } else {
        for (int64_t j = j0; j < je; ++j)
          for (int64_t i = i0; i < ie; ++i) dst[j * dstLd + i] = src[i * srcLd + j];
      }
    }
  }
}

// Walks every combination of the plan's axes listed in `axes` (an odometer), calling
// f(srcOffset, dstOffset) for each; dstStride holds the output's row-major strides.
template <class F>
inline void ForEachOuter(const TransposePlan& plan, const int* axes, int count, const int64_t* dstStride, F f) {
  int64_t idx[kMaxTransposeRank] = {0};
  int64_t so = 0, dO = 0;
  while (true) {
    f(so, dO);
    int k = count - 1;
    for (; k >= 0; --k) {
      const int ax = axes[k];
      so += plan.srcStride[ax];
      dO += dstStride[ax];
      if (++idx[k] < plan.shape[ax]) break;
      so -= plan.srcStride[ax] * plan.shape[ax];
      dO -= dstStride[ax] * plan.shape[ax];
      idx[k] = 0;
    }
    if (k < 0) return;
  }
}

template <class T>
inline void Transpose(const T* src, T* dst, const TransposePlan& plan) {
  if (plan.total == 0) return;
  if (plan.rank <= 1) {
    std::memcpy(dst, src, plan.total * sizeof(T));
    return;
  }
  const int last = plan.rank - 1;
  int64_t dstStride[kMaxTransposeRank];
  dstStride[last] = 1;
  for (int i = last - 1; i >= 0; --i) dstStride[i] = dstStride[i + 1] * plan.shape[i + 1];
  int axes[kMaxTransposeRank];
  int count = 0;

  if (plan.srcStride[last] == 1) {
    // The innermost axis stays innermost: contiguous row copies.
    for (int i = 0; i < last; ++i) axes[count++] = i;
    const int64_t len = plan.shape[last];
    ForEachOuter(plan, axes, count, dstStride,
                 [&](int64_t so, int64_t dO) { std::memcpy(dst + dO, src + so, len * sizeof(T)); });
    return;
  }
  // The input's innermost axis lands on output axis q: a batch of 2-D transposes between
  // output axes q (contiguous in the input) and `last` (contiguous in the output).
  int q = 0;
  while (plan.srcStride[q] != 1) ++q;
  for (int i = 0; i < last; ++i)
    if (i != q) axes[count++] = i;
  const int64_t rows = plan.shape[last], srcLd = plan.srcStride[last];
  const int64_t cols = plan.shape[q], dstLd = dstStride[q];
  ForEachOuter(plan, axes, count, dstStride, [&](int64_t so, int64_t dO) {
    TransposeTiled(src + so, srcLd, dst + dO, dstLd, rows, cols);
  });
}

}  // namespace unforget
