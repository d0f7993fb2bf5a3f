// Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter: NHWC, float32.
//
// Two formulations. The im2col matrix `cols` has one row per output pixel p holding the
// K = FH*FW*C input values under its window (zeros over the padding) in the filter's
// (fh, fw, c) order, so that with the HWIO filter viewed as a [K, OC] matrix W:
//   forward          y[P, OC]    = cols[P, K] @ W
//   backprop filter  dW[K, OC]   = cols^T @ dy[P, OC]
//   backprop input   dcols[P, K] = dy @ W^T, each row added back under its window (col2im)
// where P = N*OH*OW. The forward conv and the filter gradient run either as register-blocked
// loops that read the windows straight from x (conv-direct.h), or as im2col + GEMM over
// chunks of pixels whose cols live in one persistent scratch buffer (a fresh multi-MB buffer
// per call costs more than the GEMM, and a chunk that stays in cache between im2col and GEMM
// is faster than one pass over all of P). The input gradient is always GEMM + col2im.
#include <algorithm>
#include <cstring>

#include "common.h"
#include "conv-direct.h"
#include "parallel.h"
#include "gemm.h"
#include "scratch.h"

namespace unforget {
namespace {

using conv::WindowSize;

// Floats of im2col scratch per chunk (1 MiB): small enough to stay in L2 between the
// im2col and the GEMM that reads it, big enough that the GEMM is not call-bound.
constexpr int64_t kChunkFloats = 256 * 1024;
// Fewest rows per chunk, so that very wide rows (large K) still give the GEMM a real M.
constexpr int64_t kMinChunkRows = 64;
// Windows of up to this many values (FH*FW*C) always run the direct loops: im2col and the
// GEMM's packing cost more than the arithmetic.
constexpr int64_t kSmallWindow = 32;
// Larger windows run the direct loops while the filter fits in L2 (the loops stream it once
// per block of pixels). With AVX-512 they beat OpenBLAS by ~20% on a 3x3x32->64 conv; with
// 8-float vectors they were measured slower, so there only small windows run them.
#if defined(__AVX512F__)
constexpr int64_t kDirectMaxFilterFloats = 128 * 1024;
#else
constexpr int64_t kDirectMaxFilterFloats = 0;
#endif
// Below this many multiply-adds a call runs on one thread: waking workers costs more.
constexpr int64_t kParallelMinMacs = 1 << 20;
constexpr int kMaxThreads = 64;

bool UseDirect(const ConvGeom& g) {
  const int64_t K = WindowSize(g);
  return K <= kSmallWindow || K * g.OC <= kDirectMaxFilterFloats;
}

// Threads for the direct loops: as many as the GEMM uses (the user's setting), at most
// `parts` (the units the work splits into).
int DirectThreads(const ConvGeom& g, int64_t parts) {
  const int64_t macs = (int64_t)g.N * g.OH * g.OW * WindowSize(g) * g.OC;
  if (macs < kParallelMinMacs) return 1;
  return (int)std::max<int64_t>(1, std::min<int64_t>({GetGemmThreads(), kMaxThreads, parts}));
}

// Scratch slots: 0, 1 and 4 belong to the direct loops (offsets, tail panel and gathered
// windows), 2 holds the im2col chunk, 3 and 5 the filter gradient's partial sums, 6 the input
// gradient's transposed filter.
float* ColsScratch(size_t n) { return Scratch<float, 2>(n); }

// The (image, row, column) of output pixel p, advanced in row-major order.
struct Pixel {
  int n, oh, ow;
};
inline Pixel PixelAt(const ConvGeom& g, int64_t p) {
  const int64_t per = (int64_t)g.OH * g.OW;
  const int64_t r = p % per;
  return Pixel{(int)(p / per), (int)(r / g.OW), (int)(r % g.OW)};
}
inline void Advance(const ConvGeom& g, Pixel& q) {
  if (++q.ow < g.OW) return;
  q.ow = 0;
  if (++q.oh < g.OH) return;
  q.oh = 0;
  ++q.n;
}

inline int64_t Pixels(const ConvGeom& g) { return (int64_t)g.N * g.OH * g.OW; }

// Rows per chunk of a cols matrix with rows of k floats.
inline int64_t ChunkRows(int64_t k, int64_t total) {
  return std::min(total, std::max(kMinChunkRows, kChunkFloats / std::max<int64_t>(k, 1)));
}

// True when the input, as a [P, K] matrix, already is the im2col matrix: a 1x1 filter at
// stride 1 without padding (pointwise), or a window covering the whole unpadded image.
bool InputIsCols(const ConvGeom& g) {
  const bool pointwise = g.FH == 1 && g.FW == 1 && g.SH == 1 && g.SW == 1 && g.PT == 0 && g.PL == 0 &&
                         g.OH == g.H && g.OW == g.W;
  const bool wholeImage = g.OH == 1 && g.OW == 1 && g.FH == g.H && g.FW == g.W && g.PT == 0 && g.PL == 0 &&
                          (g.FH == 1 || g.DH == 1) && (g.FW == 1 || g.DW == 1);
  return pointwise || wholeImage;
}

// Rows [p0, p0 + rows) of the im2col matrix of x.
void Im2Col(const float* x, const ConvGeom& g, int64_t p0, int64_t rows, float* cols) {
  const int C = g.C;
  const int64_t K = WindowSize(g);
  const size_t span = (size_t)g.FW * C;  // one filter row's worth of cols
  Pixel q = PixelAt(g, p0);
  for (int64_t r = 0; r < rows; ++r, Advance(g, q)) {
    float* dst = cols + r * K;
    const float* img = x + (size_t)q.n * g.H * g.W * C;
    const int ih0 = q.oh * g.SH - g.PT, iw0 = q.ow * g.SW - g.PL;
    // With no dilation and the window inside the image's width, a filter row is one run.
    const bool contiguous = g.DW == 1 && iw0 >= 0 && iw0 + g.FW <= g.W;
    for (int fh = 0; fh < g.FH; ++fh, dst += span) {
      const int ih = ih0 + fh * g.DH;
      if (ih < 0 || ih >= g.H) {
        std::memset(dst, 0, span * sizeof(float));
        continue;
      }
      const float* src = img + (size_t)ih * g.W * C;
      if (contiguous) {
        std::memcpy(dst, src + (size_t)iw0 * C, span * sizeof(float));
        continue;
      }
      for (int fw = 0; fw < g.FW; ++fw) {
        const int iw = iw0 + fw * g.DW;
        if (iw < 0 || iw >= g.W)
          std::memset(dst + (size_t)fw * C, 0, C * sizeof(float));
        else
          std::memcpy(dst + (size_t)fw * C, src + (size_t)iw * C, C * sizeof(float));
      }
    }
  }
}

// dx += col2im(rows [p0, p0 + rows) of dcols): each value goes back where im2col took it.
void Col2ImAdd(const float* dcols, const ConvGeom& g, int64_t p0, int64_t rows, float* dx) {
  const int C = g.C;
  const int64_t K = WindowSize(g);
  Pixel q = PixelAt(g, p0);
  for (int64_t r = 0; r < rows; ++r, Advance(g, q)) {
    const float* src = dcols + r * K;
    float* img = dx + (size_t)q.n * g.H * g.W * C;
    const int ih0 = q.oh * g.SH - g.PT, iw0 = q.ow * g.SW - g.PL;
    for (int fh = 0; fh < g.FH; ++fh) {
      const int ih = ih0 + fh * g.DH;
      if (ih < 0 || ih >= g.H) continue;
      for (int fw = 0; fw < g.FW; ++fw) {
        const int iw = iw0 + fw * g.DW;
        if (iw < 0 || iw >= g.W) continue;
        float* d = img + ((size_t)ih * g.W + iw) * C;
        const float* s = src + ((size_t)fh * g.FW + fw) * C;
#pragma omp simd
        for (int c = 0; c < C; ++c) d[c] += s[c];
      }
    }
  }
}

// y = act(y + bias) over `rows` rows of OC.
void Epilogue(float* y, int64_t rows, int OC, const float* bias, int act, float alpha) {
  if (bias) {
    for (int64_t r = 0; r < rows; ++r) {
      float* yr = y + r * OC;
#pragma omp simd
      for (int o = 0; o < OC; ++o) yr[o] += bias[o];
    }
  }
  ApplyActivation(y, (size_t)rows * OC, act, alpha);
}

void ConvForward(const float* x, const float* w, float* y, const ConvGeom& g, const float* bias, int act,
                 float alpha) {
  const int64_t P = Pixels(g), K = WindowSize(g);
  const int OC = g.OC;
  if (P == 0 || OC == 0) return;
  if (K == 0) {
    std::memset(y, 0, (size_t)P * OC * sizeof(float));
    Epilogue(y, P, OC, bias, act, alpha);
    return;
  }
  if (InputIsCols(g)) {
    Sgemm(false, false, (int)P, OC, (int)K, 1.f, x, (int)K, w, OC, 0.f, y, OC);
    Epilogue(y, P, OC, bias, act, alpha);
    return;
  }
  if (UseDirect(g)) {
    const conv::ForwardScratch shared = conv::PrepareForward(w, g);
    const int64_t rows = (int64_t)g.N * g.OH;
    const int threads = DirectThreads(g, rows);
    parallel::RunParallel(threads, [&](int t) {
      const conv::ForwardScratch s = conv::WithWindows(shared, g);
      int64_t r0, r1;
      parallel::Share(rows, threads, t, r0, r1);
      for (int64_t r = r0; r < r1; ++r) {
        float* yRow = y + r * g.OW * OC;
        conv::DirectForwardRow(x, g, s, (int)(r / g.OH), (int)(r % g.OH), yRow);
        Epilogue(yRow, g.OW, OC, bias, act, alpha);
      }
    });
    return;
  }
  const int64_t chunk = ChunkRows(K, P);
  float* cols = ColsScratch((size_t)chunk * K);
  for (int64_t p0 = 0; p0 < P; p0 += chunk) {
    const int64_t rows = std::min(chunk, P - p0);
    float* yc = y + p0 * OC;
    Im2Col(x, g, p0, rows, cols);
    Sgemm(false, false, (int)rows, OC, (int)K, 1.f, cols, (int)K, w, OC, 0.f, yc, OC);
    Epilogue(yc, rows, OC, bias, act, alpha);
  }
}

void ConvBackpropInput(const float* dy, const float* w, float* dx, const ConvGeom& g) {
  const int64_t P = Pixels(g), K = WindowSize(g);
  const size_t dxLen = (size_t)g.N * g.H * g.W * g.C;
  if (dxLen == 0) return;
  if (P == 0 || K == 0 || g.OC == 0) {
    std::memset(dx, 0, dxLen * sizeof(float));
    return;
  }
  if (InputIsCols(g)) {
    Sgemm(false, true, (int)P, (int)K, g.OC, 1.f, dy, g.OC, w, g.OC, 0.f, dx, (int)K);
    return;
  }
  if (UseDirect(g)) {
    // dcols = dy @ W^T through the direct loops' register blocks (dy's rows as windows of OC
    // values, W^T as a filter with K output columns), one output row at a time, each added
    // back under its windows while in cache. Threads take whole images, whose dx do not
    // overlap. (Computing a stride-1 input gradient instead as a conv of the padded dy with
    // the flipped filter measured 5.0 ms against 3.3 ms for GEMM + col2im on the benchmark's
    // 3x3x32->64 layer: its 13-pixel rows make short register blocks, and the padding adds
    // 40% of zero products.)
    const int OC = g.OC;
    int* identity = Scratch<int, 6>(OC);
    for (int o = 0; o < OC; ++o) identity[o] = o;
    float* wt = Scratch<float, 6>((size_t)OC * K);
    for (int64_t k = 0; k < K; ++k)
      for (int o = 0; o < OC; ++o) wt[(size_t)o * K + k] = w[(size_t)k * OC + o];
    const conv::ForwardScratch shared = conv::PrepareTransposed(wt, OC, (int)K, identity);
    const int threads = DirectThreads(g, g.N);
    const int64_t chunk = ChunkRows(K, g.OW);
    parallel::RunParallel(threads, [&](int t) {
      int64_t n0, n1;
      parallel::Share(g.N, threads, t, n0, n1);
      const size_t imageLen = (size_t)g.H * g.W * g.C;
      std::memset(dx + n0 * imageLen, 0, (n1 - n0) * imageLen * sizeof(float));
      float* dcols = ColsScratch((size_t)chunk * K);
      for (int64_t p = n0 * g.OH * g.OW; p < n1 * g.OH * g.OW; p += g.OW) {  // output rows
        for (int64_t ow = 0; ow < g.OW; ow += chunk) {
          const int m = (int)std::min<int64_t>(chunk, g.OW - ow);
          conv::ForwardRun(dy + (p + ow) * OC, OC, identity, OC, shared.filter, dcols, m);
          Col2ImAdd(dcols, g, p + ow, m, dx);
        }
      }
    });
    return;
  }
  // Pixels no window touches (strides larger than the filter) keep their zero.
  std::memset(dx, 0, dxLen * sizeof(float));
  const int64_t chunk = ChunkRows(K, P);
  float* dcols = ColsScratch((size_t)chunk * K);
  for (int64_t p0 = 0; p0 < P; p0 += chunk) {
    const int64_t rows = std::min(chunk, P - p0);
    Sgemm(false, true, (int)rows, (int)K, g.OC, 1.f, dy + p0 * g.OC, g.OC, w, g.OC, 0.f, dcols, (int)K);
    Col2ImAdd(dcols, g, p0, rows, dx);
  }
}

void ConvBackpropFilter(const float* x, const float* dy, float* dw, const ConvGeom& g) {
  const int64_t P = Pixels(g), K = WindowSize(g);
  const int OC = g.OC;
  const size_t dwLen = (size_t)K * OC;
  if (dwLen == 0) return;
  if (P == 0) {
    std::memset(dw, 0, dwLen * sizeof(float));
    return;
  }
  if (InputIsCols(g)) {
    Sgemm(true, false, (int)K, OC, (int)P, 1.f, x, (int)K, dy, OC, 0.f, dw, OC);
    return;
  }
  if (UseDirect(g)) {
    // Sums in three levels (runs of at most conv::kRegionPixels pixels, groups of images of
    // about kGroupPixels pixels, the batch) so that no float sum runs over all of P, which
    // loses digits when P is large.
    // With several threads, each sums its share of the images and the shares are added in
    // thread order: the same result for the same thread count.
    constexpr int64_t kGroupPixels = 2048;
    const int64_t perImage = std::max<int64_t>(1, (int64_t)g.OH * g.OW);
    const int groupImages = (int)std::max<int64_t>(1, kGroupPixels / perImage);
    const conv::GradScratch shared = conv::PrepareFilterGrad(g);
    const int threads = DirectThreads(g, g.N);
    float* sums[kMaxThreads];
    parallel::RunParallel(threads, [&](int t) {
      const conv::GradScratch s = conv::WithGradBuffers(shared, g);
      float* sum = t == 0 ? dw : Scratch<float, 5>(dwLen);
      float* group = Scratch<float, 3>(dwLen);
      std::memset(sum, 0, dwLen * sizeof(float));
      int64_t i0, i1;
      parallel::Share(g.N, threads, t, i0, i1);
      for (int64_t n0 = i0; n0 < i1; n0 += groupImages) {
        std::memset(group, 0, dwLen * sizeof(float));
        const int64_t n1 = std::min(i1, n0 + groupImages);
        for (int64_t n = n0; n < n1; ++n) conv::DirectFilterGradImage(x, dy, g, s, (int)n, group);
#pragma omp simd
        for (size_t i = 0; i < dwLen; ++i) sum[i] += group[i];
      }
      sums[t] = sum;
    });
    for (int t = 1; t < threads; ++t) {
      const float* sum = sums[t];
#pragma omp simd
      for (size_t i = 0; i < dwLen; ++i) dw[i] += sum[i];
    }
    return;
  }
  const int64_t chunk = ChunkRows(K, P);
  float* cols = ColsScratch((size_t)chunk * K);
  for (int64_t p0 = 0; p0 < P; p0 += chunk) {
    const int64_t rows = std::min(chunk, P - p0);
    Im2Col(x, g, p0, rows, cols);
    Sgemm(true, false, (int)K, OC, (int)rows, 1.f, cols, (int)K, dy + p0 * OC, OC, p0 == 0 ? 0.f : 1.f, dw,
          OC);
  }
}

// conv2d(x, filter, y, geom, bias | null, activation, alpha): y = act(conv(x, filter) + bias).
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  ConvForward(F32(info[0]), F32(info[1]), F32(info[2]), Geom(info[3]), OptF32(info[4]), I32(info[5]),
              (float)F64(info[6]));
  return info.Env().Undefined();
}

// conv2dBackpropInput(dy, filter, dx, geom): dx = d(sum(conv(x, filter) * dy)) / dx.
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info) {
  ConvBackpropInput(F32(info[0]), F32(info[1]), F32(info[2]), Geom(info[3]));
  return info.Env().Undefined();
}

// conv2dBackpropFilter(x, dy, dw, geom): dw = d(sum(conv(x, filter) * dy)) / dfilter.
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info) {
  ConvBackpropFilter(F32(info[0]), F32(info[1]), F32(info[2]), Geom(info[3]));
  return info.Env().Undefined();
}

}  // namespace

void RegisterConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2D));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2DBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2DBackpropFilter));
}

}  // namespace unforget
