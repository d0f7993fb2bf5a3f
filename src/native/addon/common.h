// Helpers shared by every kernel family of the unforget native addon.
// Tensors arrive as the cpu backend's typed arrays and are used in place (no copies).
#pragma once
#include <napi.h>

#include <cstdint>
#include <vector>

namespace unforget {

inline float* F32(const Napi::Value& v) { return v.As<Napi::Float32Array>().Data(); }
inline size_t F32Len(const Napi::Value& v) { return v.As<Napi::Float32Array>().ElementLength(); }
inline int32_t* I32Arr(const Napi::Value& v) { return v.As<Napi::Int32Array>().Data(); }
inline int32_t I32(const Napi::Value& v) { return v.As<Napi::Number>().Int32Value(); }
inline int64_t I64(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }
inline double F64(const Napi::Value& v) { return v.As<Napi::Number>().DoubleValue(); }
inline bool Bool(const Napi::Value& v) { return v.ToBoolean().Value(); }
inline bool IsNil(const Napi::Value& v) { return v.IsNull() || v.IsUndefined(); }
inline const float* OptF32(const Napi::Value& v) { return IsNil(v) ? nullptr : F32(v); }

inline std::vector<int64_t> Shape(const Napi::Value& v) {
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int64_t> s(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) s[i] = a.Get(i).As<Napi::Number>().Int64Value();
  return s;
}
inline int64_t Numel(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

// Activations fused into matmul and conv outputs; the numbering is shared with
// src/native/kernels/activation.ts.
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kLeakyRelu = 3, kSigmoid = 4 };
void ApplyActivation(float* y, size_t n, int act, float alpha);

// Conv / pool geometry, NHWC, as computed by tfjs backend_util.computeConv2DInfo or
// computePool2DInfo and packed by src/native/kernels/conv-geometry.ts.
struct ConvGeom {
  int N, H, W, C;      // input
  int OH, OW, OC;      // output
  int FH, FW;          // filter
  int SH, SW;          // strides
  int PT, PL, PB, PR;  // padding top/left/bottom/right
  int DH, DW;          // dilations
};
inline ConvGeom Geom(const Napi::Value& v) {
  const int32_t* p = v.As<Napi::Int32Array>().Data();
  return ConvGeom{p[0], p[1], p[2],  p[3],  p[4],  p[5],  p[6],  p[7], p[8],
                  p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16]};
}

// Every kernel family registers its functions on the addon's exports.
void RegisterCore(Napi::Env env, Napi::Object exports);
void RegisterGemm(Napi::Env env, Napi::Object exports);  // gemm-blas.cc
void RegisterMatmul(Napi::Env env, Napi::Object exports);
void RegisterElementwise(Napi::Env env, Napi::Object exports);
void RegisterReduce(Napi::Env env, Napi::Object exports);
void RegisterConv(Napi::Env env, Napi::Object exports);
void RegisterPool(Napi::Env env, Napi::Object exports);
void RegisterLoss(Napi::Env env, Napi::Object exports);
void RegisterOptim(Napi::Env env, Napi::Object exports);
void RegisterDense(Napi::Env env, Napi::Object exports);
void RegisterDense(Napi::Env env, Napi::Object exports);

}  // namespace unforget
