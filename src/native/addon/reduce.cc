// Reductions (Sum, Mean, Prod, Max, Min, ArgMax, ArgMin), Softmax and Transpose.
// Sizes cross N-API as plain numbers (and Transpose's shape and perm as one Int32Array),
// so a call costs a handful of conversions whatever the tensor's rank.
#include "common.h"
#include "reduce-ops.h"
#include "reduce-transpose.h"

namespace unforget {

// Op codes, shared with src/native/kernels/reduce.ts.
enum ReduceCode { kSum = 0, kMean = 1, kProd = 2, kMax = 3, kMin = 4 };

// reduce(x, out, op, outer, mid, inner): out[o, k] = op over m of x[o, m, k].
static Napi::Value ReduceFn(const Napi::CallbackInfo& info) {
  const float* x = F32(info[0]);
  float* out = F32(info[1]);
  const int op = I32(info[2]);
  const int64_t outer = I64(info[3]), mid = I64(info[4]), inner = I64(info[5]);
  switch (op) {
    case kSum:
      Reduce<SumOp>(x, out, outer, mid, inner);
      break;
    case kMean:
      Reduce<MeanOp>(x, out, outer, mid, inner);
      break;
    case kProd:
      Reduce<ProdOp>(x, out, outer, mid, inner);
      break;
    case kMax:
      Reduce<MaxOp>(x, out, outer, mid, inner);
      break;
    case kMin:
      Reduce<MinOp>(x, out, outer, mid, inner);
      break;
    default:
      throw Napi::Error::New(info.Env(), "reduce: unknown op");
  }
  return info.Env().Undefined();
}

// argReduce(x, out: Int32Array, isMin, outer, mid, inner)
static Napi::Value ArgReduceFn(const Napi::CallbackInfo& info) {
  const float* x = F32(info[0]);
  int32_t* out = I32Arr(info[1]);
  const bool isMin = Bool(info[2]);
  const int64_t outer = I64(info[3]), mid = I64(info[4]), inner = I64(info[5]);
  if (isMin)
    ArgReduce<true>(x, out, outer, mid, inner);
  else
    ArgReduce<false>(x, out, outer, mid, inner);
  return info.Env().Undefined();
}

// softmax(x, out, rows, cols): softmax over each row of cols values.
static Napi::Value SoftmaxFn(const Napi::CallbackInfo& info) {
  SoftmaxRows(F32(info[0]), F32(info[1]), I64(info[2]), I64(info[3]));
  return info.Env().Undefined();
}

// The bytes of a typed array of 4-byte elements (Float32Array or Int32Array).
static uint32_t* Words(const Napi::Value& v) {
  Napi::TypedArray a = v.As<Napi::TypedArray>();
  if (a.ElementSize() != 4) throw Napi::Error::New(v.Env(), "transpose: 4-byte elements expected");
  return reinterpret_cast<uint32_t*>(static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset());
}

// transpose(x, out, desc): desc = Int32Array [rank, shape..., perm...].
static Napi::Value TransposeFn(const Napi::CallbackInfo& info) {
  const int32_t* desc = I32Arr(info[2]);
  if (desc[0] > kMaxTransposeRank) throw Napi::Error::New(info.Env(), "transpose: rank too large");
  Transpose(Words(info[0]), Words(info[1]), PlanTranspose(desc));
  return info.Env().Undefined();
}

void RegisterReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduce", Napi::Function::New(env, ReduceFn));
  exports.Set("argReduce", Napi::Function::New(env, ArgReduceFn));
  exports.Set("softmax", Napi::Function::New(env, SoftmaxFn));
  exports.Set("transpose", Napi::Function::New(env, TransposeFn));
}

}  // namespace unforget
