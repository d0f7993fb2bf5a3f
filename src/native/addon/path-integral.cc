// One step of Synaptic Intelligence's path integral, per model variable:
//   out = w - g * (theta - prev),
// the parameter's running contribution to the drop in the loss (g the step's gradient,
// theta - prev the step's move). In tfjs ops it is sub, mul, sub: three passes and two
// temporaries over every parameter each training step; here it is one pass. It streams memory
// with two flops per element, so it stays on one thread (as penalty.cc does): waking a
// worker pool costs about as much as the pass on the ~500k-parameter models it serves.
#include "common.h"

namespace unforget {

// pathIntegralStep(w, g, theta, prev, out): every array has the same length; out is a fresh
// array, never one of the inputs' (the TS side allocates it).
static Napi::Value PathIntegralStep(const Napi::CallbackInfo& info) {
  const float* w = F32(info[0]);
  const float* g = F32(info[1]);
  const float* theta = F32(info[2]);
  const float* prev = F32(info[3]);
  float* out = F32(info[4]);
  const size_t n = F32Len(info[0]);
  if (F32Len(info[1]) != n || F32Len(info[2]) != n || F32Len(info[3]) != n || F32Len(info[4]) != n)
    throw Napi::RangeError::New(info.Env(), "pathIntegralStep: array lengths differ");
#pragma omp simd
  for (size_t i = 0; i < n; ++i) out[i] = w[i] - g[i] * (theta[i] - prev[i]);
  return info.Env().Undefined();
}

void RegisterPathIntegral(Napi::Env env, Napi::Object exports) {
  exports.Set("pathIntegralStep", Napi::Function::New(env, PathIntegralStep));
}

}  // namespace unforget
