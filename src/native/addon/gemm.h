// Row-major single-precision GEMM: C = alpha * op(A) @ op(B) + beta * C, where op(X) is X
// or its transpose. beta == 0 means C is only written (it may hold garbage, NaN included).
//
// Sgemm runs the selected implementation: a system BLAS (OpenBLAS on Linux, Accelerate on
// macOS; gemm-blas.cc) when the addon was linked with one, else unforget's own blocked
// kernel (PortableSgemm; gemm-portable.cc), which is always compiled in.
#pragma once

namespace unforget {

void Sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc);

// Name of the GEMM Sgemm runs now: "openblas", "accelerate" or "portable".
const char* GemmName();
// Selects the GEMM: "portable", or "blas" / the BLAS's own name where one is linked.
// Returns false (and changes nothing) for a GEMM this build does not have.
bool SelectGemm(const char* name);
// Threads of the GEMM(s); n < 1 means every core.
void SetGemmThreads(int n);
int GetGemmThreads();

// unforget's own GEMM, callable directly whatever Sgemm runs.
void PortableSgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
                   const float* B, int ldb, float beta, float* C, int ldc);
void SetPortableThreads(int n);
int GetPortableThreads();

}  // namespace unforget
