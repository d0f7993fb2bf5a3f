{
  "variables": {
    "blas%": "<!(node scripts/detect-blas.mjs)",
    "unforget_arch_flags%": "<!(node scripts/arch-flags.mjs)"
  },
  "targets": [
    {
      "target_name": "unforget_native",
      "sources": [
        "src/native/addon/addon.cc",
        "src/native/addon/matmul.cc",
        "src/native/addon/elementwise.cc",
        "src/native/addon/reduce.cc",
        "src/native/addon/conv.cc",
        "src/native/addon/pool.cc",
        "src/native/addon/loss.cc",
        "src/native/addon/optim.cc",
        "src/native/addon/dense.cc",
        "src/native/addon/penalty.cc",
        "src/native/addon/path-integral.cc",
        "src/native/addon/gemm-portable.cc",
        "src/native/addon/gemm-blas.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=gnu++17", "-O3", "-fexceptions", "-fopenmp-simd", "-fno-math-errno", "-fno-trapping-math", "<@(unforget_arch_flags)"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "gnu++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "<@(unforget_arch_flags)"]
      },
      "conditions": [
        ["blas=='openblas'", {
          "defines": ["UNFORGET_OPENBLAS"],
          "include_dirs": ["<!@(node scripts/detect-blas.mjs --include-dirs)"],
          "libraries": ["-lopenblas"]
        }],
        ["blas=='accelerate'", {
          "defines": ["UNFORGET_ACCELERATE", "ACCELERATE_NEW_LAPACK"],
          "libraries": ["-framework Accelerate"]
        }]
      ]
    }
  ]
}
