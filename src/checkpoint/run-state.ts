/**
 * A run's checkpoint: the strategies a run folder has finished (their events, from which their
 * results are recomputed) and the template's checkpoint of the one in progress, tied to the run's
 * config by a digest so that a checkpoint from another run is refused.
 */
import { createHash } from 'node:crypto';
import type { TrainingEvent } from '../core/events.js';
import { DataFormatError } from '../core/errors.js';
import { StateReader, type StateRecord, type StateValue } from '../core/state.js';
import { checkpointFromState, checkpointToState, type FitCheckpoint } from './fit-state.js';

export const RUN_CHECKPOINT_FORMAT = 'unforget-run/1';

export interface CompletedStrategy {
  readonly name: string;
  /** Its events but `progress` (metrics.jsonl's lines, and its summary). */
  readonly events: readonly TrainingEvent[];
  readonly peakRssBytes: number;
}

export interface RunCheckpoint {
  readonly configDigest: string;
  /** Strategies finished, in config order. */
  readonly completed: readonly CompletedStrategy[];
  /** The strategy after them, where it stands; null: it has not started. */
  readonly fit: FitCheckpoint | null;
}

/**
 * SHA-256 of a run config as it decides the results: everything but where files go (`out`) and
 * how checkpoints are taken (`checkpoint`), which may differ between a run and its resume without
 * changing a number.
 */
export function configDigest(config: Readonly<Record<string, unknown>>): string {
  const { out: _out, checkpoint: _checkpoint, ...deciding } = config;
  return createHash('sha256').update(canonicalJson(deciding)).digest('hex');
}

/** JSON with keys sorted at every level and undefined fields left out: one text per value. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function runCheckpointToState(checkpoint: RunCheckpoint): StateRecord {
  return {
    format: RUN_CHECKPOINT_FORMAT,
    configDigest: checkpoint.configDigest,
    completed: checkpoint.completed.map((c) => ({
      name: c.name,
      events: c.events.filter((e) => e.type !== 'progress') as unknown as StateValue[],
      peakRssBytes: c.peakRssBytes,
    })),
    fit: checkpoint.fit ? checkpointToState(checkpoint.fit) : null,
  };
}

export function runCheckpointFromState(value: StateValue, file: string): RunCheckpoint {
  const state = new StateReader(value, file);
  const format = state.string('format');
  if (format !== RUN_CHECKPOINT_FORMAT) {
    throw new DataFormatError(file, `expected format ${RUN_CHECKPOINT_FORMAT}, got ${format}`);
  }
  const completed = state.list('completed').map((c, i) => {
    const done = new StateReader(c, `${file} completed[${i}]`);
    return {
      name: done.string('name'),
      events: done.list('events') as unknown as TrainingEvent[],
      peakRssBytes: done.number('peakRssBytes'),
    };
  });
  return {
    configDigest: state.string('configDigest'),
    completed,
    fit: state.has('fit') ? checkpointFromState(state.raw('fit'), `${file} fit`) : null,
  };
}
