/**
 * Drift watching for a served model: one detector (drift/) on the shared model's prequential
 * errors (1 for an example the model got wrong just before it learnt it, else 0), and one per
 * user on their personalised predictions' errors. A detection is an event at the sequence number
 * of the example that triggered it. The detectors are part of what a snapshot saves (`state`),
 * so a restart, which learns the batches after the snapshot again, detects the same events at
 * the same examples (the log stores each once).
 *
 * Only a rise of the error is an event (drift/rising.ts): a model that learns makes its error
 * fall, which ADWIN also detects. Page-Hinkley watches `up` here unless told otherwise.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { DriftWatch, driftWatchConfig } from '../training/drift-watch.js';
import {
  createDriftDetector,
  updateForRise,
  restoreDriftDetector,
  type DriftDetector,
  type DriftDetectorName,
  type DriftDetectorState,
} from '../drift/index.js';

export const driftConfig = z.union([
  z.literal(false),
  driftWatchConfig.extend({
    perUser: z.boolean().default(true).describe("also watch each user's personalised predictions"),
    endTask: z
      .boolean()
      .default(true)
      .describe(
        'a drift of the shared model starts a new experience (strategies that consolidate at a boundary do)',
      ),
  }),
]);

export type DriftConfig = z.output<typeof driftConfig>;

/** Checks the detector's options as a run's watch does; a ConfigError at `prefix`drift.options.<field>. */
export function checkDriftConfig(config: DriftConfig, prefix: string): void {
  if (config === false) return;
  try {
    new DriftWatch(config);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${prefix}${error.field}`, error.detail);
    throw error;
  }
}

/** A drift detected: on the shared model (`user` null) or on one user's predictions. */
export interface DriftEvent {
  readonly user: string | null;
  readonly detector: DriftDetectorName;
  /** The sequence number of the example whose error made the detector fire. */
  readonly seq: number;
}

export class ModelDriftWatch {
  private shared: DriftDetector | null = null;
  private readonly users = new Map<string, DriftDetector>();

  constructor(private readonly config: Exclude<DriftConfig, false>) {}

  /** Feeds errors (in sequence order) for the shared model (`user` null) or a user; the drifts they raised. */
  observe(user: string | null, errors: readonly { seq: number; wrong: boolean }[]): DriftEvent[] {
    if (user !== null && !this.config.perUser) return [];
    const detector = this.detectorFor(user);
    const events: DriftEvent[] = [];
    for (const e of errors) {
      if (!updateForRise(detector, e.wrong ? 1 : 0)) continue;
      events.push({ user, detector: this.config.detector, seq: e.seq });
    }
    return events;
  }

  /** A user deleted: their detector goes with them. */
  remove(user: string): void {
    this.users.delete(user);
  }

  /** Every detector's state, as JSON text for a snapshot. */
  save(): string {
    return JSON.stringify({
      format: 'unforget-drift/1',
      shared: this.shared?.state() ?? null,
      users: Object.fromEntries([...this.users].map(([user, d]) => [user, d.state()])),
    });
  }

  /** Puts `save()`'s text back; throws, naming `file`, on one that does not read. */
  restore(text: string, file: string): void {
    let data: {
      format?: unknown;
      shared?: DriftDetectorState | null;
      users?: Record<string, DriftDetectorState>;
    };
    try {
      data = JSON.parse(text) as typeof data;
    } catch (error) {
      throw new Error(`${file}: expected saved drift detectors, got unreadable JSON`, { cause: error });
    }
    if (data.format !== 'unforget-drift/1' || typeof data.users !== 'object' || data.users === null) {
      throw new Error(`${file}: expected saved drift detectors (unforget-drift/1), got something else`);
    }
    const shared = data.shared ? this.restored(data.shared, file) : null;
    const users = Object.entries(data.users).map(([user, s]) => [user, this.restored(s, file)] as const);
    this.shared = shared;
    this.users.clear();
    for (const [user, d] of users) this.users.set(user, d);
  }

  /** Saved detectors (`save()`'s text) without `user`'s. */
  static withoutUser(text: string, user: string): string {
    const data = JSON.parse(text) as { users: Record<string, unknown> };
    delete data.users[user];
    return JSON.stringify(data);
  }

  private restored(state: DriftDetectorState, file: string): DriftDetector {
    if (state.name !== this.config.detector) {
      throw new Error(
        `${file}: expected ${this.config.detector} detectors (the config's), got ${String(state.name)}`,
      );
    }
    return restoreDriftDetector(state) as DriftDetector;
  }

  private detectorFor(user: string | null): DriftDetector {
    const { detector: name, options } = this.config;
    const make = () =>
      createDriftDetector(
        name,
        (name === 'page-hinkley' ? { mode: 'up', ...options } : options) as never,
      ) as DriftDetector;
    if (user === null) return (this.shared ??= make());
    let detector = this.users.get(user);
    if (!detector) this.users.set(user, (detector = make()));
    return detector;
  }
}
