// Entry point of the unforget native addon: each kernel family registers itself.
#include <cmath>

#include "common.h"
#include "gemm.h"

namespace unforget {

// penalty.cc and path-integral.cc (declared here rather than in the shared common.h).
void RegisterPenalty(Napi::Env env, Napi::Object exports);
void RegisterPathIntegral(Napi::Env env, Napi::Object exports);

void ApplyActivation(float* y, size_t n, int act, float alpha) {
  switch (act) {
    case kRelu:
      for (size_t i = 0; i < n; ++i) y[i] = y[i] < 0.f ? 0.f : y[i];
      break;
    case kRelu6:
      for (size_t i = 0; i < n; ++i) y[i] = y[i] < 0.f ? 0.f : (y[i] > 6.f ? 6.f : y[i]);
      break;
    case kLeakyRelu:
      for (size_t i = 0; i < n; ++i) y[i] = y[i] < 0.f ? alpha * y[i] : y[i];
      break;
    case kSigmoid:
      for (size_t i = 0; i < n; ++i) y[i] = 1.f / (1.f + std::exp(-y[i]));
      break;
    default:
      break;
  }
}

static Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  SetGemmThreads(I32(info[0]));
  return info.Env().Undefined();
}
static Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), GetGemmThreads());
}

void RegisterCore(Napi::Env env, Napi::Object exports) {
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads));
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  RegisterCore(env, exports);
  RegisterGemm(env, exports);
  RegisterMatmul(env, exports);
  RegisterElementwise(env, exports);
  RegisterReduce(env, exports);
  RegisterConv(env, exports);
  RegisterPool(env, exports);
  RegisterLoss(env, exports);
  RegisterOptim(env, exports);
  RegisterDense(env, exports);
  RegisterPenalty(env, exports);
  RegisterPathIntegral(env, exports);
  return exports;
}

}  // namespace unforget

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return unforget::Init(env, exports); }
NODE_API_MODULE(unforget_native, InitAddon)
