// BatchMatMul and _FusedMatMul: out[b] = act(op(A[b]) @ op(B[b]) + bias).
#include <algorithm>
#include <cstring>

#include "common.h"
#include "gemm.h"

namespace unforget {

// matmul(a, b, out, batchA, batchB, M, N, K, transA, transB, bias | null, act, alpha)
// A batch of 1 broadcasts. bias holds N (one row), M*N (one matrix) or batch*M*N values.
static Napi::Value MatMul(const Napi::CallbackInfo& info) {
  const float* A = F32(info[0]);
  const float* B = F32(info[1]);
  float* C = F32(info[2]);
  const int batchA = I32(info[3]), batchB = I32(info[4]);
  const int M = I32(info[5]), N = I32(info[6]), K = I32(info[7]);
  const bool tA = Bool(info[8]), tB = Bool(info[9]);
  const float* bias = OptF32(info[10]);
  const size_t biasLen = bias ? F32Len(info[10]) : 0;
  const int act = I32(info[11]);
  const float alpha = (float)F64(info[12]);
  const int batch = std::max(batchA, batchB);
  const size_t mn = (size_t)M * N;
  if (mn == 0) return info.Env().Undefined();
  const int lda = std::max(1, tA ? M : K), ldb = std::max(1, tB ? K : N);
  for (int b = 0; b < batch; ++b) {
    float* Cb = C + (size_t)b * mn;
    float beta = 0.f;
    if (bias) {
      if (biasLen == (size_t)N) {
        for (int i = 0; i < M; ++i) std::memcpy(Cb + (size_t)i * N, bias, N * sizeof(float));
      } else if (biasLen == mn) {
        std::memcpy(Cb, bias, mn * sizeof(float));
      } else {
        std::memcpy(Cb, bias + (size_t)b * mn, mn * sizeof(float));
      }
      beta = 1.f;
    }
    if (K == 0) {
      if (!bias) std::memset(Cb, 0, mn * sizeof(float));
      continue;
    }
    const float* Ab = A + (batchA == 1 ? 0 : (size_t)b * M * K);
    const float* Bb = B + (batchB == 1 ? 0 : (size_t)b * K * N);
    Sgemm(tA, tB, M, N, K, 1.f, Ab, lda, Bb, ldb, beta, Cb, N);
  }
  ApplyActivation(C, (size_t)batch * mn, act, alpha);
  return info.Env().Undefined();
}

void RegisterMatmul(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, MatMul));
}

}  // namespace unforget
