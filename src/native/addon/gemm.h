// Row-major single-precision GEMM: C = alpha * op(A) @ op(B) + beta * C.
// Implemented by gemm-blas.cc (OpenBLAS / Accelerate cblas_sgemm) or, where no BLAS
// was found at build time, by gemm-portable.cc (our own blocked kernel).
#pragma once

namespace unforget {

void Sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc);

// Name of the GEMM implementation compiled in: "openblas", "accelerate" or "portable".
const char* GemmName();
void SetGemmThreads(int n);
int GetGemmThreads();

}  // namespace unforget
