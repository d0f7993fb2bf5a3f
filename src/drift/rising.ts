/**
 * Drift of an error stream where only a rise counts. A model that learns makes its error fall,
 * and a two-sided detector (ADWIN) reports that too; for a stream of a model's errors the change
 * worth an event is the one that makes it worse. ADWIN's cut counts when the mean of the window
 * it keeps (the newer values) is above the mean of the whole window before the cut. Page-Hinkley
 * says which way itself (its `mode`: give `up`), and DDM only ever detects a rise.
 */
import { Adwin } from './adwin.js';
import type { DriftDetector } from './detector.js';

/** Feeds `error` to `detector`; true when that update reported a drift in which the error rose. */
export function updateForRise(detector: DriftDetector<number>, error: number): boolean {
  const before = detector instanceof Adwin ? detector.estimation : undefined;
  detector.update(error);
  if (!detector.driftDetected) return false;
  return before === undefined || (detector as Adwin).estimation > before;
}
