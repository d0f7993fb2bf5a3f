// Elementwise kernels of the unforget native addon: broadcasting binary ops, unary ops
// and dtype casts. Every result matches what tfjs's cpu kernels compute in JavaScript
// (double arithmetic rounded to float32), NaN, infinity and signed-zero cases included.

// GCC will not if-convert a select whose arms hold floating-point operations while it
// must preserve FP exception flags, which nobody here reads; without this most unary
// loops stay scalar. It changes no computed value. (Clang does not track the flags.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "common.h"
#include "elementwise-math.h"

namespace unforget {

namespace {

// ---------------------------------------------------------------------------------------
// Binary ops. The operation codes are shared with src/native/kernels/elementwise.ts (BINARY_OP).
// + - * / of two floats rounded once to float equal JS's double result rounded to float,
// so those run in float; the others follow the JS expression exactly.

struct AddOp {
  static float F(float a, float b) { return a + b; }
};
struct SubOp {
  static float F(float a, float b) { return a - b; }
};
struct MulOp {
  static float F(float a, float b) { return a * b; }
};
struct DivOp {
  static float F(float a, float b) { return a / b; }
};
// Math.max: NaN if either is NaN, and +0 is larger than -0 (std::fmax differs on both).
struct MaxOp {
  static float F(float a, float b) {
    float r = a > b ? a : b;             // b when b is NaN
    r = a == b && a == 0.f ? a + b : r;  // +0 + -0 = +0
    return a != a ? a : r;
  }
};
// Math.min: NaN if either is NaN, and -0 is smaller than +0.
struct MinOp {
  static float F(float a, float b) {
    float r = a < b ? a : b;
    r = a == b && a == 0.f ? -(-a - b) : r;  // -0 unless both are +0
    return a != a ? a : r;
  }
};
// (a - b)^2 with the difference kept in double, as JS does.
struct SquaredDifferenceOp {
  static float F(float a, float b) {
    const double d = static_cast<double>(a) - static_cast<double>(b);
    return static_cast<float>(d * d);
  }
};

constexpr int kMaxRank = 16;

// The broadcast as src/native/kernels/elementwise-broadcast.ts plans it: dimensions merged
// where both operands follow the same pattern, size-1 ones dropped. A stride is 0 along a
// dimension the operand is broadcast over; the innermost strides are 0 or 1.
struct Broadcast {
  int rank;
  int64_t dims[kMaxRank], sa[kMaxRank], sb[kMaxRank];
};

// One run of the innermost dimension; the three stride patterns get their own
// vectorised loops (both contiguous, or one side a single repeated value).
template <class Op>
inline void Row(const float* a, int64_t ia, const float* b, int64_t ib, float* out, int64_t n) {
  if (ia == 1 && ib == 1) {
#pragma omp simd
    for (int64_t j = 0; j < n; ++j) out[j] = Op::F(a[j], b[j]);
  } else if (ia == 1) {
    const float bv = b[0];
#pragma omp simd
    for (int64_t j = 0; j < n; ++j) out[j] = Op::F(a[j], bv);
  } else if (ib == 1) {
    const float av = a[0];
#pragma omp simd
    for (int64_t j = 0; j < n; ++j) out[j] = Op::F(av, b[j]);
  } else {
    const float v = Op::F(a[0], b[0]);
    for (int64_t j = 0; j < n; ++j) out[j] = v;
  }
}

// Writes out[begin, end) of the broadcast result: an odometer over the outer dimensions,
// one Row call per innermost run.
template <class Op>
void BinaryRange(const Broadcast& g, const float* a, const float* b, float* out, int64_t begin,
                 int64_t end) {
  const int last = g.rank - 1;
  const int64_t inner = g.dims[last], ia = g.sa[last], ib = g.sb[last];
  int64_t idx[kMaxRank];
  int64_t row = begin / inner, col = begin % inner, rowA = 0, rowB = 0;
  for (int d = last - 1; d >= 0; --d) {
    idx[d] = row % g.dims[d];
    row /= g.dims[d];
    rowA += idx[d] * g.sa[d];
    rowB += idx[d] * g.sb[d];
  }
  for (int64_t pos = begin; pos < end; col = 0) {
    const int64_t len = std::min(inner - col, end - pos);
    Row<Op>(a + rowA + col * ia, ia, b + rowB + col * ib, ib, out + pos, len);
    pos += len;
    for (int d = last - 1; d >= 0; --d) {
      rowA += g.sa[d];
      rowB += g.sb[d];
      if (++idx[d] < g.dims[d]) break;
      rowA -= g.sa[d] * g.dims[d];
      rowB -= g.sb[d] * g.dims[d];
      idx[d] = 0;
    }
  }
}

// False for an unknown op code.
bool Binary(int op, const Broadcast& g, const float* a, const float* b, float* out, int64_t n) {
  switch (op) {
    case 0: BinaryRange<AddOp>(g, a, b, out, 0, n); return true;
    case 1: BinaryRange<SubOp>(g, a, b, out, 0, n); return true;
    case 2: BinaryRange<MulOp>(g, a, b, out, 0, n); return true;
    case 3: BinaryRange<DivOp>(g, a, b, out, 0, n); return true;
    case 4: BinaryRange<MaxOp>(g, a, b, out, 0, n); return true;
    case 5: BinaryRange<MinOp>(g, a, b, out, 0, n); return true;
    case 6: BinaryRange<SquaredDifferenceOp>(g, a, b, out, 0, n); return true;
    default: return false;
  }
}

Napi::Error BadBroadcast(Napi::Env env) {
  return Napi::RangeError::New(env, "binary: the broadcast does not fit the arrays");
}

// The broadcast of a binary call: a number for the flat cases (0: same shape, 1: b is one
// value, 2: a is one value; out's length is the size), which spares converting a typed
// array, or the packed Int32Array. Checked against the arrays' lengths, so that a bad one
// is an exception rather than a read out of bounds.
Broadcast ReadBroadcast(Napi::Env env, const Napi::Value& v, size_t lenA, size_t lenB, size_t lenOut) {
  Broadcast g;
  if (v.IsNumber()) {
    const int mode = I32(v);
    g.rank = 1;
    g.dims[0] = static_cast<int64_t>(lenOut);
    g.sa[0] = mode == 2 ? 0 : 1;
    g.sb[0] = mode == 1 ? 0 : 1;
    if (mode < 0 || mode > 2 || lenA < (g.sa[0] ? lenOut : 1) || lenB < (g.sb[0] ? lenOut : 1))
      throw BadBroadcast(env);
    return g;
  }
  const Napi::Int32Array arr = v.As<Napi::Int32Array>();
  const int32_t* p = arr.Data();
  g.rank = arr.ElementLength() > 0 ? p[0] : 0;
  if (g.rank < 1 || g.rank > kMaxRank || arr.ElementLength() < static_cast<size_t>(1 + 3 * g.rank))
    throw BadBroadcast(env);
  int64_t size = 1, lastA = 0, lastB = 0;
  for (int d = 0; d < g.rank; ++d) {
    g.dims[d] = p[1 + d];
    g.sa[d] = p[1 + g.rank + d];
    g.sb[d] = p[1 + 2 * g.rank + d];
    if (g.dims[d] < 1 || g.sa[d] < 0 || g.sb[d] < 0) throw BadBroadcast(env);
    size *= g.dims[d];
    lastA += (g.dims[d] - 1) * g.sa[d];
    lastB += (g.dims[d] - 1) * g.sb[d];
  }
  if (g.sa[g.rank - 1] > 1 || g.sb[g.rank - 1] > 1 || static_cast<size_t>(lastA) >= lenA ||
      static_cast<size_t>(lastB) >= lenB || static_cast<size_t>(size) != lenOut)
    throw BadBroadcast(env);
  return g;
}

// binary(op, a, b, out, broadcast: 0 | 1 | 2 | Int32Array); out has the output's size.
Napi::Value BinaryFn(const Napi::CallbackInfo& info) {
  const Napi::Float32Array a = info[1].As<Napi::Float32Array>();
  const Napi::Float32Array b = info[2].As<Napi::Float32Array>();
  Napi::Float32Array out = info[3].As<Napi::Float32Array>();
  const size_t n = out.ElementLength();
  if (n == 0) return info.Env().Undefined();
  const Broadcast g = ReadBroadcast(info.Env(), info[4], a.ElementLength(), b.ElementLength(), n);
  if (!Binary(I32(info[0]), g, a.Data(), b.Data(), out.Data(), static_cast<int64_t>(n)))
    throw Napi::RangeError::New(info.Env(), "binary: unknown op");
  return info.Env().Undefined();
}

// ---------------------------------------------------------------------------------------
// Unary ops, codes shared with UNARY_OP in elementwise.ts. Each mirrors the JS expression of
// the tfjs cpu kernel; transcendental ones run in double (elementwise-math.h).

// Each op computes every candidate and selects, so that the loops if-convert and vectorise.
struct ReluOp {  // Math.max(0, x): NaN stays NaN (x <= 0 is false), -0 becomes +0
  static float F(float x, double) { return x <= 0.f ? 0.f : x; }
};
struct Relu6Op {  // Math.min(Math.max(0, x), 6)
  static float F(float x, double) {
    const float r = x <= 0.f ? 0.f : x;
    return r > 6.f ? 6.f : r;
  }
};
struct LeakyReluOp {  // x < 0 ? alpha * x : x, the product in double
  static float F(float x, double alpha) {
    const float scaled = static_cast<float>(alpha * static_cast<double>(x));
    return x < 0.f ? scaled : x;
  }
};
struct StepOp {  // NaN -> NaN, x > 0 -> 1, else alpha
  static float F(float x, double alpha) {
    const float low = static_cast<float>(alpha);
    return x > 0.f ? 1.f : (x <= 0.f ? low : x);
  }
};
struct ExpOp {
  static float F(float x, double) { return static_cast<float>(ewmath::Exp(x)); }
};
struct LogOp {
  static float F(float x, double) { return static_cast<float>(ewmath::Log(x)); }
};
struct NegOp {  // -1 * x
  static float F(float x, double) { return -x; }
};
// Under GCC's default -fmath-errno a sqrt whose result is NaN calls into libm (to set errno),
// which keeps the Sqrt and Rsqrt loops scalar (-fno-math-errno would vectorise them) and
// costs a call per negative input. Taking the root of |x| leaves NaN inputs as the only
// calls; negative inputs then select NaN, and +-0 keep their sign.
inline float SqrtOfAbs(float x) { return std::sqrt(std::fabs(x)); }
inline double SqrtOfAbs(double x) { return std::sqrt(std::fabs(x)); }

struct SqrtOp {  // a correctly rounded float sqrt equals JS's double sqrt rounded to float
  static float F(float x, double) {
    const float r = SqrtOfAbs(x);
    return x < 0.f ? std::numeric_limits<float>::quiet_NaN() : (x == 0.f ? x : r);
  }
};
struct SquareOp {
  static float F(float x, double) { return x * x; }
};
struct SigmoidOp {  // 1 / (1 + Math.exp(-x))
  static float F(float x, double) {
    return static_cast<float>(1.0 / (1.0 + ewmath::Exp(-static_cast<double>(x))));
  }
};
struct TanhOp {
  static float F(float x, double) { return static_cast<float>(ewmath::Tanh(x)); }
};
struct AbsOp {
  static float F(float x, double) { return std::fabs(x); }
};
struct EluOp {  // x >= 0 ? x : Math.exp(x) - 1
  static float F(float x, double) {
    const float expm1 = static_cast<float>(ewmath::Exp(x) - 1.0);
    return x >= 0.f ? x : expm1;
  }
};
struct RsqrtOp {  // 1 / Math.sqrt(x): two roundings in float would differ, so in double
  static float F(float x, double) {
    const double r = 1.0 / SqrtOfAbs(static_cast<double>(x));  // 1 / -0 is -inf, as in JS
    return x < 0.f ? std::numeric_limits<float>::quiet_NaN() : (x == 0.f ? 1.f / x : static_cast<float>(r));
  }
};
struct ReciprocalOp {
  static float F(float x, double) { return 1.f / x; }
};

template <class Op>
void UnaryLoop(const float* x, float* out, int64_t n, double alpha) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] = Op::F(x[i], alpha);
}

