// MaxPool, AvgPool and their gradients: NHWC, float32, with the semantics of the tfjs cpu
// kernels (tfjs-backend-cpu utils/pool_utils): a max ignores NaN and keeps the first
// maximum of its window (row-major scan), an average divides by the number of in-image
// positions of its window, and the average's gradient divides by the full filter size.
// Every loop runs over the channels innermost, which are contiguous in NHWC.
#include <cstring>
#include <limits>
#include <memory>

#include "common.h"

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

// Calls `body(n, oh, ow, p)` for every output pixel p in order.
template <typename Body>
inline void ForEachPixel(const ConvGeom& g, Body body) {
  size_t p = 0;
  for (int n = 0; n < g.N; ++n)
    for (int oh = 0; oh < g.OH; ++oh)
      for (int ow = 0; ow < g.OW; ++ow) body(n, oh, ow, p++);
}

// Per-thread buffers that only grow (per-channel running max and its window position).
template <typename T>
T* Scratch(size_t n) {
  thread_local std::unique_ptr<T[]> buf;
  thread_local size_t cap = 0;
  if (cap < n) {
    buf.reset(new T[n]);
    cap = n;
  }
  return buf.get();
}

void MaxPoolForward(const float* x, float* y, const ConvGeom& g) {
  const int C = g.C;
  ForEachPixel(g, [&](int n, int oh, int ow, size_t p) {
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

void AvgPoolForward(const float* x, float* y, const ConvGeom& g) {
  const int C = g.C;
  ForEachPixel(g, [&](int n, int oh, int ow, size_t p) {
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

// dx[i] = sum of dy over the windows whose (first) maximum is x[i].
void MaxPoolBackward(const float* dy, const float* x, float* dx, const ConvGeom& g) {
  const int C = g.C;
  std::memset(dx, 0, (size_t)g.N * g.H * g.W * C * sizeof(float));
  float* best = Scratch<float>(C);
  int* arg = Scratch<int>(C);
  ForEachPixel(g, [&](int n, int oh, int ow, size_t p) {
    for (int c = 0; c < C; ++c) {
      best[c] = -std::numeric_limits<float>::infinity();
      arg[c] = -1;  // no position wins when every value is -Infinity or NaN
    }
    ForEachTap(g, n, oh, ow, [&](int tap, size_t off) {
      const float* xp = x + off;
#pragma omp simd
      for (int c = 0; c < C; ++c) {
        const bool wins = xp[c] > best[c];
        best[c] = wins ? xp[c] : best[c];
        arg[c] = wins ? tap : arg[c];
      }
    });
    const float* dyr = dy + p * C;
    ForEachTap(g, n, oh, ow, [&](int tap, size_t off) {
      float* dxp = dx + off;
#pragma omp simd
      for (int c = 0; c < C; ++c) dxp[c] += arg[c] == tap ? dyr[c] : 0.f;
    });
  });
}

// dx[i] = sum over the windows holding x[i] of dy / (FH * FW).
void AvgPoolBackward(const float* dy, float* dx, const ConvGeom& g) {
  const int C = g.C;
  std::memset(dx, 0, (size_t)g.N * g.H * g.W * C * sizeof(float));
  const float scale = (float)(1.0 / ((double)g.FH * g.FW));
  ForEachPixel(g, [&](int n, int oh, int ow, size_t p) {
    const float* dyr = dy + p * C;
    ForEachTap(g, n, oh, ow, [&](int, size_t off) {
      float* dxp = dx + off;
#pragma omp simd
      for (int c = 0; c < C; ++c) dxp[c] += dyr[c] * scale;
    });
  });
}

// maxPool(x, y, geom)
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  MaxPoolForward(F32(info[0]), F32(info[1]), Geom(info[2]));
  return info.Env().Undefined();
}
// avgPool(x, y, geom)
Napi::Value AvgPool(const Napi::CallbackInfo& info) {
  AvgPoolForward(F32(info[0]), F32(info[1]), Geom(info[2]));
  return info.Env().Undefined();
}
// maxPoolGrad(dy, x, dx, geom)
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  MaxPoolBackward(F32(info[0]), F32(info[1]), F32(info[2]), Geom(info[3]));
  return info.Env().Undefined();
}
// avgPoolGrad(dy, dx, geom)
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  AvgPoolBackward(F32(info[0]), F32(info[1]), Geom(info[2]));
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
