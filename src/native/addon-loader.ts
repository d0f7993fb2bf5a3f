/**
 * Finds and loads the compiled addon, refusing one that was built for another CPU
 * (it is compiled with -march=native; see scripts/arch-flags.mjs).
 *
 * The addon is build/Release/unforget_native.node in the package, or the file named by
 * the environment variable UNFORGET_ADDON_PATH (used by the install-fallback tests, and to
 * try another build). Its build record, unforget-build.json, is read from beside it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeAddon } from './addon-api.js';
import { cpuFeatures } from './addon/cpu-features.mjs';

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

/** Why the build recorded at `recordPath` cannot run on this machine, or null when it can. */
function checkCpu(recordPath: string): string | null {
  if (!existsSync(recordPath)) return null; // built by hand with node-gyp: nothing to check
  let record: BuildRecord;
  try {
    record = JSON.parse(readFileSync(recordPath, 'utf8')) as BuildRecord;
  } catch {
    return `its build record ${recordPath} is unreadable`;
  }
  if (record.arch !== process.arch) return `it was built for ${record.arch}, this is ${process.arch}`;
  if (record.portable || !Array.isArray(record.cpuFeatures) || record.cpuFeatures.length === 0) return null;
  const here = new Set(cpuFeatures());
  if (here.size === 0) return null;
  const missing = record.cpuFeatures.filter((f) => !here.has(f));
  return missing.length
    ? `it was built on a CPU with features this one lacks (${missing.slice(0, 5).join(', ')})`
    : null;
}

/** The addon file to load: UNFORGET_ADDON_PATH, else the package's own build. */
/**
 * The command that builds the addon again: in an installed package its install script
 * (`npm rebuild unforget`, which npm 12 runs once the project allows it), in a checkout the
 * project's own script.
 */
export function rebuildCommand(): string {
  return packageRoot().split(sep).includes('node_modules')
    ? 'npm rebuild unforget (with npm 12 or later, first allow its install script: npm approve-scripts unforget)'
    : 'npm run build:addon';
}

export function addonPath(env = process.env): string {
  return env.UNFORGET_ADDON_PATH || join(packageRoot(), 'build', 'Release', 'unforget_native.node');
}

let cached: AddonLoad | undefined;

/** Loads the addon once; later calls return the first result. */
export function loadAddon(): AddonLoad {
  if (cached) return cached;
  const path = addonPath();
  if (!existsSync(path)) {
    cached = { ok: false, reason: `the native addon is not built (no ${path})` };
    return cached;
  }
  const cpuProblem = checkCpu(join(dirname(path), 'unforget-build.json'));
  if (cpuProblem) {
    cached = {
      ok: false,
      reason: `the native addon cannot run here: ${cpuProblem}; run ${rebuildCommand()}`,
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
