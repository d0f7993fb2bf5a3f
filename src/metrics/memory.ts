/**
 * Peak resident memory of the process over a run. The OS reports current RSS only, so the peak is
 * the maximum over samples: taken every `intervalMs` between `start` and `stop`, plus one at each
 * of those two calls so that a short run still has a value.
 */
export interface MemorySampler {
  start(): void;
  /** Stops sampling and returns the peak RSS in bytes. */
  stop(): number;
  /** Takes one sample now (e.g. at an experience end, where memory peaks). */
  sample(): void;
  /** Peak RSS in bytes so far; 0 before the first sample. */
  readonly peakBytes: number;
}

export interface MemorySamplerOptions {
  /** Sampling period; 100 ms by default, cheap next to a training step. */
  readonly intervalMs?: number;
  /** Where a sample comes from; `process.memoryUsage().rss` unless given (tests pass their own). */
  readonly readRss?: () => number;
}

export function createMemorySampler(options: MemorySamplerOptions = {}): MemorySampler {
  const intervalMs = options.intervalMs ?? 100;
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs: expected a positive number, got ${intervalMs}`);
  const readRss = options.readRss ?? (() => process.memoryUsage().rss);
  let peak = 0;
  let timer: ReturnType<typeof setInterval> | undefined;

  const sample = () => {
    peak = Math.max(peak, readRss());
  };
  return {
    start() {
      if (timer !== undefined) return;
      sample();
      timer = setInterval(sample, intervalMs);
      // The sampler must never keep a finished process alive.
      timer.unref();
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      sample();
      return peak;
    },
    sample,
    get peakBytes() {
      return peak;
    },
  };
}
