// Which BLAS the native addon links: "openblas", "accelerate" or "none" (then the addon's
// own portable GEMM does all the work; src/native/addon/gemm-portable.cc).
//
//   node scripts/detect-blas.mjs                 prints the choice (binding.gyp's `blas`)
//   node scripts/detect-blas.mjs --include-dirs  prints extra header folders it needs
//
// UNFORGET_BLAS=none|openblas|accelerate forces a choice (used to build and measure the
// portable GEMM on a machine that has OpenBLAS). scripts/build-addon.mjs also sets it to
// `none` to retry a build whose BLAS failed to compile or link.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const BLAS_CHOICES = ['openblas', 'accelerate', 'none'];

/** Folders that may hold OpenBLAS's cblas.h: Debian/Ubuntu (per architecture), Fedora, others. */
function cblasHeaderDirs() {
  const dirs = ['/usr/include', '/usr/include/openblas', '/usr/local/include'];
  try {
    for (const entry of readdirSync('/usr/include')) {
      if (/-linux-gnu/.test(entry)) dirs.push(join('/usr/include', entry));
    }
  } catch {
    // no /usr/include: no headers either
  }
  return dirs.filter((d) => existsSync(join(d, 'cblas.h')));
}

/** Whether the linker can find libopenblas.so (the development link, not only libopenblas.so.0). */
function hasOpenblasLibrary() {
  for (const ldconfig of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    try {
      const cache = execFileSync(ldconfig, ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      return /^\s*libopenblas\.so\s/m.test(cache);
    } catch {
      // try the next place ldconfig may be
    }
  }
  return false;
}

/** The BLAS to build with. */
export function detectBlas(env = process.env) {
  const forced = env.UNFORGET_BLAS;
  if (forced) {
    if (BLAS_CHOICES.includes(forced)) return forced;
    process.stderr.write(
      `unforget: UNFORGET_BLAS="${forced}" is not one of ${BLAS_CHOICES.join(', ')}; using none\n`,
    );
    return 'none';
  }
  if (process.platform === 'darwin') return 'accelerate';
  if (process.platform !== 'linux') return 'none';
  return cblasHeaderDirs().length > 0 && hasOpenblasLibrary() ? 'openblas' : 'none';
}

/** Header folders the compiler must be told about (Fedora keeps cblas.h in /usr/include/openblas). */
export function blasIncludeDirs(env = process.env) {
  if (detectBlas(env) !== 'openblas') return [];
  const dirs = cblasHeaderDirs();
  const searchedAnyway = (d) => d === '/usr/include' || d === '/usr/local/include' || /-linux-gnu$/.test(d);
  return dirs.some(searchedAnyway) ? [] : dirs.slice(0, 1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(process.argv.includes('--include-dirs') ? blasIncludeDirs().join(' ') : detectBlas());
}
