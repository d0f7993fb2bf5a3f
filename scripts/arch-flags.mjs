// Prints the CPU-specific compiler flags for the native addon.
// The addon is always compiled on the machine that runs it (npm install builds it), so
// -march=native is safe there and lets the compiler use AVX2/AVX-512 in our loops.
// A build meant to be copied to other machines sets UNFORGET_PORTABLE_BUILD=1 and gets
// the baseline instruction set instead. scripts/build-addon.mjs records which CPU the
// build was made for, and src/native/addon-loader.ts refuses a build made for another CPU.
// On architectures not listed here no flag is given: not every compiler accepts
// -mcpu=native everywhere, and a rejected flag would cost the whole addon.
const NATIVE_FLAGS = {
  x64: '-march=native',
  ia32: '-march=native',
  arm64: '-mcpu=native',
  ppc64: '-mcpu=native',
};
const portable = process.env.UNFORGET_PORTABLE_BUILD === '1';
process.stdout.write(portable ? '' : (NATIVE_FLAGS[process.arch] ?? ''));
