// The backward pass of a dense layer, y = act(x @ W + b), in one call:
//   g  = dy * act'(y)        (act' read off the output y, so the forward keeps nothing else)
//   dx = g @ W^T,  dW = x^T @ g,  db = column sums of g.
// tfjs records a dense layer in training as matmul + bias add + activation and
// differentiates each (about 8 kernel calls); this is one.
#include <algorithm>
#include <cstring>
#include <vector>

#include "common.h"
#include "gemm.h"

namespace unforget {

// g = dy * act'(y), where the derivative is a function of the activation's output.
static void ActivationGrad(const float* dy, const float* y, float* g, size_t n, int act, float alpha) {
  switch (act) {
    case kRelu:
#pragma omp simd
      for (size_t i = 0; i < n; ++i) g[i] = y[i] > 0.f ? dy[i] : 0.f;
      break;
    case kRelu6:
#pragma omp simd
      for (size_t i = 0; i < n; ++i) g[i] = (y[i] > 0.f && y[i] < 6.f) ? dy[i] : 0.f;
      break;
    case kLeakyRelu:
      // Valid for alpha > 0 only (y keeps the sign of x); the TS side checks it.
#pragma omp simd
      for (size_t i = 0; i < n; ++i) g[i] = y[i] > 0.f ? dy[i] : alpha * dy[i];
      break;
    case kSigmoid:
#pragma omp simd
      for (size_t i = 0; i < n; ++i) g[i] = dy[i] * (y[i] * (1.f - y[i]));
      break;
    default:
      std::memcpy(g, dy, n * sizeof(float));
  }
}

// denseGrad(dy, x, w, y, dx | null, dw | null, db | null, batch, inUnits, units, act, alpha)
// dy, y: [batch, units]; x: [batch, inUnits]; w: [inUnits, units].
static Napi::Value DenseGrad(const Napi::CallbackInfo& info) {
  const float* dy = F32(info[0]);
  const float* x = F32(info[1]);
  const float* w = F32(info[2]);
  const float* y = OptF32(info[3]);
  float* dx = IsNil(info[4]) ? nullptr : F32(info[4]);
  float* dw = IsNil(info[5]) ? nullptr : F32(info[5]);
  float* db = IsNil(info[6]) ? nullptr : F32(info[6]);
  const int batch = I32(info[7]), in = I32(info[8]), units = I32(info[9]);
  const int act = I32(info[10]);
  const float alpha = (float)F64(info[11]);
  const size_t n = (size_t)batch * units;

  // g lives in a scratch buffer reused across calls (a fresh one per step costs page faults).
  const float* g = dy;
  static thread_local std::vector<float> scratch;
  if (act != kLinear) {
    if (!y) throw Napi::Error::New(info.Env(), "denseGrad: the activation's gradient needs y");
    if (scratch.size() < n) scratch.resize(n);
    ActivationGrad(dy, y, scratch.data(), n, act, alpha);
    g = scratch.data();
  }
  if (dx) {
    if (units == 0) std::fill(dx, dx + (size_t)batch * in, 0.f);
    else if (batch > 0 && in > 0) Sgemm(false, true, batch, in, units, 1.f, g, units, w, units, 0.f, dx, in);
  }
  if (dw) {
    if (batch == 0) std::fill(dw, dw + (size_t)in * units, 0.f);
    else if (in > 0 && units > 0) Sgemm(true, false, in, units, batch, 1.f, x, in, g, units, 0.f, dw, units);
  }
  if (db) {
    std::fill(db, db + units, 0.f);
    for (int r = 0; r < batch; ++r) {
      const float* row = g + (size_t)r * units;
#pragma omp simd
      for (int j = 0; j < units; ++j) db[j] += row[j];
    }
  }
  return info.Env().Undefined();
}

void RegisterDense(Napi::Env env, Napi::Object exports) {
  exports.Set("denseGrad", Napi::Function::New(env, DenseGrad));
}

}  // namespace unforget
