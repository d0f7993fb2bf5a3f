// Portable Sgemm for machines without a BLAS library.
// Straightforward loop order chosen so the innermost loop is unit-stride on C and B.
#include <algorithm>
#include <cstring>

#include "gemm.h"

namespace unforget {

void Sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc) {
  for (int i = 0; i < M; ++i) {
    float* c = C + (size_t)i * ldc;
    if (beta == 0.f) std::fill(c, c + N, 0.f);
    else if (beta != 1.f) for (int j = 0; j < N; ++j) c[j] *= beta;
    for (int p = 0; p < K; ++p) {
      const float a = alpha * (transA ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p]);
      if (!transB) {
        const float* b = B + (size_t)p * ldb;
        for (int j = 0; j < N; ++j) c[j] += a * b[j];
      } else {
        for (int j = 0; j < N; ++j) c[j] += a * B[(size_t)j * ldb + p];
      }
    }
  }
}

const char* GemmName() { return "portable"; }
void SetGemmThreads(int) {}
int GetGemmThreads() { return 1; }

}  // namespace unforget