// False for an unknown op code.
bool Unary(int op, const float* x, float* out, int64_t n, double alpha) {
  switch (op) {
    case 0: UnaryLoop<ReluOp>(x, out, n, alpha); return true;
    case 1: UnaryLoop<Relu6Op>(x, out, n, alpha); return true;
    case 2: UnaryLoop<LeakyReluOp>(x, out, n, alpha); return true;
    case 3: UnaryLoop<StepOp>(x, out, n, alpha); return true;
    case 4: UnaryLoop<ExpOp>(x, out, n, alpha); return true;
    case 5: UnaryLoop<LogOp>(x, out, n, alpha); return true;
    case 6: UnaryLoop<NegOp>(x, out, n, alpha); return true;
    case 7: UnaryLoop<SqrtOp>(x, out, n, alpha); return true;
    case 8: UnaryLoop<SquareOp>(x, out, n, alpha); return true;
    case 9: UnaryLoop<SigmoidOp>(x, out, n, alpha); return true;
    case 10: UnaryLoop<TanhOp>(x, out, n, alpha); return true;
    case 11: UnaryLoop<AbsOp>(x, out, n, alpha); return true;
    case 12: UnaryLoop<EluOp>(x, out, n, alpha); return true;
    case 13: UnaryLoop<RsqrtOp>(x, out, n, alpha); return true;
    case 14: UnaryLoop<ReciprocalOp>(x, out, n, alpha); return true;
    default: return false;
  }
}

