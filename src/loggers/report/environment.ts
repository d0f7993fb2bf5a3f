import { arch, cpus, platform, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.js';

/**
 * Where a run ran, as `environment.json` records it: enough to tell two machines' timings apart,
 * nothing that identifies the machine (no hostname, no user, no paths).
 */
export interface RunEnvironment {
  /** The tfjs backend that trained: `native`, `wasm` or `cpu`. */
  readonly backend: string;
  /** For `native`: the GEMM it ran on (portable, openblas, accelerate). */
  readonly gemm?: string;
  /** `process.version`, e.g. `v20.20.2`. */
  readonly node: string;
  /** `os.type()` and `os.release()`, e.g. `Linux` `6.8.0`. */
  readonly os: string;
  readonly osRelease: string;
  /** `process.platform` and `process.arch`, e.g. `linux` `x64`. */
  readonly platform: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly totalMemoryBytes: number;
}

/** The environment of this process, for a run on `engine`. */
export function describeEnvironment(engine: { backend: string; gemm?: string }): RunEnvironment {
  const cores = cpus();
  return {
    backend: engine.backend,
    ...(engine.gemm ? { gemm: engine.gemm } : {}),
    node: process.version,
    os: type(),
    osRelease: release(),
    platform: platform(),
    arch: arch(),
    // Some containers report no CPUs through os.cpus(); the count is then unknown, not zero cores.
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    cpuCount: cores.length,
    totalMemoryBytes: totalmem(),
  };
}

/** Writes `environment.json` into the run folder `dir`, atomically. */
export function writeEnvironmentJson(dir: string, environment: RunEnvironment): void {
  writeFileAtomic(join(dir, 'environment.json'), `${JSON.stringify(environment, null, 2)}\n`);
}
