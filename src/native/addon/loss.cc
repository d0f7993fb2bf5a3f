// Fused softmax cross-entropy: the forward pass (loss per row + probabilities) and its
// gradient, each in one call, where tfjs runs ~10 kernels forward and more backward.
//
// The forward pass mirrors the float32 rounding steps of tfjs's own
// softmaxCrossEntropy (max, x - max, exp, sum, log, max + log, x - lse) so that the two
// agree to the last bit in almost every case. That matters for large logits: with
// |x| ~ 1000 one float32 ulp of the log-sum-exp is 6e-5, so any other rounding order
// would already differ from tfjs by that much. exp and log are evaluated in double and
// rounded, as the cpu backend's Math.exp / Math.log kernels do (float expf for the
// probabilities would save only ~10%); sums accumulate in double in row order, as its
// Sum kernel does.
#include <cmath>

#include "common.h"

namespace unforget {

// One row: loss = -sum(labels * log_softmax(x)), probs = exp(log_softmax(x)).
static float SoftmaxCrossEntropyRow(const float* x, const float* y, float* probs, int64_t classes) {
  // Max with NaN propagating, like tfjs's Max kernel.
  float mx = x[0];
  for (int64_t c = 1; c < classes; ++c) {
    if (std::isnan(x[c]) || x[c] > mx) mx = x[c];
  }
  double sum = 0;
  for (int64_t c = 0; c < classes; ++c) {
    const float shifted = x[c] - mx;
    sum += static_cast<float>(std::exp(static_cast<double>(shifted)));
  }
  const float logSum = static_cast<float>(std::log(static_cast<double>(static_cast<float>(sum))));
  const float lse = mx + logSum;
  double loss = 0;
  for (int64_t c = 0; c < classes; ++c) {
    const float logProb = x[c] - lse;
    probs[c] = static_cast<float>(std::exp(static_cast<double>(logProb)));
    const float term = logProb * y[c];
    loss -= static_cast<double>(term);
  }
  return static_cast<float>(loss);
}

// softmaxCrossEntropy(logits, labels, loss, probs, batch, classes)
// logits, labels, probs: batch x classes (row-major); loss: batch.
static Napi::Value SoftmaxCrossEntropy(const Napi::CallbackInfo& info) {
  const float* logits = F32(info[0]);
  const float* labels = F32(info[1]);
  float* loss = F32(info[2]);
  float* probs = F32(info[3]);
  const int64_t batch = I64(info[4]), classes = I64(info[5]);
  const size_t n = static_cast<size_t>(batch * classes);
  if (batch < 0 || classes < 1 || F32Len(info[0]) < n || F32Len(info[1]) < n || F32Len(info[3]) < n ||
      F32Len(info[2]) < static_cast<size_t>(batch)) {
    throw Napi::RangeError::New(info.Env(), "softmaxCrossEntropy: array lengths do not match the shape");
  }
  for (int64_t r = 0; r < batch; ++r) {
    const size_t off = static_cast<size_t>(r * classes);
    loss[r] = SoftmaxCrossEntropyRow(logits + off, labels + off, probs + off, classes);
  }
  return info.Env().Undefined();
}

// softmaxCrossEntropyGrad(dy, probs, labels, dLogits, dLabels | null, batch, classes, divisor)
// dLogits = (dy[row] / divisor) * (probs - labels), and dLabels = -dLogits, which is what
// tfjs's softmaxCrossEntropy gives for its labels. dy holds one value per row, or a single
// value for every row (the gradient of a mean over rows, with divisor = the row count).
static Napi::Value SoftmaxCrossEntropyGrad(const Napi::CallbackInfo& info) {
  const float* dy = F32(info[0]);
  const size_t dyLen = F32Len(info[0]);
  const float* probs = F32(info[1]);
  const float* labels = F32(info[2]);
  float* dLogits = F32(info[3]);
  float* dLabels = IsNil(info[4]) ? nullptr : F32(info[4]);
  const int64_t batch = I64(info[5]), classes = I64(info[6]);
  const float divisor = static_cast<float>(F64(info[7]));
  const size_t n = static_cast<size_t>(batch * classes);
  if (batch < 0 || classes < 0 || (dyLen != 1 && dyLen != static_cast<size_t>(batch)) ||
      F32Len(info[1]) < n || F32Len(info[2]) < n || F32Len(info[3]) < n ||
      (dLabels && F32Len(info[4]) < n)) {
    throw Napi::RangeError::New(info.Env(), "softmaxCrossEntropyGrad: array lengths do not match the shape");
  }
  for (int64_t r = 0; r < batch; ++r) {
    const float scale = dy[dyLen == 1 ? 0 : r] / divisor;
    const size_t off = static_cast<size_t>(r * classes);
    const float* p = probs + off;
    const float* y = labels + off;
    float* g = dLogits + off;
#pragma omp simd
    for (int64_t c = 0; c < classes; ++c) g[c] = scale * (p[c] - y[c]);
    if (dLabels) {
      float* gl = dLabels + off;
#pragma omp simd
      for (int64_t c = 0; c < classes; ++c) gl[c] = -g[c];
    }
  }
  return info.Env().Undefined();
}

void RegisterLoss(Napi::Env env, Napi::Object exports) {
  exports.Set("softmaxCrossEntropy", Napi::Function::New(env, SoftmaxCrossEntropy));
  exports.Set("softmaxCrossEntropyGrad", Napi::Function::New(env, SoftmaxCrossEntropyGrad));
}

}  // namespace unforget
