// In-place optimizer updates: one call per variable updates the parameter array and the
// optimizer's state arrays, where tfjs runs 3-8 kernels (and allocates as many arrays).
//
// The TS side (src/native/optimizer-updates.ts) only passes arrays that nothing else can
// see, so writing into them is safe. Each formula follows the operation order of the
// matching tfjs optimizer, in float32, so results agree with tf.train.* to an ulp or so
// (the compiler may contract a * b + c into one fused multiply-add, rounding once where
// tfjs's separate kernels round twice).
#include <cmath>
#include <string>

#include "common.h"

namespace unforget {

static void CheckLengths(const Napi::CallbackInfo& info, const char* name, size_t n, int first, int last) {
  for (int i = first; i <= last; ++i) {
    if (F32Len(info[i]) != n) {
      throw Napi::RangeError::New(info.Env(), std::string(name) + ": arrays differ in length");
    }
  }
}

// sgdUpdate(param, grad, negLr): param += negLr * grad (tf.train.sgd).
static Napi::Value SgdUpdate(const Napi::CallbackInfo& info) {
  float* p = F32(info[0]);
  const float* g = F32(info[1]);
  const size_t n = F32Len(info[0]);
  CheckLengths(info, "sgdUpdate", n, 1, 1);
  const float negLr = static_cast<float>(F64(info[2]));
#pragma omp simd
  for (size_t i = 0; i < n; ++i) p[i] = negLr * g[i] + p[i];
  return info.Env().Undefined();
}

// momentumUpdate(param, grad, accum, negLr, momentum, nesterov) (tf.train.momentum):
//   accum = momentum * accum + grad
//   param += negLr * accum                        (classic)
//   param += negLr * (grad + momentum * accum)    (Nesterov, with the new accum)
static Napi::Value MomentumUpdate(const Napi::CallbackInfo& info) {
  float* p = F32(info[0]);
  const float* g = F32(info[1]);
  float* a = F32(info[2]);
  const size_t n = F32Len(info[0]);
  CheckLengths(info, "momentumUpdate", n, 1, 2);
  const float negLr = static_cast<float>(F64(info[3]));
  const float m = static_cast<float>(F64(info[4]));
  if (Bool(info[5])) {
#pragma omp simd
    for (size_t i = 0; i < n; ++i) {
      const float acc = m * a[i] + g[i];
      a[i] = acc;
      p[i] = negLr * (g[i] + acc * m) + p[i];
    }
  } else {
#pragma omp simd
    for (size_t i = 0; i < n; ++i) {
      const float acc = m * a[i] + g[i];
      a[i] = acc;
      p[i] = negLr * acc + p[i];
    }
  }
  return info.Env().Undefined();
}

// adamUpdate(param, grad, m, v, negLr, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
//            oneMinusAccBeta1, oneMinusAccBeta2, epsilon) (tf.train.adam):
//   m = beta1 * m + (1 - beta1) * grad
//   v = beta2 * v + (1 - beta2) * grad^2
//   param += negLr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)
// The scalars arrive already rounded the way tfjs rounds them (1 - beta as a double
// difference, 1 - beta^t from the float32 running product).
static Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  float* p = F32(info[0]);
  const float* g = F32(info[1]);
  float* m = F32(info[2]);
  float* v = F32(info[3]);
  const size_t n = F32Len(info[0]);
  CheckLengths(info, "adamUpdate", n, 1, 3);
  const float negLr = static_cast<float>(F64(info[4]));
  const float beta1 = static_cast<float>(F64(info[5]));
  const float oneMinusBeta1 = static_cast<float>(F64(info[6]));
  const float beta2 = static_cast<float>(F64(info[7]));
  const float oneMinusBeta2 = static_cast<float>(F64(info[8]));
  const float correction1 = static_cast<float>(F64(info[9]));
  const float correction2 = static_cast<float>(F64(info[10]));
  const float epsilon = static_cast<float>(F64(info[11]));
#pragma omp simd
  for (size_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float mi = m[i] * beta1 + gi * oneMinusBeta1;
    const float vi = v[i] * beta2 + (gi * gi) * oneMinusBeta2;
    m[i] = mi;
    v[i] = vi;
    const float mHat = mi / correction1;
    const float vHat = vi / correction2;
    p[i] = (mHat / (std::sqrt(vHat) + epsilon)) * negLr + p[i];
  }
  return info.Env().Undefined();
}

void RegisterOptim(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdUpdate", Napi::Function::New(env, SgdUpdate));
  exports.Set("momentumUpdate", Napi::Function::New(env, MomentumUpdate));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
}

}  // namespace unforget
