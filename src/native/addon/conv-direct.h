// Direct conv kernels (no im2col matrix), NHWC float32, used by conv.cc.
//
// Each output pixel's window is read straight from x: value k of the window of pixel i lies
// at a[i * aStride + offs[k]], with offs from WindowOffsets. Blocks of kBlock pixels by
// kLanes output channels (forward) or kBlock window values by kLanes channels (filter
// gradient) stay in vector registers while the loop runs over the window (forward) or over
// the pixels (filter gradient). Windows that overlap the padding are gathered into a small
// zero-padded buffer first and go through the same loops with offs = 0, 1, ..., K - 1.
//
// Against im2col + GEMM this saves the im2col pass and the GEMM's operand packing, which
// dominate for small windows (the C = 1 first layer of an image model: K = 9) and still cost
// ~20% for 3x3x32 windows.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>

#include "common.h"
#include "scratch.h"

namespace unforget {
namespace conv {

// Floats per vector register, and accumulators per register block: all vector registers
// but those the loop needs for a filter row or an input value and the compiler's temporaries.
#if defined(__AVX512F__)
constexpr int kLanes = 16;
#elif defined(__AVX__)
constexpr int kLanes = 8;
#else
constexpr int kLanes = 4;
#endif
#if defined(__AVX512F__) || defined(__aarch64__)
constexpr int kBlock = 14;      // forward, of 32 vector registers
constexpr int kGradBlock = 16;  // filter gradient
#else
constexpr int kBlock = 12;  // of 16
constexpr int kGradBlock = 12;
#endif

// One vector register of floats. GCC and Clang keep these in registers; register blocks
// written as plain float arrays defeat their auto-vectorisers. Loads and stores go through
// memcpy (unaligned, no aliasing assumptions).
typedef float Lanes __attribute__((vector_size(kLanes * sizeof(float))));

inline Lanes LoadLanes(const float* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void StoreLanes(float* p, const Lanes& v) { std::memcpy(p, &v, sizeof v); }

inline int64_t WindowSize(const ConvGeom& g) { return (int64_t)g.FH * g.FW * g.C; }


// The outputs [lo, hi) along one axis whose whole window lies inside the input:
// o * stride - pad >= 0 and o * stride - pad + (filter - 1) * dilation <= in - 1.
inline void InteriorRange(int out, int in, int filter, int stride, int pad, int dilation, int& lo, int& hi) {
  lo = pad <= 0 ? 0 : (pad + stride - 1) / stride;
  const int last = in - 1 - (filter - 1) * dilation + pad;  // largest o * stride allowed
  hi = last < 0 ? 0 : std::min(out, last / stride + 1);
  lo = std::min(lo, hi);
}

// offs[k] = where window value k lies relative to the window's first value in x.
inline void WindowOffsets(const ConvGeom& g, int* offs) {
  int k = 0;
  for (int fh = 0; fh < g.FH; ++fh)
    for (int fw = 0; fw < g.FW; ++fw)
      for (int c = 0; c < g.C; ++c) offs[k++] = ((fh * g.DH) * g.W + fw * g.DW) * g.C + c;
}

// The filter rows [fhLo, fhHi) that read inside the image for output row oh. Rows outside
// this range read only padding: the loops skip them rather than multiply zeros.
inline void ValidFilterRows(const ConvGeom& g, int oh, int& fhLo, int& fhHi) {
  const int ih0 = oh * g.SH - g.PT;
  fhLo = 0;
  while (fhLo < g.FH && ih0 + fhLo * g.DH < 0) ++fhLo;
  fhHi = g.FH;
  while (fhHi > fhLo && ih0 + (fhHi - 1) * g.DH >= g.H) --fhHi;
}

// Filter rows [fhLo, fhHi) of the window of output pixel (n, oh, ow) into win, zeros where
// the window hangs over the left or right padding.
inline void GatherWindow(const float* x, const ConvGeom& g, int n, int oh, int ow, int fhLo, int fhHi,
                         float* win) {
  const float* img = x + (size_t)n * g.H * g.W * g.C;
  const int ih0 = oh * g.SH - g.PT, iw0 = ow * g.SW - g.PL;
  int k = 0;
  for (int fh = fhLo; fh < fhHi; ++fh) {
    const int64_t rowOff = (int64_t)(ih0 + fh * g.DH) * g.W;
    for (int fw = 0; fw < g.FW; ++fw) {
      const int iw = iw0 + fw * g.DW;
      const bool inside = iw >= 0 && iw < g.W;
      const int64_t off = (rowOff + iw) * g.C;
      for (int c = 0; c < g.C; ++c) win[k++] = inside ? img[off + c] : 0.f;
    }
  }
}

// Address of x[n, oh * SH - PT + fhLo * DH, ow * SW - PL, 0]: where filter row fhLo of an
// interior column's window starts.
inline const float* RowStart(const float* x, const ConvGeom& g, int n, int oh, int fhLo, int ow) {
  return x + (((int64_t)n * g.H + (oh * g.SH - g.PT + fhLo * g.DH)) * g.W + (ow * g.SW - g.PL)) * g.C;
}

// ---- Forward ----

// y[i * ldy, +kLanes) = sum_k a[i * aStride + offs[k]] * w[k * ldw, +kLanes), for i < R.
template <int R>
inline void ForwardBlock(const float* a, int64_t aStride, const int* offs, int K, const float* w, int64_t ldw,
                         float* y, int64_t ldy) {
  Lanes acc[R] = {};
  for (int k = 0; k < K; ++k) {
    const Lanes wk = LoadLanes(w + k * ldw);
    const float* ak = a + offs[k];
    for (int i = 0; i < R; ++i) acc[i] += ak[i * aStride] * wk;
  }
  for (int i = 0; i < R; ++i) StoreLanes(y + i * ldy, acc[i]);
}

// ForwardBlock<m> for a run-time m in [1, R].
template <int R>
inline void ForwardBlockN(int m, const float* a, int64_t aStride, const int* offs, int K, const float* w,
                          int64_t ldw, float* y, int64_t ldy) {
  if constexpr (R > 1) {
    if (m < R) return ForwardBlockN<R - 1>(m, a, aStride, offs, K, w, ldw, y, ldy);
  }
  ForwardBlock<R>(a, aStride, offs, K, w, ldw, y, ldy);
}

// The HWIO filter as the forward loops read it: OC columns of K rows, plus the last
// OC % kLanes columns copied into a zero-padded K x kLanes panel (null when none).
struct ForwardFilter {
  const float* w;
  int OC;
  const float* tail;
  // The filter from window value k on.
  ForwardFilter From(int k) const {
    return ForwardFilter{w + (size_t)k * OC, OC, tail ? tail + (size_t)k * kLanes : nullptr};
  }
};

// Rows [0, m) of y (row stride OC) for m pixels whose window value k is a[i * aStride + offs[k]].
inline void ForwardRun(const float* a, int64_t aStride, const int* offs, int K, const ForwardFilter& f,
                       float* y, int m) {
  const int OC = f.OC, full = OC / kLanes * kLanes;
  for (int i0 = 0; i0 < m; i0 += kBlock) {
    const int r = std::min(kBlock, m - i0);
    const float* ai = a + i0 * aStride;
    float* yi = y + (size_t)i0 * OC;
    for (int o = 0; o < full; o += kLanes)
      ForwardBlockN<kBlock>(r, ai, aStride, offs, K, f.w + o, OC, yi + o, OC);
    if (full < OC) {
      alignas(64) float tmp[kBlock * kLanes];
      ForwardBlockN<kBlock>(r, ai, aStride, offs, K, f.tail, kLanes, tmp, kLanes);
      for (int i = 0; i < r; ++i)
        std::memcpy(yi + (size_t)i * OC + full, tmp + i * kLanes, (OC - full) * sizeof(float));
    }
  }
}

// Buffers of a forward call: window offsets, the identity offsets of gathered windows and
// the filter's zero-padded tail panel (read-only, shared by all threads of the call), and
// room for kBlock gathered windows (one per thread, from WithWindows).
struct ForwardScratch {
  const int* offs;
  const int* identity;
  ForwardFilter filter;
  float* win;
};

// Scratch slots: 0 (offsets) and 1 (tail panel, windows) here; the caller owns the others.
inline ForwardScratch PrepareForward(const float* w, const ConvGeom& g) {
  const int K = (int)WindowSize(g), OC = g.OC, full = OC / kLanes * kLanes;
  int* offs = Scratch<int, 0>(2 * (size_t)K);
  WindowOffsets(g, offs);
  for (int k = 0; k < K; ++k) offs[K + k] = k;
  float* tail = nullptr;
  if (full < OC) {
    tail = Scratch<float, 1>((size_t)K * kLanes);
    for (int k = 0; k < K; ++k)
      for (int j = 0; j < kLanes; ++j)
        tail[(size_t)k * kLanes + j] = full + j < OC ? w[(size_t)k * OC + full + j] : 0.f;
  }
  return ForwardScratch{offs, offs + K, ForwardFilter{w, OC, tail}, nullptr};
}

// Buffers for ForwardRun over a plain matrix product: rows of `inner` values (offsets
// `identity`) times a filter `wt` of `inner` rows and `cols` columns.
inline ForwardScratch PrepareTransposed(const float* wt, int inner, int cols, const int* identity) {
  const int full = cols / kLanes * kLanes;
  float* tail = nullptr;
  if (full < cols) {
    tail = Scratch<float, 1>((size_t)inner * kLanes);
    for (int k = 0; k < inner; ++k)
      for (int j = 0; j < kLanes; ++j)
        tail[(size_t)k * kLanes + j] = full + j < cols ? wt[(size_t)k * cols + full + j] : 0.f;
  }
  return ForwardScratch{identity, identity, ForwardFilter{wt, cols, tail}, nullptr};
}

// The call's buffers with the calling thread's own room for gathered windows.
inline ForwardScratch WithWindows(const ForwardScratch& shared, const ConvGeom& g) {
  ForwardScratch s = shared;
  s.win = Scratch<float, 4>((size_t)kBlock * WindowSize(g));
  return s;
}

// Output row (n, oh) of the conv (no bias, no activation) into yRow (OW x OC). The offsets
// of WindowOffsets for k < K' also serve a window cut to filter rows [fhLo, fhHi) (K' values).
inline void DirectForwardRow(const float* x, const ConvGeom& g, const ForwardScratch& s, int n, int oh,
                             float* yRow) {
  const int OC = g.OC, span = g.FW * g.C;
  int fhLo, fhHi, lo, hi;
  ValidFilterRows(g, oh, fhLo, fhHi);
  if (fhLo == fhHi) {  // every window of the row lies in the padding
    std::memset(yRow, 0, (size_t)g.OW * OC * sizeof(float));
    return;
  }
  const int K = (fhHi - fhLo) * span;
  const ForwardFilter f = s.filter.From(fhLo * span);
  InteriorRange(g.OW, g.W, g.FW, g.SW, g.PL, g.DW, lo, hi);
  auto gathered = [&](int begin, int end) {
    for (int ow = begin; ow < end; ow += kBlock) {
      const int m = std::min(kBlock, end - ow);
      for (int i = 0; i < m; ++i) GatherWindow(x, g, n, oh, ow + i, fhLo, fhHi, s.win + (size_t)i * K);
      ForwardRun(s.win, K, s.identity, K, f, yRow + (size_t)ow * OC, m);
    }
  };
  gathered(0, lo);
  if (hi > lo)
    ForwardRun(RowStart(x, g, n, oh, fhLo, lo), (int64_t)g.SW * g.C, s.offs, K, f, yRow + (size_t)lo * OC,
               hi - lo);
  gathered(hi, g.OW);
}

// ---- Filter gradient ----

// Pixels whose outer products one register block sums before adding them into dw: short
// float sums, and a bound on the zero-padded copy of dy's last channels.
constexpr int kRegionPixels = 64;
// Floats of gathered windows (border pixels) per batch.
constexpr int kGatherFloats = 16 * 1024;

// A set of nr x nc pixels: pixel (j, i) has window value k at a[j * aRowStride + i * aStride +
// offs[k]] and its dy row at dy[j * dyRowStride + i * ldDy].
struct GradRegion {
  const float* a;
  int64_t aStride, aRowStride;
  const int* offs;
  const float* dy;
  int64_t ldDy, dyRowStride;
  int nr, nc;
};

// dw[kk * ldw, +kLanes) += sum over the region of window value offs[kk] times dy, kk < KB.
// Contiguous: offs[kk] = offs[0] + kk (a run of channels), so no offsets are held in registers.
template <int KB, bool Contiguous>
inline void FilterGradBlock(const GradRegion& r, const int* offs, const float* dy, float* dw, int64_t ldw) {
  int off[KB];
  for (int kk = 0; kk < KB; ++kk) off[kk] = Contiguous ? offs[0] + kk : offs[kk];
  Lanes acc[KB] = {};
  for (int j = 0; j < r.nr; ++j) {
    const float* ar = r.a + j * r.aRowStride;
    const float* dr = dy + j * r.dyRowStride;
    for (int i = 0; i < r.nc; ++i) {
      const Lanes d = LoadLanes(dr + i * r.ldDy);
      const float* ap = ar + i * r.aStride;
      if (Contiguous) {
        const float* run = ap + off[0];
        for (int kk = 0; kk < KB; ++kk) acc[kk] += run[kk] * d;
      } else {
        for (int kk = 0; kk < KB; ++kk) acc[kk] += ap[off[kk]] * d;
      }
    }
  }
  for (int kk = 0; kk < KB; ++kk) StoreLanes(dw + kk * ldw, LoadLanes(dw + kk * ldw) + acc[kk]);
}

// FilterGradBlock<m> for a run-time m in [1, KB].
template <int KB, bool Contiguous>
inline void FilterGradBlockN(int m, const GradRegion& r, const int* offs, const float* dy, float* dw,
                             int64_t ldw) {
  if constexpr (KB > 1) {
    if (m < KB) return FilterGradBlockN<KB - 1, Contiguous>(m, r, offs, dy, dw, ldw);
  }
  FilterGradBlock<KB, Contiguous>(r, offs, dy, dw, ldw);
}

// dw[K, ldw] += the region's outer products over channels [0, channels), a multiple of kLanes.
// With runs of at least kGradBlock channels, blocks stay inside one run (one filter tap).
inline void FilterGradColumns(const GradRegion& r, int K, int run, int channels, float* dw, int64_t ldw) {
  for (int o = 0; o < channels; o += kLanes) {
    for (int k = 0; k < K;) {
      const int m = std::min(kGradBlock, run >= kGradBlock ? run - k % run : K - k);
      const int* offs = r.offs + k;
      float* out = dw + k * ldw + o;
      if (offs[m - 1] - offs[0] == m - 1)
        FilterGradBlockN<kGradBlock, true>(m, r, offs, r.dy + o, out, ldw);
      else
        FilterGradBlockN<kGradBlock, false>(m, r, offs, r.dy + o, out, ldw);
      k += m;
    }
  }
}

// Buffers of a filter-gradient call: offsets as for the forward conv (shared by all threads
// of the call), and per thread (from WithGradBuffers) room for gathered windows (winFloats
// floats) and zero-padded copies of dy's and dw's last OC % kLanes channels.
struct GradScratch {
  const int* offs;
  const int* identity;
  float* wins;
  size_t winFloats;
  float* tailDy;
  float* tailDw;
};

inline GradScratch PrepareFilterGrad(const ConvGeom& g) {
  const int K = (int)WindowSize(g);
  int* offs = Scratch<int, 0>(2 * (size_t)K);
  WindowOffsets(g, offs);
  for (int k = 0; k < K; ++k) offs[K + k] = k;
  return GradScratch{offs, offs + K, nullptr, std::max<size_t>(kGatherFloats, K), nullptr, nullptr};
}

// The call's buffers with the calling thread's own gather and tail buffers.
inline GradScratch WithGradBuffers(const GradScratch& shared, const ConvGeom& g) {
  const size_t K = WindowSize(g);
  GradScratch s = shared;
  s.wins = Scratch<float, 1>(s.winFloats + (size_t)kRegionPixels * kLanes + K * kLanes);
  s.tailDy = s.wins + s.winFloats;
  s.tailDw = s.tailDy + (size_t)kRegionPixels * kLanes;
  return s;
}

// dw[K, OC] += the region's outer products over all OC channels (at most kRegionPixels pixels),
// for windows of K values.
inline void FilterGradRegion(const GradRegion& r, int K, const ConvGeom& g, const GradScratch& s, float* dw) {
  const int OC = g.OC, full = OC / kLanes * kLanes;
  // Gathered windows are one contiguous run; windows in x, runs of C channels.
  const int run = r.offs == s.identity ? K : g.C;
  FilterGradColumns(r, K, run, full, dw, OC);
  if (full == OC) return;
  // The last channels through zero-padded copies, so the loops above need no masks.
  const int rem = OC - full;
  for (int j = 0; j < r.nr; ++j)
    for (int i = 0; i < r.nc; ++i) {
      float* d = s.tailDy + ((size_t)j * r.nc + i) * kLanes;
      const float* src = r.dy + j * r.dyRowStride + i * r.ldDy + full;
      for (int c = 0; c < kLanes; ++c) d[c] = c < rem ? src[c] : 0.f;
    }
  std::memset(s.tailDw, 0, (size_t)K * kLanes * sizeof(float));
  GradRegion t = r;
  t.dy = s.tailDy;
  t.ldDy = kLanes;
  t.dyRowStride = (int64_t)r.nc * kLanes;
  FilterGradColumns(t, K, run, kLanes, s.tailDw, kLanes);
  for (int k = 0; k < K; ++k)
    for (int c = 0; c < rem; ++c) dw[(size_t)k * OC + full + c] += s.tailDw[(size_t)k * kLanes + c];
}

// dw[K, OC] += the filter gradient of image n.
inline void DirectFilterGradImage(const float* x, const float* dy, const ConvGeom& g, const GradScratch& s,
                                  int n, float* dw) {
  const int OC = g.OC, span = g.FW * g.C;
  int rowLo, rowHi, lo, hi;
  InteriorRange(g.OH, g.H, g.FH, g.SH, g.PT, g.DH, rowLo, rowHi);
  InteriorRange(g.OW, g.W, g.FW, g.SW, g.PL, g.DW, lo, hi);
  const float* dyImg = dy + (size_t)n * g.OH * g.OW * OC;
  const int cols = std::max(1, std::min(hi - lo, kRegionPixels));
  // Interior columns of rows [oh0, oh0 + nr) with filter rows [fhLo, fhHi), straight from x,
  // in regions of at most kRegionPixels pixels.
  auto direct = [&](int oh0, int nr, int fhLo, int fhHi) {
    const int K = (fhHi - fhLo) * span;
    for (int ow = lo; ow < hi; ow += cols) {
      const GradRegion r{RowStart(x, g, n, oh0, fhLo, ow),
                         (int64_t)g.SW * g.C,
                         (int64_t)g.SH * g.W * g.C,
                         s.offs,
                         dyImg + ((size_t)oh0 * g.OW + ow) * OC,
                         OC,
                         (int64_t)g.OW * OC,
                         nr,
                         std::min(cols, hi - ow)};
      FilterGradRegion(r, K, g, s, dw + (size_t)fhLo * span * OC);
    }
  };
  if (hi > lo) {
    const int band = std::max(1, kRegionPixels / cols);
    for (int oh = rowLo; oh < rowHi; oh += band) direct(oh, std::min(band, rowHi - oh), 0, g.FH);
  }
  for (int oh = 0; oh < g.OH; ++oh) {
    int fhLo, fhHi;
    ValidFilterRows(g, oh, fhLo, fhHi);
    if (fhLo == fhHi) continue;  // every window of the row lies in the padding
    if ((oh < rowLo || oh >= rowHi) && hi > lo) direct(oh, 1, fhLo, fhHi);
    // The columns left and right of the interior, gathered.
    const int K = (fhHi - fhLo) * span;
    const int gatherRows = std::max(1, std::min<int>(kRegionPixels, s.winFloats / K));
    const int spans[2][2] = {{0, lo}, {hi, g.OW}};
    for (const auto& sp : spans) {
      for (int ow = sp[0]; ow < sp[1]; ow += gatherRows) {
        const int m = std::min(gatherRows, sp[1] - ow);
        for (int i = 0; i < m; ++i) GatherWindow(x, g, n, oh, ow + i, fhLo, fhHi, s.wins + (size_t)i * K);
        const GradRegion r{s.wins, K, 0, s.identity, dyImg + ((size_t)oh * g.OW + ow) * OC, OC, 0, 1, m};
        FilterGradRegion(r, K, g, s, dw + (size_t)fhLo * span * OC);
      }
    }
  }
}

}  // namespace conv
}  // namespace unforget
