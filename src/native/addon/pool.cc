// MaxPool, AvgPool and their gradients: NHWC, float32, with the semantics of the tfjs cpu
// kernels (tfjs-backend-cpu utils/pool_utils): a max ignores NaN and keeps the first
// maximum of its window (row-major scan), an average divides by the number of in-image
// positions of its window, and the average's gradient divides by the full filter size.
// Every loop runs over the channels innermost, which are contiguous in NHWC. Threads (as
// many as the GEMM uses) take whole images.
#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>

#include "common.h"
#include "scratch.h"
#include "parallel.h"
#include "gemm.h"

namespace unforget {
namespace {

// Calls `visit(tap, inputPixelOffset)` for each window position of output pixel (n, oh, ow)
// that lies inside the image; tap = fh * FW + fw and the offset counts floats into x.
template <typename Visit>
inline void ForEachTap(const ConvGeom& g, int n, int oh, int ow, Visit visit) {
  const int ih0 = oh * g.SH - g.PT, iw0 = ow * g.SW - g.PL;
  for (int fh = 0; fh < g.FH; ++fh) {
    const int ih = ih0 + fh * g.DH;
    if (ih < 0 || ih >= g.H) continue;
    for (int fw = 0; fw < g.FW; ++fw) {
      const int iw = iw0 + fw * g.DW;
      if (iw < 0 || iw >= g.W) continue;
      visit(fh * g.FW + fw, (((size_t)n * g.H + ih) * g.W + iw) * g.C);
    }
  }
}

// Calls `body(n, oh, ow, p)` for every output pixel p of images [n0, n1) in order.
template <typename Body>
inline void ForEachPixel(const ConvGeom& g, int n0, int n1, Body body) {
  size_t p = (size_t)n0 * g.OH * g.OW;
  for (int n = n0; n < n1; ++n)
    for (int oh = 0; oh < g.OH; ++oh)
      for (int ow = 0; ow < g.OW; ++ow) body(n, oh, ow, p++);
}

// Below this many window values visited a call runs on one thread: waking workers costs more.
constexpr int64_t kParallelMinWork = 1 << 18;

// Runs kernel(n0, n1) over shares of the images, on as many threads as the GEMM uses.
template <typename Kernel>
void ByImages(const ConvGeom& g, Kernel kernel) {
  const int64_t work = (int64_t)g.N * g.OH * g.OW * g.FH * g.FW * g.C;
  const int threads =
      work < kParallelMinWork ? 1 : (int)std::max<int64_t>(1, std::min<int64_t>({GetGemmThreads(), g.N, 64}));
  parallel::RunParallel(threads, [&](int t) {
    int64_t n0, n1;
    parallel::Share(g.N, threads, t, n0, n1);
    kernel((int)n0, (int)n1);
  });
}


void MaxPoolForward(const float* x, float* y, const ConvGeom& g, int n0, int n1) {
  const int C = g.C;
  ForEachPixel(g, n0, n1, [&](int n, int oh, int ow, size_t p) {
    float* yr = y + p * C;
    for (int c = 0; c < C; ++c) yr[c] = -std::numeric_limits<float>::infinity();
    ForEachTap(g, n, oh, ow, [&](int, size_t off) {
      const float* xp = x + off;
      // `>` and not std::max: a NaN never replaces the running max, as in tfjs.
#pragma omp simd
      for (int c = 0; c < C; ++c) yr[c] = xp[c] > yr[c] ? xp[c] : yr[c];
    });
  });
}

void AvgPoolForward(const float* x, float* y, const ConvGeom& g, int n0, int n1) {
  const int C = g.C;
  ForEachPixel(g, n0, n1, [&](int n, int oh, int ow, size_t p) {
    float* yr = y + p * C;
    std::memset(yr, 0, C * sizeof(float));
    int count = 0;
    ForEachTap(g, n, oh, ow, [&](int, size_t off) {
      const float* xp = x + off;
#pragma omp simd
      for (int c = 0; c < C; ++c) yr[c] += xp[c];
      ++count;
    });
    // Padding is not counted; a window wholly in the padding gives 0 / 0 = NaN, as in tfjs.
    const float cnt = (float)count;
#pragma omp simd
    for (int c = 0; c < C; ++c) yr[c] /= cnt;
  });
}

// Whether no two windows share an input position (stride >= filter, no dilation): the
// gradients then store each position once instead of adding into a zeroed dx.
bool Disjoint(const ConvGeom& g) { return g.SH >= g.FH && g.SW >= g.FW && g.DH == 1 && g.DW == 1; }

// Whether input position i (along one axis) lies in a window, for disjoint windows.
inline bool Covered(int i, int pad, int stride, int filter, int out) {
  const int j = i + pad;
  return j >= 0 && j / stride < out && j % stride < filter;
}

// Prepares images [n0, n1) of dx for a gradient: zeros everywhere, or, for disjoint windows,
// zeros only where no window reads (the gradient stores every other position).
void ZeroGradient(float* dx, const ConvGeom& g, bool disjoint, int n0, int n1) {
  const size_t rowLen = (size_t)g.W * g.C;
  if (!disjoint) {
    std::memset(dx + (size_t)n0 * g.H * rowLen, 0, (size_t)(n1 - n0) * g.H * rowLen * sizeof(float));
    return;
  }
  for (int n = n0; n < n1; ++n) {
    for (int ih = 0; ih < g.H; ++ih) {
      float* row = dx + ((size_t)n * g.H + ih) * rowLen;
      if (!Covered(ih, g.PT, g.SH, g.FH, g.OH)) {
        std::memset(row, 0, rowLen * sizeof(float));
        continue;
      }
      for (int iw = 0; iw < g.W; ++iw)
        if (!Covered(iw, g.PL, g.SW, g.FW, g.OW)) std::memset(row + (size_t)iw * g.C, 0, g.C * sizeof(float));
    }
  }
}

// dx[i] = sum of dy over the windows whose (first) maximum is x[i]. Two passes over each
// window: its max, then the first position holding it, after which the max is set to NaN
// (equal to nothing) so that no later tie takes it too. A max of -Infinity is NaN from the
// start: in tfjs's scan no value then beat the initial -Infinity and none takes the
// gradient. Each pixel of an output row keeps its max in its own slot of the row's scratch:
// one slot reused by every pixel chains all pixels through store-to-load forwarding (and
// tracking the argmax in one pass made the compiler branch on data-dependent masks).
void MaxPoolBackward(const float* dy, const float* x, float* dx, const ConvGeom& g, int n0, int n1) {
  const int C = g.C;
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  const bool disjoint = Disjoint(g);
  ZeroGradient(dx, g, disjoint, n0, n1);
  float* bestRow = Scratch<float, 7>((size_t)g.OW * C);  // the max gradient's running maxima
  ForEachPixel(g, n0, n1, [&](int n, int oh, int ow, size_t p) {
    float* best = bestRow + (size_t)ow * C;
    for (int c = 0; c < C; ++c) best[c] = kNegInf;
    ForEachTap(g, n, oh, ow, [&](int, size_t off) {
      const float* xp = x + off;
#pragma omp simd
      for (int c = 0; c < C; ++c) best[c] = xp[c] > best[c] ? xp[c] : best[c];
    });
#pragma omp simd
    for (int c = 0; c < C; ++c) best[c] = best[c] == kNegInf ? kNaN : best[c];
    const float* dyr = dy + p * C;
    ForEachTap(g, n, oh, ow, [&](int, size_t off) {
      const float* xp = x + off;
      float* dxp = dx + off;
      if (disjoint) {
#pragma omp simd
        for (int c = 0; c < C; ++c) {
          const bool hit = xp[c] == best[c];
          dxp[c] = hit ? dyr[c] : 0.f;
          best[c] = hit ? kNaN : best[c];
        }
      } else {
#pragma omp simd
        for (int c = 0; c < C; ++c) {
          const bool hit = xp[c] == best[c];
          dxp[c] += hit ? dyr[c] : 0.f;
          best[c] = hit ? kNaN : best[c];
        }
      }
    });
  });
}

// dx[i] = sum over the windows holding x[i] of dy / (FH * FW).
void AvgPoolBackward(const float* dy, float* dx, const ConvGeom& g, int n0, int n1) {
  const int C = g.C;
  const bool disjoint = Disjoint(g);
  ZeroGradient(dx, g, disjoint, n0, n1);
  const float scale = (float)(1.0 / ((double)g.FH * g.FW));
  ForEachPixel(g, n0, n1, [&](int n, int oh, int ow, size_t p) {
    const float* dyr = dy + p * C;
    ForEachTap(g, n, oh, ow, [&](int, size_t off) {
      float* dxp = dx + off;
      if (disjoint) {
#pragma omp simd
        for (int c = 0; c < C; ++c) dxp[c] = dyr[c] * scale;
      } else {
#pragma omp simd
        for (int c = 0; c < C; ++c) dxp[c] += dyr[c] * scale;
      }
    });
  });
}

// maxPool(x, y, geom)
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  const float* x = F32(info[0]);
  float* y = F32(info[1]);
  const ConvGeom g = Geom(info[2]);
  ByImages(g, [&](int n0, int n1) { MaxPoolForward(x, y, g, n0, n1); });
  return info.Env().Undefined();
}
// avgPool(x, y, geom)
Napi::Value AvgPool(const Napi::CallbackInfo& info) {
  const float* x = F32(info[0]);
  float* y = F32(info[1]);
  const ConvGeom g = Geom(info[2]);
  ByImages(g, [&](int n0, int n1) { AvgPoolForward(x, y, g, n0, n1); });
  return info.Env().Undefined();
}
// maxPoolGrad(dy, x, dx, geom)
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  const float* dy = F32(info[0]);
  const float* x = F32(info[1]);
  float* dx = F32(info[2]);
  const ConvGeom g = Geom(info[3]);
  ByImages(g, [&](int n0, int n1) { MaxPoolBackward(dy, x, dx, g, n0, n1); });
  return info.Env().Undefined();
}
// avgPoolGrad(dy, dx, geom)
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  const float* dy = F32(info[0]);
  float* dx = F32(info[1]);
  const ConvGeom g = Geom(info[2]);
  ByImages(g, [&](int n0, int n1) { AvgPoolBackward(dy, dx, g, n0, n1); });
  return info.Env().Undefined();
}

}  // namespace

void RegisterPool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("avgPool", Napi::Function::New(env, AvgPool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad));
}

}  // namespace unforget