// unary(op, x, out, alpha)
Napi::Value UnaryFn(const Napi::CallbackInfo& info) {
  const Napi::Float32Array x = info[1].As<Napi::Float32Array>();
  Napi::Float32Array out = info[2].As<Napi::Float32Array>();
  const size_t n = x.ElementLength();
  if (out.ElementLength() < n) throw Napi::RangeError::New(info.Env(), "unary: output too short");
  if (!Unary(I32(info[0]), x.Data(), out.Data(), static_cast<int64_t>(n), F64(info[3])))
    throw Napi::RangeError::New(info.Env(), "unary: unknown op");
  return info.Env().Undefined();
}

// ---------------------------------------------------------------------------------------
// Casts, codes shared with CAST_OP in elementwise.ts.

// JS ToInt32 (what Int32Array.from does with a number): truncate toward zero, NaN and
// infinities give 0, anything else is taken modulo 2^32.
inline int32_t WrapToInt32(float x) {
  if (!std::isfinite(x)) return 0;
  // |x| >= 2^31 here is an integer (floats above 2^24 are), and fmod by 2^32 is exact.
  const double m = std::fmod(static_cast<double>(x), 4294967296.0);
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<int64_t>(m)));
}

void CastF32ToI32(const float* x, int32_t* out, int64_t n) {
  constexpr float kTwo31 = 2147483648.f;
  int64_t outOfRange = 0;
  // The common case vectorises; values a plain conversion cannot take are redone after.
#pragma omp simd reduction(+ : outOfRange)
  for (int64_t i = 0; i < n; ++i) {
    const bool inRange = std::fabs(x[i]) < kTwo31;
    out[i] = static_cast<int32_t>(inRange ? x[i] : 0.f);
    outOfRange += inRange ? 0 : 1;
  }
  if (outOfRange == 0) return;
  for (int64_t i = 0; i < n; ++i)
    if (!(std::fabs(x[i]) < kTwo31)) out[i] = WrapToInt32(x[i]);
}

