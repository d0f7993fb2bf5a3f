// Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter: NHWC, float32.
//
// A conv is a GEMM over the im2col matrix `cols`: row p holds the K = FH*FW*C input values
// under output pixel p (zeros where the window hangs over the padding) in the filter's
// (fh, fw, c) order, so that with the HWIO filter viewed as a [K, OC] matrix W:
//   forward          y[P, OC]    = cols[P, K] @ W
//   backprop filter  dW[K, OC]   = cols^T @ dy[P, OC]
//   backprop input   dcols[P, K] = dy @ W^T, each row added back under its window (col2im)
// where P = N*OH*OW. Pixels are processed in chunks whose cols live in one persistent
// scratch buffer: a fresh multi-MB buffer per call costs more than the GEMM, and a chunk
// that stays in cache between im2col and GEMM is faster than one pass over all of P.
#include <algorithm>
#include <cstring>
#include <memory>

#include "common.h"
#include "gemm.h"

namespace unforget {
namespace {

// Floats of im2col scratch per chunk (1 MiB): small enough to stay in L2 between the
// im2col and the GEMM that reads it, big enough that the GEMM is not call-bound.
constexpr int64_t kChunkFloats = 256 * 1024;
// Fewest rows per chunk, so that very wide rows (large K) still give the GEMM a real M.
constexpr int64_t kMinChunkRows = 64;
// Below this many input values per window (FH*FW*C) the GEMM is mostly overhead: the
// forward conv and the filter gradient run as direct loops over the output channels.
constexpr int64_t kDirectMaxK = 32;

// A per-thread buffer that only grows, so steady-state calls allocate nothing.
float* Scratch(size_t n) {
  thread_local std::unique_ptr<float[]> buf;
  thread_local size_t cap = 0;
  if (cap < n) {
    buf.reset(new float[n]);
    cap = n;
  }
  return buf.get();
}

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

inline int64_t WindowSize(const ConvGeom& g) { return (int64_t)g.FH * g.FW * g.C; }
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

// Forward conv as loops over the output channels, for windows of few values (the first
// layer of an image model, C = 1): no im2col, and no GEMM packing a K of 9.
void DirectConvForward(const float* x, const float* w, float* y, const ConvGeom& g, int64_t p0,
                       int64_t rows) {
  const int C = g.C, OC = g.OC;
  Pixel q = PixelAt(g, p0);
  for (int64_t r = 0; r < rows; ++r, Advance(g, q)) {
    float* yr = y + (p0 + r) * OC;
    std::memset(yr, 0, OC * sizeof(float));
    const float* img = x + (size_t)q.n * g.H * g.W * C;
    const int ih0 = q.oh * g.SH - g.PT, iw0 = q.ow * g.SW - g.PL;
    for (int fh = 0; fh < g.FH; ++fh) {
      const int ih = ih0 + fh * g.DH;
      if (ih < 0 || ih >= g.H) continue;
      for (int fw = 0; fw < g.FW; ++fw) {
        const int iw = iw0 + fw * g.DW;
        if (iw < 0 || iw >= g.W) continue;
        const float* xp = img + ((size_t)ih * g.W + iw) * C;
        const float* wp = w + ((size_t)fh * g.FW + fw) * C * OC;
        for (int c = 0; c < C; ++c) {
          const float xv = xp[c];
          const float* wr = wp + (size_t)c * OC;
#pragma omp simd
          for (int o = 0; o < OC; ++o) yr[o] += xv * wr[o];
        }
      }
    }
  }
}

// part[K, OC] = sum over pixels [p0, p0 + rows) of outer(window(p), dy[p]): the filter
// gradient of a chunk, as loops over the output channels (see DirectConvForward).
void DirectFilterGrad(const float* x, const float* dy, float* part, const ConvGeom& g, int64_t p0,
                      int64_t rows) {
  const int C = g.C, OC = g.OC;
  std::memset(part, 0, (size_t)WindowSize(g) * OC * sizeof(float));
  Pixel q = PixelAt(g, p0);
  for (int64_t r = 0; r < rows; ++r, Advance(g, q)) {
    const float* dyr = dy + (p0 + r) * OC;
    const float* img = x + (size_t)q.n * g.H * g.W * C;
    const int ih0 = q.oh * g.SH - g.PT, iw0 = q.ow * g.SW - g.PL;
    for (int fh = 0; fh < g.FH; ++fh) {
      const int ih = ih0 + fh * g.DH;
      if (ih < 0 || ih >= g.H) continue;
      for (int fw = 0; fw < g.FW; ++fw) {
        const int iw = iw0 + fw * g.DW;
        if (iw < 0 || iw >= g.W) continue;
        const float* xp = img + ((size_t)ih * g.W + iw) * C;
        float* pp = part + ((size_t)fh * g.FW + fw) * C * OC;
        for (int c = 0; c < C; ++c) {
          const float xv = xp[c];
          float* pr = pp + (size_t)c * OC;
#pragma omp simd
          for (int o = 0; o < OC; ++o) pr[o] += xv * dyr[o];
        }
      }
    }
  }
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
  const bool direct = K <= kDirectMaxK;
  const int64_t chunk = ChunkRows(direct ? OC : K, P);
  float* cols = direct ? nullptr : Scratch((size_t)chunk * K);
  for (int64_t p0 = 0; p0 < P; p0 += chunk) {
    const int64_t rows = std::min(chunk, P - p0);
    float* yc = y + p0 * OC;
    if (direct) {
      DirectConvForward(x, w, y, g, p0, rows);
    } else {
      Im2Col(x, g, p0, rows, cols);
      Sgemm(false, false, (int)rows, OC, (int)K, 1.f, cols, (int)K, w, OC, 0.f, yc, OC);
    }
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
  // Pixels no window touches (strides larger than the filter) keep their zero.
  std::memset(dx, 0, dxLen * sizeof(float));
  const int64_t chunk = ChunkRows(K, P);
  float* dcols = Scratch((size_t)chunk * K);
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
  if (K <= kDirectMaxK) {
    // Chunk partial sums added into dw: shorter float sums than one pass over all of P.
    const int64_t chunk = ChunkRows(K * OC, P);
    float* part = Scratch(dwLen);
    std::memset(dw, 0, dwLen * sizeof(float));
    for (int64_t p0 = 0; p0 < P; p0 += chunk) {
      const int64_t rows = std::min(chunk, P - p0);
      DirectFilterGrad(x, dy, part, g, p0, rows);
#pragma omp simd
      for (size_t i = 0; i < dwLen; ++i) dw[i] += part[i];
    }
    return;
  }
  const int64_t chunk = ChunkRows(K, P);
  float* cols = Scratch((size_t)chunk * K);
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
