// Sgemm over a system CBLAS: OpenBLAS on Linux, Accelerate on macOS.
#include "gemm.h"

#if defined(UNFORGET_ACCELERATE)
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

namespace unforget {

void Sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, M,
              N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

#if defined(UNFORGET_ACCELERATE)
const char* GemmName() { return "accelerate"; }
void SetGemmThreads(int) {}  // Accelerate manages its own threads.
int GetGemmThreads() { return 0; }
#else
const char* GemmName() { return "openblas"; }
void SetGemmThreads(int n) { openblas_set_num_threads(n); }
int GetGemmThreads() { return openblas_get_num_threads(); }
#endif

}  // namespace unforget