template <class From, class To>
void CastLoop(const From* x, To* out, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<To>(x[i]);
}

template <class From>
void NonZero(const From* x, uint8_t* out, int64_t n) {  // x !== 0: NaN gives 1, -0 gives 0
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] != 0 ? 1 : 0;
}

// A typed array's element type, length and first element, in one N-API call.
struct ArrayView {
  napi_typedarray_type type;
  size_t length;
  void* data;  // already offset by the view's byteOffset
};
ArrayView View(const Napi::Value& v) {
  ArrayView r{};
  if (!v.IsTypedArray() ||
      napi_get_typedarray_info(v.Env(), v, &r.type, &r.length, &r.data, nullptr, nullptr) != napi_ok)
    throw Napi::TypeError::New(v.Env(), "cast: expected typed arrays");
  return r;
}

// cast(op, x, out): 0 float32->int32, 1 float32->bool, 2 int32->float32, 3 bool->float32,
// 4 int32->bool. The caller passes arrays of the matching element types.
Napi::Value CastFn(const Napi::CallbackInfo& info) {
  const int op = I32(info[0]);
  static constexpr napi_typedarray_type kIn[] = {napi_float32_array, napi_float32_array, napi_int32_array,
                                                 napi_uint8_array, napi_int32_array};
  static constexpr napi_typedarray_type kOut[] = {napi_int32_array, napi_uint8_array, napi_float32_array,
                                                  napi_float32_array, napi_uint8_array};
  if (op < 0 || op > 4) throw Napi::RangeError::New(info.Env(), "cast: unknown op");
  const ArrayView in = View(info[1]), res = View(info[2]);
  if (in.type != kIn[op] || res.type != kOut[op])
    throw Napi::TypeError::New(info.Env(), "cast: unexpected array types");
  if (res.length < in.length) throw Napi::RangeError::New(info.Env(), "cast: output too short");
  const void* x = in.data;
  void* out = res.data;
  const int64_t len = static_cast<int64_t>(in.length);
  switch (op) {
    case 0: CastF32ToI32(static_cast<const float*>(x), static_cast<int32_t*>(out), len); break;
    case 1: NonZero(static_cast<const float*>(x), static_cast<uint8_t*>(out), len); break;
    case 2: CastLoop(static_cast<const int32_t*>(x), static_cast<float*>(out), len); break;
    case 3: CastLoop(static_cast<const uint8_t*>(x), static_cast<float*>(out), len); break;
    case 4: NonZero(static_cast<const int32_t*>(x), static_cast<uint8_t*>(out), len); break;
    default: break;
  }
  return info.Env().Undefined();
}

}  // namespace

void RegisterElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, BinaryFn));
  exports.Set("unary", Napi::Function::New(env, UnaryFn));
  exports.Set("cast", Napi::Function::New(env, CastFn));
}

}  // namespace unforget
