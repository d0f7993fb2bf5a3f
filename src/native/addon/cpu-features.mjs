// The instruction-set features of this CPU. The addon is compiled with -march=native: its build
// (scripts/build-addon.mjs) records them, and its loader (addon-loader.ts) checks them at start.
import { readFileSync } from 'node:fs';

/** Sorted CPU feature flags (Linux: /proc/cpuinfo), or [] where they cannot be read. */
export function cpuFeatures() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => /^(flags|Features)\s*:/.test(l));
    return line ? [...new Set(line.split(':')[1].trim().split(/\s+/))].sort() : [];
  } catch {
    return [];
  }
}
