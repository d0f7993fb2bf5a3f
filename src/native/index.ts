export { NativeBackend, type NativeBackendOptions } from './native-backend.js';
export {
  registerNativeBackend,
  nativeKernelNames,
  nativeOptionsFromEnv,
  NATIVE_BACKEND,
} from './register.js';
export { loadAddon } from './addon-loader.js';
export type { NativeAddon } from './addon-api.js';
