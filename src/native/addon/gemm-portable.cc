// unforget's own single-precision GEMM, used where no BLAS library was found at build
// time. It is always compiled, so that tests and benchmarks can compare it with BLAS in
// one process (see SelectGemm in gemm-blas.cc).
//
// The structure is the Goto/BLIS one. For C = alpha * op(A) @ op(B) + beta * C:
//
//   for each block of KC along K:            C is updated once per K block
//     for each chunk of MC rows of A:        pack A[chunk, kblock] into MR-row slivers
//       for each block of NC columns of B:   pack B[kblock, nblock] into NR-column slivers
//         for each MR-row sliver of A:       this sliver stays in L1 ...
//           for each NR-column sliver of B:  ... while the micro-kernel streams B from L2
//             C[MR x NR tile] (+)= sliver of A @ sliver of B, the tile held in registers
//
// Packing copies each operand once per block into the exact order the micro-kernel reads
// it (contiguous, aligned, zero-padded to whole slivers), so the kernel never needs to know
// about transposes, leading dimensions or ragged edges: edges are handled by computing a
// full tile on the zero padding and writing back only its valid part.
#include "gemm.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

#include "parallel.h"

namespace unforget {
namespace {

// ---- Register tile -------------------------------------------------------------------
// The micro-kernel keeps an MR x NR tile of C in vector registers (NR = NV vectors of
// kVec floats) and, per step along K, loads NV vectors of B and broadcasts MR values of A:
// MR * NV fused multiply-adds per NV + MR loads. The tile is as large as the register file
// allows, leaving room for the B vectors and one broadcast:
//   AVX-512 (32 registers of 16 floats): 8 x 32 -> 16 accumulators. Larger tiles (12 x 32)
//     were no faster here and waste more on the M = 32 batches of the MLP benchmarks.
//   AVX/AVX2 (16 registers of 8 floats): 6 x 16 -> 12 accumulators + 2 + 1 = 15 registers.
//   Anything else (SSE2, NEON, other targets): 4-float vectors, 6 x 8 tile.
// Products no wider than one vector (the 10 classes of a classifier's last layer) use a
// tile one vector wide instead (NV = 1): a 32-wide tile would spend 2/3 of its work on
// zero padding there.
#if defined(__AVX512F__)
#define UNFORGET_VEC 16
constexpr int MR = 8, kWideNV = 2;
#elif defined(__AVX__)
#define UNFORGET_VEC 8
constexpr int MR = 6, kWideNV = 2;
#else
#define UNFORGET_VEC 4
constexpr int MR = 6, kWideNV = 2;
#endif
constexpr int kVec = UNFORGET_VEC;
constexpr int NR = kWideNV * kVec;  // the widest tile

// ---- Cache blocking ------------------------------------------------------------------
// KC: the A sliver the kernel keeps in L1 is MR x KC floats (8 KiB for AVX-512 at 256),
//     well inside a 32-48 KiB L1d beside the B rows streaming through. A longer KC means
//     fewer passes over C; 256 measured as fast as 384 and faster than 128.
// NC: the packed B block (KC x NC floats) is re-read for every MR sliver of A, so it must
//     stay in L2: 256 x 512 floats = 512 KiB, half of a 1 MiB L2 (Zen 4, Skylake-SP and
//     later Intel have 1-2 MiB; on a 512 KiB L2 it spills partly to L3, still correct).
// MC: the packed A chunk (MC x KC floats, 1 MiB at 1024) only needs to stay in L3; a
//     large chunk means B is repacked rarely (once per MC rows of C).
constexpr int KC = 256;
constexpr int NC = 512;
constexpr int MC = 1024 / MR * MR;  // whole slivers: 1024 (AVX-512) or 1020
static_assert(MC % MR == 0 && NC % NR == 0, "blocks must be whole slivers");

constexpr size_t kAlign = 64;  // a cache line, and the widest vector

/** Packing space of one worker: an A chunk and a B block, 64-byte aligned. */
class PackBuffers {
 public:
  /**
   * Allocates once, on the caller's thread: std::bad_alloc then reaches JavaScript as an
   * exception, where in a helper thread it would end the process.
   */
  void Allocate() {
    if (memory_) return;
    const size_t bytes = (kASize + kBSize) * sizeof(float);
    memory_.reset(static_cast<float*>(::operator new(bytes, std::align_val_t(kAlign))));
  }
  float* a() const { return memory_.get(); }
  float* b() const { return memory_.get() + kASize; }

