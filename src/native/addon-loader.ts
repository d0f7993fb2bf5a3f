/**
 * Finds and loads the compiled addon, refusing one that was built for another CPU
 * (it is compiled with -march=native; see scripts/arch-flags.mjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeAddon } from './addon-api.js';
import { cpuFeatures } from '../../scripts/cpu-fingerprint.mjs';

export type AddonLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

const require = createRequire(import.meta.url);

/** The package root: the nearest folder above this file that holds package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}

interface BuildRecord {
  arch: string;
  portable: boolean;
  cpuFeatures: string[];
}

function checkCpu(recordPath: string): string | null {
  if (!existsSync(recordPath)) return null;
  const record = JSON.parse(readFileSync(recordPath, 'utf8')) as BuildRecord;
  if (record.arch !== process.arch) return `it was built for ${record.arch}, this is ${process.arch}`;
  if (record.portable || record.cpuFeatures.length === 0) return null;
  const here = new Set(cpuFeatures());
  if (here.size === 0) return null;
  const missing = record.cpuFeatures.filter((f) => !here.has(f));
  return missing.length
    ? `it was built on a CPU with features this one lacks (${missing.slice(0, 5).join(', ')})`
    : null;
}

let cached: AddonLoad | undefined;

export function loadAddon(): AddonLoad {
  if (cached) return cached;
  const path = join(packageRoot(), 'build', 'Release', 'unforget_native.node');
  if (!existsSync(path)) {
    cached = { ok: false, reason: 'the native addon is not built' };
    return cached;
  }
  const cpuProblem = checkCpu(join(dirname(path), 'unforget-build.json'));
  if (cpuProblem) {
    cached = {
      ok: false,
      reason: `the native addon cannot run here: ${cpuProblem}; run npm run build:addon`,
    };
    return cached;
  }
  try {
    cached = { ok: true, addon: require(path) as NativeAddon, path };
  } catch (e) {
    cached = { ok: false, reason: `the native addon failed to load: ${(e as Error).message}` };
  }
  return cached;
}
