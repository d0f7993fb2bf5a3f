// The instruction-set features of this CPU, used to check that a native addon built
// with -march=native runs on the CPU it was built for.
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
