// Prints which BLAS the native addon links: "openblas", "accelerate" or "none".
// UNFORGET_BLAS=none|openblas|accelerate forces a choice (used to build and measure
// the portable GEMM on a machine that has OpenBLAS).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function detect() {
  const forced = process.env.UNFORGET_BLAS;
  if (forced) return forced;
  if (process.platform === 'darwin') return 'accelerate';
  if (process.platform !== 'linux') return 'none';
  // The cblas.h header and the linkable libopenblas.so both come with libopenblas-dev.
  const header = [
    '/usr/include/cblas.h',
    '/usr/include/openblas/cblas.h',
    '/usr/include/x86_64-linux-gnu/cblas.h',
  ];
  if (!header.some((h) => existsSync(h))) return 'none';
  try {
    const libs = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' });
    return /libopenblas\.so\b/.test(libs) ? 'openblas' : 'none';
  } catch {
    return 'none';
  }
}

process.stdout.write(detect());
