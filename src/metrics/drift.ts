/**
 * How well an online run's drift detector found the stream's changes, from its `drift-watch` and
 * `drift` events. The true change points are the nominal boundaries between experiences (with
 * blurry delivery the mixing starts up to half the window before them). Simply defined:
 * - a detection at sample s lies in the segment that starts at the nearest boundary b <= s; the
 *   first detection in a segment after the first boundary detects that boundary, with delay
 *   s - b + 1 (the examples of the new segment the detector had taken: 1 = at its first one);
 * - a false alarm is a detection before the first boundary, or any detection after the first one
 *   in its segment;
 * - a boundary with no detection in its segment is missed.
 */
import type { DriftEvent, DriftWatchEvent, TrainingEvent } from '../core/events.js';

/** One drift event, placed against the boundaries. */
export interface DriftDetection {
  readonly sample: number;
  readonly step: number;
  readonly experience: number;
  /** The nearest boundary at or before `sample`; null before the first one. */
  readonly boundary: number | null;
  /** `sample - boundary + 1`; null before the first boundary. */
  readonly delay: number | null;
  /** `detection`: the first in its segment after the first boundary; else a false alarm. */
  readonly kind: 'detection' | 'false alarm';
}

/** One change point of the stream and its first detection. */
export interface DriftBoundary {
  readonly sample: number;
  /** The delay of its segment's first detection; null: missed. */
  readonly delay: number | null;
}

export interface DriftSummary {
  readonly detector: string;
  readonly options: DriftWatchEvent['options'];
  /** Examples in the delivered stream. */
  readonly streamLength: number;
  /** The change points: every nominal boundary but the stream's end. */
  readonly boundaries: readonly DriftBoundary[];
  readonly detections: readonly DriftDetection[];
  /** Boundaries detected, and the mean of their delays (NaN when none was). */
  readonly detected: number;
  readonly meanDelay: number;
  readonly falseAlarms: number;
}

/** The summary of the first `drift-watch` in `events` and the drifts after it; null when none watched. */
export function driftSummary(events: readonly TrainingEvent[]): DriftSummary | null {
  const watch = events.find((e): e is DriftWatchEvent => e.type === 'drift-watch');
  if (!watch) return null;
  const changes = watch.boundaries.slice(0, -1);
  const delays = new Map<number, number>();
  const detections = events
    .filter((e): e is DriftEvent => e.type === 'drift')
    .map((e): DriftDetection => {
      // The last change point at or before the sample.
      let at = -1;
      while (at + 1 < changes.length && changes[at + 1] <= e.sample) at++;
      const boundary = at >= 0 ? changes[at] : null;
      const delay = boundary === null ? null : e.sample - boundary + 1;
      const first = boundary !== null && !delays.has(boundary);
      if (first) delays.set(boundary, delay!);
      const { sample, step, experience } = e;
      return { sample, step, experience, boundary, delay, kind: first ? 'detection' : 'false alarm' };
    });
  const found = [...delays.values()];
  return {
    detector: watch.detector,
    options: watch.options,
    streamLength: watch.boundaries.at(-1) ?? 0,
    boundaries: changes.map((sample) => ({ sample, delay: delays.get(sample) ?? null })),
    detections,
    detected: found.length,
    meanDelay: found.length ? found.reduce((a, b) => a + b, 0) / found.length : NaN,
    falseAlarms: detections.filter((d) => d.kind === 'false alarm').length,
  };
}