 private:
  static constexpr size_t kASize = (size_t)MC * KC;
  static constexpr size_t kBSize = (size_t)NC * KC;
  struct Free {
    void operator()(float* p) const { ::operator delete(p, std::align_val_t(kAlign)); }
  };
  std::unique_ptr<float, Free> memory_;
};

// ---- Packing -------------------------------------------------------------------------
#if defined(__GNUC__)
// Eight floats, whatever the target's vector width (GCC splits or joins them as needed).
typedef float V8 __attribute__((vector_size(8 * sizeof(float))));
#if defined(__clang__) || __GNUC__ >= 12
#define UNFORGET_SHUFFLE(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
typedef int V8i __attribute__((vector_size(8 * sizeof(int))));
#define UNFORGET_SHUFFLE(a, b, ...) __builtin_shuffle(a, b, V8i{__VA_ARGS__})
#endif

/** dst[c * ldd + r] = src[r * ld + c] for an 8 x 8 block, in registers (3 rounds of shuffles). */
inline void Transpose8x8(const float* src, size_t ld, float* dst, size_t ldd) {
  V8 r[8];
  for (int i = 0; i < 8; ++i) std::memcpy(&r[i], src + i * ld, sizeof(V8));
  // Interleave rows pairwise: t[2i] holds columns 0,1 | 4,5 of rows 2i and 2i+1, t[2i+1] 2,3 | 6,7.
  V8 t[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = UNFORGET_SHUFFLE(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[i + 1] = UNFORGET_SHUFFLE(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  // Pairs of pairs: u[4h + c] holds column c | c + 4 of rows 4h .. 4h + 3.
  V8 u[8];
  for (int h = 0; h < 8; h += 4) {
    u[h + 0] = UNFORGET_SHUFFLE(t[h], t[h + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    u[h + 1] = UNFORGET_SHUFFLE(t[h], t[h + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    u[h + 2] = UNFORGET_SHUFFLE(t[h + 1], t[h + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    u[h + 3] = UNFORGET_SHUFFLE(t[h + 1], t[h + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  // Halves: column c of rows 0-3 and 4-7.
  for (int c = 0; c < 4; ++c) {
    const V8 lo = UNFORGET_SHUFFLE(u[c], u[c + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    const V8 hi = UNFORGET_SHUFFLE(u[c], u[c + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    std::memcpy(dst + c * ldd, &lo, sizeof(V8));
    std::memcpy(dst + (c + 4) * ldd, &hi, sizeof(V8));
  }
}
#undef UNFORGET_SHUFFLE
#endif

/**
 * dst[c * ldd + r] = src[r * ld + c] for r < rows, c < cols: the packing of an operand
 * whose rows run across the sliver (A not transposed, B transposed). Copied element by
 * element, this costs one store per float, as much as the product itself for the small
 * batches of the MLP benchmarks; 8 x 8 blocks transposed in registers store 8 at once.
 */
void Transpose(const float* src, size_t ld, int rows, int cols, float* dst, size_t ldd) {
  int r0 = 0;
#if defined(__GNUC__)
  for (; r0 + 8 <= rows; r0 += 8) {
    int c0 = 0;
    for (; c0 + 8 <= cols; c0 += 8) Transpose8x8(src + r0 * ld + c0, ld, dst + c0 * ldd + r0, ldd);
    for (; c0 < cols; ++c0)
      for (int r = r0; r < r0 + 8; ++r) dst[c0 * ldd + r] = src[r * ld + c0];
  }
#endif
  for (; r0 < rows; ++r0) {
    const float* s = src + r0 * ld;
    for (int c = 0; c < cols; ++c) dst[c * ldd + r0] = s[c];
  }
}

// op(A) is M x K: element (i, p) is A[i * lda + p], or A[p * lda + i] when transposed.
// Packed A: for each sliver of MR rows, for each p, the MR values of column p.
void PackA(bool trans, const float* A, int lda, int i0, int mc, int p0, int kc, float* dst) {
  for (int s = 0; s < mc; s += MR, dst += (size_t)MR * kc) {
    const int rows = std::min(MR, mc - s);
    if (trans) {
      for (int p = 0; p < kc; ++p) {
        const float* src = A + (size_t)(p0 + p) * lda + i0 + s;
        float* d = dst + (size_t)p * MR;
        for (int r = 0; r < rows; ++r) d[r] = src[r];
        for (int r = rows; r < MR; ++r) d[r] = 0.f;
      }
    } else {
      Transpose(A + (size_t)(i0 + s) * lda + p0, lda, rows, kc, dst, MR);
      for (int p = 0; p < kc; ++p)
        for (int r = rows; r < MR; ++r) dst[(size_t)p * MR + r] = 0.f;
    }
  }
}

// op(B) is K x N: element (p, j) is B[p * ldb + j], or B[j * ldb + p] when transposed.
// Packed B: for each sliver of NR = NV * kVec columns, for each p, the NR values of row p.
template <int NV>
void PackB(bool trans, const float* B, int ldb, int p0, int kc, int j0, int nc, float* dst) {
  constexpr int NR = NV * kVec;
  for (int s = 0; s < nc; s += NR, dst += (size_t)NR * kc) {
    const int cols = std::min(NR, nc - s);
    if (!trans) {
      for (int p = 0; p < kc; ++p) {
        const float* src = B + (size_t)(p0 + p) * ldb + j0 + s;
        float* d = dst + (size_t)p * NR;
        if (cols == NR) {
          std::memcpy(d, src, NR * sizeof(float));
        } else {
          for (int j = 0; j < cols; ++j) d[j] = src[j];
          for (int j = cols; j < NR; ++j) d[j] = 0.f;
        }
      }
    } else {
      Transpose(B + (size_t)(j0 + s) * ldb + p0, ldb, cols, kc, dst, NR);
      for (int p = 0; p < kc; ++p)
        for (int j = cols; j < NR; ++j) dst[(size_t)p * NR + j] = 0.f;
    }
  }
}

// ---- Micro-kernel --------------------------------------------------------------------
// Writes C[tile] = alpha * acc + beta * C[tile], or alpha * acc when beta == 0 (then C is
// not read: it may hold garbage such as NaN). Only the valid rows x cols part is written;
// acc holds rows of `width` values.
inline void StoreTile(const float* acc, int width, int rows, int cols, float alpha, float beta, float* C,
                      int ldc) {
  for (int i = 0; i < rows; ++i) {
    float* c = C + (size_t)i * ldc;
    const float* t = acc + i * width;
    if (beta == 0.f) {
      for (int j = 0; j < cols; ++j) c[j] = alpha * t[j];
    } else if (beta == 1.f) {
      for (int j = 0; j < cols; ++j) c[j] += alpha * t[j];
    } else {
      for (int j = 0; j < cols; ++j) c[j] = alpha * t[j] + beta * c[j];
    }
  }
}

#if defined(__GNUC__)
// GCC and clang: generic vectors, lowered to whatever SIMD the target flags enable (or to
// scalar code without any). `scalar * vector` broadcasts the scalar.
typedef float Vec __attribute__((vector_size(kVec * sizeof(float))));

inline Vec LoadU(const float* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);  // an unaligned vector load
  return v;
}
inline void StoreU(float* p, Vec v) { std::memcpy(p, &v, sizeof v); }

/** One MR x NR tile of C from an MR x kc sliver of packed A and a kc x NR sliver of packed B. */
template <int NV>
void MicroKernel(int kc, const float* __restrict a, const float* __restrict b, float alpha, float beta,
                 float* C, int ldc, int rows, int cols) {
  constexpr int NR = NV * kVec;
  Vec acc[MR][NV] = {};
  for (int p = 0; p < kc; ++p, a += MR, b += NR) {
    Vec bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = LoadU(b + v * kVec);
    for (int i = 0; i < MR; ++i) {
      const float ai = a[i];
      for (int v = 0; v < NV; ++v) acc[i][v] += ai * bv[v];
    }
  }
  if (rows == MR && cols == NR) {
    for (int i = 0; i < MR; ++i) {
      float* c = C + (size_t)i * ldc;
      for (int v = 0; v < NV; ++v) {
        Vec r = alpha * acc[i][v];
        if (beta == 1.f) r += LoadU(c + v * kVec);
        else if (beta != 0.f) r += beta * LoadU(c + v * kVec);
        StoreU(c + v * kVec, r);
      }
    }
    return;
  }
  alignas(kAlign) float tile[MR * NR];
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) StoreU(tile + i * NR + v * kVec, acc[i][v]);
  StoreTile(tile, NR, rows, cols, alpha, beta, C, ldc);
}
#else
// Other compilers: the same kernel over plain arrays, which they may vectorise themselves.
template <int NV>
void MicroKernel(int kc, const float* a, const float* b, float alpha, float beta, float* C, int ldc,
                 int rows, int cols) {
  constexpr int NR = NV * kVec;
  float acc[MR * NR] = {};
  for (int p = 0; p < kc; ++p, a += MR, b += NR)
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) acc[i * NR + j] += a[i] * b[j];
  StoreTile(acc, NR, rows, cols, alpha, beta, C, ldc);
}
#endif

// ---- Blocked product -----------------------------------------------------------------
struct Problem {
  bool transA, transB;
  int M, N, K;
  float alpha;
  const float* A;
  int lda;
  const float* B;
  int ldb;
  float beta;
  float* C;
  int ldc;
};

/**
 * C[i0:i1, j0:j1] of the product on tiles NV vectors wide, with one worker's packing
 * buffers (K > 0, alpha != 0).
 */
template <int NV>
void BlockedProduct(const Problem& q, int i0, int i1, int j0, int j1, PackBuffers& buffers) {
  constexpr int NR = NV * kVec;
  float* packedA = buffers.a();
  float* packedB = buffers.b();
  for (int p0 = 0; p0 < q.K; p0 += KC) {
    const int kc = std::min(KC, q.K - p0);
    const float beta = p0 == 0 ? q.beta : 1.f;  // later K blocks accumulate onto the first
    for (int ic = i0; ic < i1; ic += MC) {
      const int mc = std::min(MC, i1 - ic);
      PackA(q.transA, q.A, q.lda, ic, mc, p0, kc, packedA);
      for (int jc = j0; jc < j1; jc += NC) {
        const int nc = std::min(NC, j1 - jc);
        PackB<NV>(q.transB, q.B, q.ldb, p0, kc, jc, nc, packedB);
        for (int ir = 0; ir < mc; ir += MR) {
          const float* a = packedA + (size_t)ir * kc;
          for (int jr = 0; jr < nc; jr += NR) {
            MicroKernel<NV>(kc, a, packedB + (size_t)jr * kc, q.alpha, beta,
                            q.C + (size_t)(ic + ir) * q.ldc + jc + jr, q.ldc, std::min(MR, mc - ir),
                            std::min(NR, nc - jr));
          }
        }
      }
    }
  }
}

/** C = beta * C, for products with nothing to add (K == 0 or alpha == 0). */
void ScaleC(const Problem& q) {
  for (int i = 0; i < q.M; ++i) {
    float* c = q.C + (size_t)i * q.ldc;
    if (q.beta == 0.f) std::fill(c, c + q.N, 0.f);
    else if (q.beta != 1.f) for (int j = 0; j < q.N; ++j) c[j] *= q.beta;
  }
}

// Threads: each thread gets at least this many multiply-adds (25 MFLOP, ~0.25 ms), so only
// products of 50 MFLOP and more are split. Measured on 2 Zen 4 cores (best of 60 runs):
// 2 threads take 256 x 256 x 784 from 107 to 168 GFLOP/s and 1024^3 from 105 to 188
// (OpenBLAS: 104 -> 195, 99 -> 196); but splitting the 12.8 MFLOP products of the small
// MLP gained little (93 -> 112 at best) as starting and joining a thread costs 20-80 us,
// and lost badly (down to 11) when the other core was busy. With the persistent workers of
// parallel.h a lower threshold (2e6) still did not pay on that MLP's training step
// (42-47k samples/s against 46-48k), so it stays.
constexpr double kMinMaddsPerThread = 12.5e6;
// Bands per thread, handed out in turn, so a thread slowed by other work takes fewer...
constexpr int kBandsPerThread = 4;
// ... but none narrower than this many slivers: each band packs the other operand again.
constexpr int kMinBandSlivers = 4;
int HardwareThreads() { return (int)std::max(1u, std::thread::hardware_concurrency()); }
// Like OpenBLAS, every core by default; SetGemmThreads (UNFORGET_THREADS) changes it.
std::atomic<int> g_threads{HardwareThreads()};

/** Splits [0, n) into `parts` ranges whose bounds are multiples of `unit`. */
int SplitBound(int n, int parts, int part, int unit) {
  if (part >= parts) return n;
  const int units = (n + unit - 1) / unit;
  return std::min(n, (int)((long long)units * part / parts) * unit);
}

}  // namespace

void SetPortableThreads(int n) {
  g_threads.store(n < 1 ? HardwareThreads() : std::min(n, HardwareThreads()), std::memory_order_relaxed);
}
int GetPortableThreads() { return g_threads.load(std::memory_order_relaxed); }

void PortableSgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
                   const float* B, int ldb, float beta, float* C, int ldc) {
  if (M <= 0 || N <= 0) return;
  const Problem q{transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc};
  if (K <= 0 || alpha == 0.f) return ScaleC(q);

  // Packing space: thread-local so concurrent callers (worker_threads) never share it;
  // the caller also owns its helpers' buffers, allocated once and reused by later calls.
  thread_local std::vector<PackBuffers> callerBuffers(1);
  // A named reference: inside the helpers' lambda, `callerBuffers` itself would name the
  // helper thread's own (empty) instance.
  std::vector<PackBuffers>& buffers = callerBuffers;
  const double madds = (double)M * N * K;
  const int threads = std::max(1, std::min(GetPortableThreads(), (int)(madds / kMinMaddsPerThread)));
  buffers[0].Allocate();
  if (N <= kVec) return BlockedProduct<1>(q, 0, M, 0, N, buffers[0]);  // never split: N is tiny
  if (threads == 1) return BlockedProduct<kWideNV>(q, 0, M, 0, N, buffers[0]);

  // Split C into bands along its longer side. Each band is a whole blocked product of its
  // own, packing the other operand again: for bands of a few slivers or more, a small cost
  // beside the multiply-adds, and no thread ever waits for another's packing.
  if ((int)buffers.size() < threads) buffers.resize(threads);
  for (int t = 1; t < threads; ++t) buffers[t].Allocate();
  const bool splitRows = M >= N;
  const int length = splitRows ? M : N, unit = splitRows ? MR : NR;
  const int bands = std::max(threads, std::min(threads * kBandsPerThread, length / (kMinBandSlivers * unit)));
  std::atomic<int> next{0};
  auto work = [&](int t) {
    for (int b; (b = next.fetch_add(1, std::memory_order_relaxed)) < bands;) {
      const int lo = SplitBound(length, bands, b, unit), hi = SplitBound(length, bands, b + 1, unit);
      if (splitRows) BlockedProduct<kWideNV>(q, lo, hi, 0, N, buffers[t]);
      else BlockedProduct<kWideNV>(q, 0, M, lo, hi, buffers[t]);
    }
  };
  parallel::RunParallel(threads, work);
}

}  // namespace unforget
