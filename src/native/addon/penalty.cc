// The quadratic penalty of the importance-based regularisers (EWC, SI, MAS):
//   value = sum_v sum_i W_v,i (theta_v,i - C_v,i)^2,   d value / d theta_v = 2 W_v (theta_v - C_v).
// Built from tfjs ops it is about 30 kernel calls per training step (sub, square, mul and sum
// per variable, then their gradients); here it is one pass forward over every variable and one
// pass per variable backward. Each pass streams memory and does a few flops per element, so
// it stays on one thread: the worker pool's wake-up costs about as much as the pass itself on
// the ~500k-element models it serves, and the cores are busy with the GEMMs around it.
#include "common.h"

namespace unforget {

// Sum of w (t - c)^2 over n elements, accumulated in double: the terms are all >= 0 and a
// float accumulator would lose the small ones once the sum grows (~1e-7 relative per add).
static double WeightedSquaredDistance(const float* t, const float* c, const float* w, size_t n) {
  double acc = 0.0;
#pragma omp simd reduction(+ : acc)
  for (size_t i = 0; i < n; ++i) {
    const float d = t[i] - c[i];
    acc += (double)(w[i] * (d * d));
  }
  return acc;
}

// quadraticPenalty(thetas, centres, weights): the unscaled sum over every variable, as a
// double. The three arrays of Float32Arrays have equal lengths and element counts; the TS
// side checks it.
static Napi::Value QuadraticPenalty(const Napi::CallbackInfo& info) {
  Napi::Array thetas = info[0].As<Napi::Array>();
  Napi::Array centres = info[1].As<Napi::Array>();
  Napi::Array weights = info[2].As<Napi::Array>();
  double total = 0.0;
  for (uint32_t v = 0; v < thetas.Length(); ++v) {
    const Napi::Value t = thetas.Get(v), c = centres.Get(v), w = weights.Get(v);
    const size_t n = F32Len(t);
    if (F32Len(c) != n || F32Len(w) != n)
      throw Napi::RangeError::New(info.Env(), "quadraticPenalty: theta, centre and weight lengths differ");
    total += WeightedSquaredDistance(F32(t), F32(c), F32(w), n);
  }
  return Napi::Number::New(info.Env(), total);
}

// quadraticPenaltyGrad(theta, centre, weight, out, scale): out = scale * w (t - c), where the
// caller folds 2 * strength * dy into scale.
static Napi::Value QuadraticPenaltyGrad(const Napi::CallbackInfo& info) {
  const float* t = F32(info[0]);
  const float* c = F32(info[1]);
  const float* w = F32(info[2]);
  float* out = F32(info[3]);
  const float scale = (float)F64(info[4]);
  const size_t n = F32Len(info[0]);
  if (F32Len(info[1]) != n || F32Len(info[2]) != n || F32Len(info[3]) != n)
    throw Napi::RangeError::New(info.Env(), "quadraticPenaltyGrad: array lengths differ");
#pragma omp simd
  for (size_t i = 0; i < n; ++i) out[i] = scale * (w[i] * (t[i] - c[i]));
  return info.Env().Undefined();
}

void RegisterPenalty(Napi::Env env, Napi::Object exports) {
  exports.Set("quadraticPenalty", Napi::Function::New(env, QuadraticPenalty));
  exports.Set("quadraticPenaltyGrad", Napi::Function::New(env, QuadraticPenaltyGrad));
}

}  // namespace unforget
