/**
 * What the training template saves to resume a run exactly where it stopped: the model's weights,
 * the optimizer's slots, every plugin's state, the random generators' states, where in the stream
 * training stands (down to the step within an epoch), and the events emitted so far (so metrics
 * computed after a resume see the whole run). Plain data (core/state.ts); a file format writes it
 * (loggers/checkpoint-file.ts).
 */
import type { TrainingEvent } from '../core/events.js';
import { ConfigError, DataFormatError } from '../core/errors.js';
import { isRecord, StateReader, type StateRecord, type StateValue } from '../core/state.js';
import type { Plugin } from '../training/plugin.js';

export const FIT_CHECKPOINT_FORMAT = 'unforget-fit/1';

/**
 * Where training stands: the next thing to do. Between experiences `inProgress` is false and
 * `experience` is the next one to start; inside one, the experience's hooks have run and training
 * continues at step `step` of epoch `epoch`, whose batch order comes from `epochSeed`.
 */
export interface TrainingPosition {
  readonly experience: number;
  readonly inProgress: boolean;
  readonly epoch: number;
  readonly step: number;
  /** Optimizer steps left in the experience (`iterations` runs); -1: no limit. */
  readonly stepsLeft: number;
  /** The state of the epoch's random generator when the epoch began (it draws the batch order). */
  readonly epochSeed: number;
  /** Counts of the experience so far, for its `experience-end` event. */
  readonly experienceSamples: number;
  readonly experienceSeconds: number;
  /** Sums of the epoch so far, for its `epoch-end` event. */
  readonly epochSamples: number;
  readonly epochLossSum: number;
  /** The same without replayed rows (what progress bars show). */
  readonly epochOwnSamples: number;
  readonly epochOwnLossSum: number;
  readonly epochSeconds: number;
}

export interface FitCheckpoint {
  readonly format: typeof FIT_CHECKPOINT_FORMAT;
  /** The strategy's name and its plugins' names: a checkpoint restores only into the same strategy. */
  readonly strategy: string;
  readonly plugins: readonly string[];
  readonly position: TrainingPosition;
  /** State of the template's random generator (it forks one per epoch). */
  readonly rng: number;
  /** Output units seen so far (class-IL's active classes). */
  readonly seenClasses: readonly number[];
  /** Every event emitted so far but `progress`, in order. */
  readonly events: readonly TrainingEvent[];
  /** The model's variable values, in `model.variables` order. */
  readonly model: readonly Float32Array[];
  /** The optimizer in use (inside an experience, or the run's shared one); null between resets. */
  readonly optimizer: StateRecord | null;
  /** One per plugin, in order (null for a stateless plugin). */
  readonly pluginStates: readonly StateValue[];
  /** Wall-clock seconds of training before the checkpoint (for `run-end`). */
  readonly seconds: number;
  /** Optimizer steps taken in the whole run so far (spaces step checkpoints). */
  readonly steps: number;
}

/** Refuses, before training, a strategy one of whose plugins cannot be checkpointed. */
export function assertCheckpointable(plugins: readonly Plugin[]): void {
  const missing = plugins.filter((p) => !p.stateless && !(p.state && p.restore)).map((p) => p.name);
  if (missing.length) {
    throw new ConfigError(
      'checkpoint',
      `these methods cannot save their state yet, so the run cannot be checkpointed or resumed: ${missing.join(', ')}`,
    );
  }
}

/** The checkpoint as saved state (a file format writes any StateValue). */
export function checkpointToState(checkpoint: FitCheckpoint): StateRecord {
  return checkpoint as unknown as StateRecord;
}

/** Reads a saved checkpoint back, checking every field the template relies on. */
export function checkpointFromState(value: StateValue, where = 'checkpoint'): FitCheckpoint {
  const state = new StateReader(value, where);
  const format = state.string('format');
  if (format !== FIT_CHECKPOINT_FORMAT) {
    throw new DataFormatError(where, `expected format ${FIT_CHECKPOINT_FORMAT}, got ${format}`);
  }
  const p = state.reader('position');
  const position: TrainingPosition = {
    experience: p.integer('experience'),
    inProgress: p.boolean('inProgress'),
    epoch: p.integer('epoch'),
    step: p.integer('step'),
    stepsLeft: p.integer('stepsLeft'),
    epochSeed: p.integer('epochSeed'),
    experienceSamples: p.integer('experienceSamples'),
    experienceSeconds: p.number('experienceSeconds'),
    epochSamples: p.integer('epochSamples'),
    epochLossSum: p.number('epochLossSum'),
    epochOwnSamples: p.integer('epochOwnSamples'),
    epochOwnLossSum: p.number('epochOwnLossSum'),
    epochSeconds: p.number('epochSeconds'),
  };
  const listOf = <T>(field: string, check: (v: StateValue) => v is StateValue & T, expected: string): T[] =>
    state.list(field).map((v, i) => {
      if (!check(v)) throw new DataFormatError(`${where}.${field}[${i}]`, `expected ${expected}`);
      return v;
    });
  const optimizer = state.raw('optimizer');
  if (optimizer !== null && !isRecord(optimizer)) {
    throw new DataFormatError(`${where}.optimizer`, 'expected null or a record');
  }
  return {
    format,
    strategy: state.string('strategy'),
    plugins: listOf('plugins', (v): v is string => typeof v === 'string', 'a plugin name'),
    position,
    rng: state.integer('rng'),
    seenClasses: listOf('seenClasses', (v): v is number => Number.isInteger(v), 'a class label'),
    events: listOf(
      'events',
      (v): v is StateRecord =>
        typeof v === 'object' && v !== null && typeof (v as StateRecord).type === 'string',
      'an event',
    ) as unknown as TrainingEvent[],
    model: listOf('model', (v): v is Float32Array => v instanceof Float32Array, 'float32 values'),
    optimizer,
    pluginStates: state.list('pluginStates'),
    seconds: state.number('seconds'),
    steps: state.integer('steps'),
  };
}

/** Refuses a checkpoint made by another strategy (other plugins) than the one resuming from it. */
export function assertSameStrategy(
  checkpoint: FitCheckpoint,
  name: string,
  plugins: readonly Plugin[],
): void {
  const names = plugins.map((p) => p.name);
  if (checkpoint.strategy !== name || checkpoint.plugins.join('+') !== names.join('+')) {
    throw new ConfigError(
      'resume',
      `the checkpoint was saved by strategy ${checkpoint.strategy} (plugins ${checkpoint.plugins.join(', ') || 'none'}), not ${name} (plugins ${names.join(', ') || 'none'})`,
    );
  }
}
