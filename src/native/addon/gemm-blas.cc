// Which GEMM Sgemm runs, and the GEMM's JavaScript face (RegisterGemm).
//
// Built with a system BLAS (binding.gyp defines UNFORGET_OPENBLAS or UNFORGET_ACCELERATE
// when scripts/detect-blas.mjs finds one), Sgemm runs its cblas_sgemm by default and
// setGemm('portable') switches to unforget's own kernel at run time, so the two can be
// measured in one process. Built without one, Sgemm is the portable kernel.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <thread>

#include "common.h"
#include "gemm.h"

#if defined(UNFORGET_ACCELERATE)
#include <Accelerate/Accelerate.h>
#define UNFORGET_BLAS_NAME "accelerate"
#elif defined(UNFORGET_OPENBLAS)
#include <cblas.h>
#define UNFORGET_BLAS_NAME "openblas"
// Declared by OpenBLAS's cblas.h, but not by the reference cblas.h that some systems
// resolve <cblas.h> to while libopenblas provides the symbols.
extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);
#endif

namespace unforget {

#if defined(UNFORGET_BLAS_NAME)
// `auto` (the default of the JS side) sends small products to the portable GEMM and large
// ones to the BLAS. Measured on the training benchmarks (docs/performance.md): the two are
// equally fast single-threaded, but OpenBLAS's idle workers spin for a while after every
// call and take the cores that the JS thread and our own workers need, which made small-
// batch training erratic (22k-53k samples/s on the small MLP); on products large enough to
// split across cores OpenBLAS's threading is the better one.
enum GemmMode { kBlas = 0, kPortable = 1, kAuto = 2 };
// Multiply-adds from which `auto` uses the BLAS: the size from which the portable GEMM
// itself would split a product across threads (gemm-portable.cc, 2 x 12.5e6).
constexpr double kAutoBlasMadds = 25e6;
// Read on every Sgemm call, written by setGemm (atomic: worker_threads may share the addon).
static std::atomic<int> g_mode{kBlas};

void Sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc) {
  const int mode = g_mode.load(std::memory_order_relaxed);
  if (mode == kPortable || (mode == kAuto && (double)M * N * K < kAutoBlasMadds)) {
    return PortableSgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  }
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, M,
              N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

const char* GemmName() {
  const int mode = g_mode.load(std::memory_order_relaxed);
  return mode == kPortable ? "portable" : mode == kAuto ? "auto" : UNFORGET_BLAS_NAME;
}

bool SelectGemm(const char* name) {
  if (std::strcmp(name, "portable") == 0) g_mode = kPortable;
  else if (std::strcmp(name, "auto") == 0) g_mode = kAuto;
  else if (std::strcmp(name, "blas") == 0 || std::strcmp(name, UNFORGET_BLAS_NAME) == 0) g_mode = kBlas;
  else return false;
  return true;
}

void SetGemmThreads(int n) {
  SetPortableThreads(n);
#if defined(UNFORGET_OPENBLAS)
  openblas_set_num_threads(n < 1 ? (int)std::thread::hardware_concurrency() : n);
#endif  // Accelerate manages its own threads.
}

int GetGemmThreads() {
  if (g_mode.load(std::memory_order_relaxed) != kBlas) return GetPortableThreads();
#if defined(UNFORGET_OPENBLAS)
  return openblas_get_num_threads();
#else
  return 0;  // Accelerate does not say.
#endif
}

static const char* const kGemms[] = {UNFORGET_BLAS_NAME, "portable", "auto"};
#else
void Sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc) {
  PortableSgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
const char* GemmName() { return "portable"; }
// Without a BLAS, `auto` is the portable GEMM.
bool SelectGemm(const char* name) { return std::strcmp(name, "portable") == 0 || std::strcmp(name, "auto") == 0; }
void SetGemmThreads(int n) { SetPortableThreads(n); }
int GetGemmThreads() { return GetPortableThreads(); }

static const char* const kGemms[] = {"portable"};
#endif

// ---- JavaScript --------------------------------------------------------------------------

static Napi::Value GetGemm(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), GemmName()); }

// setGemm(name): 'portable', 'auto', or 'blas' / 'openblas' / 'accelerate' where linked.
static Napi::Value SetGemm(const Napi::CallbackInfo& info) {
  const std::string name = info[0].ToString().Utf8Value();
  if (!SelectGemm(name.c_str())) {
    std::string have;
    for (const char* g : kGemms) have += std::string(have.empty() ? "" : ", ") + g;
    throw Napi::Error::New(info.Env(),
                           "setGemm: this build of the addon has no GEMM \"" + name + "\" (it has " + have + ")");
  }
  return info.Env().Undefined();
}

/** Throws unless `len` floats reach element (rows - 1, cols - 1) with leading dimension ld. */
static void CheckMatrix(Napi::Env env, const char* what, size_t len, int rows, int cols, int ld) {
  if (rows < 0 || cols < 0 || ld < std::max(1, cols)) {
    throw Napi::RangeError::New(env, std::string("portableMatmul: bad shape or leading dimension of ") + what);
  }
  if (rows > 0 && cols > 0 && (size_t)(rows - 1) * ld + cols > len) {
    throw Napi::RangeError::New(env, std::string("portableMatmul: ") + what + " is too short");
  }
}

// portableMatmul(a, b, out, m, n, k, transA, transB, alpha = 1, beta = 0, lda?, ldb?, ldc?)
// out = alpha * op(a) @ op(b) + beta * out on the portable GEMM, whatever Sgemm runs; a is
// m x k (k x m when transposed), b is k x n (n x k), out m x n, row-major, leading
// dimensions defaulting to the row lengths.
static Napi::Value PortableMatmul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int M = I32(info[3]), N = I32(info[4]), K = I32(info[5]);
  const bool tA = Bool(info[6]), tB = Bool(info[7]);
  const float alpha = IsNil(info[8]) ? 1.f : (float)F64(info[8]);
  const float beta = IsNil(info[9]) ? 0.f : (float)F64(info[9]);
  const int lda = IsNil(info[10]) ? std::max(1, tA ? M : K) : I32(info[10]);
  const int ldb = IsNil(info[11]) ? std::max(1, tB ? K : N) : I32(info[11]);
  const int ldc = IsNil(info[12]) ? std::max(1, N) : I32(info[12]);
  CheckMatrix(env, "a", F32Len(info[0]), tA ? K : M, tA ? M : K, lda);
  CheckMatrix(env, "b", F32Len(info[1]), tB ? N : K, tB ? K : N, ldb);
  CheckMatrix(env, "out", F32Len(info[2]), M, N, ldc);
  PortableSgemm(tA, tB, M, N, K, alpha, F32(info[0]), lda, F32(info[1]), ldb, beta, F32(info[2]), ldc);
  return env.Undefined();
}

void RegisterGemm(Napi::Env env, Napi::Object exports) {
  exports.DefineProperty(Napi::PropertyDescriptor::Accessor<GetGemm>("gemm", napi_enumerable));
  Napi::Array gemms = Napi::Array::New(env);
  for (const char* name : kGemms) gemms.Set(gemms.Length(), Napi::String::New(env, name));
  exports.Set("gemms", gemms);
  exports.Set("setGemm", Napi::Function::New(env, SetGemm));
  exports.Set("portableMatmul", Napi::Function::New(env, PortableMatmul));
}

}  // namespace unforget
