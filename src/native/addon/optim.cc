// Optim kernels of the unforget native addon.
#include "common.h"

namespace unforget {

void RegisterOptim(Napi::Env env, Napi::Object exports) {
  (void)env;
  (void)exports;
}

}  // namespace unforget
