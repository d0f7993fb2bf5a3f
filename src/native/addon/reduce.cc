// Reduce kernels of the unforget native addon.
#include "common.h"

namespace unforget {

void RegisterReduce(Napi::Env env, Napi::Object exports) {
  (void)env;
  (void)exports;
}

}  // namespace unforget
