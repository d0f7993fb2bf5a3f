// exp, log and tanh in double precision, written so that a loop over them vectorises
// (no calls, no branches: every special case is a select).
//
// tfjs's cpu kernels compute Math.exp/log/tanh in double and round the result to float32.
// These functions take a float32 input widened to double and are accurate to about 1e-14
// relative, so after rounding to float32 they give tfjs's result except when the exact
// value lies within ~1e-14 of a float32 rounding midpoint (then they may differ by 1 ulp).
#pragma once
#include <cstdint>
#include <cstring>
#include <limits>

namespace unforget {
namespace ewmath {

inline uint64_t Bits(double x) {
  uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
inline double FromBits(uint64_t u) {
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

// e^x. x is clamped to +-708 so that 2^n stays a normal double: any float32 input outside
// that range already gives 0 or +inf once rounded to float32, even after 1/(1+e^x).
inline double Exp(double x) {
  constexpr double kLog2e = 1.4426950408889634074;
  // ln 2 split so that n * kLn2Hi is exact for |n| < 2^11 (fdlibm's constants).
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  // 1.5 * 2^52: adding it leaves round(y) in the low mantissa bits.
  constexpr double kShift = 6755399441055744.0;
  x = x < -708.0 ? -708.0 : x;  // comparisons with NaN are false: NaN flows through
  x = x > 708.0 ? 708.0 : x;
  const double t = x * kLog2e + kShift;
  const double n = t - kShift;
  const double r = (x - n * kLn2Hi) - n * kLn2Lo;  // |r| <= ln2/2 (+ rounding)
  // Taylor series to r^11: truncation error < 0.35^12/12! ~ 6e-15.
  double p = 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  // 2^n from the integer in t's low bits; n is in [-1022, 1022] here (garbage for NaN,
  // but then p is NaN and so is the product).
  const uint64_t k = Bits(t) - Bits(kShift);
  const double scale = FromBits((k + 1023) << 52);
  return p * scale;
}

// Natural log of a float32 value widened to double (float32 subnormals are normal doubles).
inline double Log(double x) {
  constexpr double kLn2 = 0.69314718055994530942;
  // Split x = 2^e * m with m in [sqrt(1/2), sqrt(2)): subtracting sqrt(1/2)'s bit pattern
  // makes the exponent field of the difference the wanted e.
  const uint64_t u = Bits(x);
  const int64_t e = static_cast<int64_t>(u - Bits(0.70710678118654752440)) >> 52;
  const double m = FromBits(u - (static_cast<uint64_t>(e) << 52));
  // log m = 2 atanh(f), f = (m-1)/(m+1), |f| <= 0.1716; the odd series to f^17 is
  // accurate to ~1e-15 relative.
  const double f = (m - 1.0) / (m + 1.0);
  const double s = f * f;
  double p = 2.0 / 17.0;
  p = p * s + 2.0 / 15.0;
  p = p * s + 2.0 / 13.0;
  p = p * s + 2.0 / 11.0;
  p = p * s + 2.0 / 9.0;
  p = p * s + 2.0 / 7.0;
  p = p * s + 2.0 / 5.0;
  p = p * s + 2.0 / 3.0;
  p = p * s + 2.0;
  double y = static_cast<double>(e) * kLn2 + f * p;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  y = x == 0.0 ? -kInf : y;
  y = x == kInf ? kInf : y;
  y = x < 0.0 ? std::numeric_limits<double>::quiet_NaN() : y;
  y = x != x ? x : y;
  return y;
}

// tanh: an odd Taylor polynomial near 0 (where 1 - e^{-2|x|} would cancel), and
// (1 - e^{-2|x|}) / (1 + e^{-2|x|}) elsewhere.
inline double Tanh(double x) {
  const double ax = x < 0.0 ? -x : x;
  // |x| < 0.05: terms to x^9; the first omitted one is < 0.009 x^11, i.e. < 1e-15 relative.
  const double s = x * x;
  double p = 62.0 / 2835.0;
  p = p * s - 17.0 / 315.0;
  p = p * s + 2.0 / 15.0;
  p = p * s - 1.0 / 3.0;
  const double small = x * (1.0 + s * p);  // keeps tanh(-0) = -0
  const double t = Exp(-2.0 * ax);
  double big = (1.0 - t) / (1.0 + t);  // |x| >= 0.05: 1 - t >= 0.095, no cancellation
  big = x < 0.0 ? -big : big;
  return ax < 0.05 ? small : big;  // NaN: ax < 0.05 is false and big is NaN
}

}  // namespace ewmath
}  // namespace unforget
