/**
 * What the training template saves to resume a run exactly where it stopped: the model's weights,
 * the optimizer's slots, every plugin's state, the random generators' states, an online run's drift
 * detector, where in the stream
 * training stands (down to the step within an epoch), and the events emitted so far (so metrics
 * computed after a resume see the whole run). Plain data (core/state.ts); a file format writes it
 * (file-format.ts).
 */
import type { TrainingEvent } from '../core/events.js';
import { DataFormatError } from '../core/errors.js';
import { isRecord, StateReader, type StateRecord, type StateValue } from '../core/state.js';

export const FIT_CHECKPOINT_FORMAT = 'unforget-fit/2';

/**
 * Where training stands: the next thing to do. Between experiences there is no `inProgress` and
 * `experience` is the next one to start; inside one (in an online run, inside a segment of the
 * stream), its hooks have run and training continues in `inProgress.epoch`.
 */
export interface TrainingPosition {
  readonly experience: number;
  readonly inProgress?: ExperienceProgress;
}

/** An experience under way. */
export interface ExperienceProgress {
  /** Samples trained on and seconds spent in it so far, for its `experience-end` event. */
  readonly samples: number;
  readonly seconds: number;
  /** Optimizer steps left in it (`iterations` runs); null: no limit. */
  readonly stepsLeft: number | null;
  readonly epoch: EpochProgress;
}

/** An epoch under way: where it continues and what it has summed so far. */
export interface EpochProgress {
  readonly index: number;
  /** The state of the epoch's random generator when it began (it draws the batch order). */
  readonly seed: number;
  /** The next step, counted from the epoch's start (= the steps done). */
  readonly step: number;
  readonly seconds: number;
  readonly sums: EpochSums;
}

/** A pass's running sums: samples trained on (replayed ones included) and their summed loss. */
export interface EpochSums {
  readonly samples: number;
  readonly lossSum: number;
  /** The same over the training set's own samples (what progress bars show). */
  readonly ownSamples: number;
  readonly ownLossSum: number;
}

export interface FitCheckpoint {
  readonly format: typeof FIT_CHECKPOINT_FORMAT;
  /** The strategy's name and its plugins' names: a checkpoint restores only into the same strategy. */
  readonly strategy: string;
  readonly plugins: readonly string[];
  readonly position: TrainingPosition;
  /** State of the template's random generator (it forks one per epoch). */
  readonly rng: number;
  /** State of the generator that draws the stream's augmentation; null when it has none. */
  readonly augmentRng: number | null;
  /**
   * The state of an online run's drift detector (`DriftDetector.state()`, plain data); null when
   * the run watches no drift.
   */
  readonly drift: StateRecord | null;
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
  const position = positionFromState(state.reader('position'));
  const listOf = <T>(field: string, check: (v: StateValue) => v is StateValue & T, expected: string): T[] =>
    state.list(field).map((v, i) => {
      if (!check(v)) throw new DataFormatError(`${where}.${field}[${i}]`, `expected ${expected}`);
      return v;
    });
  const optimizer = state.raw('optimizer');
  const drift = state.has('drift') ? state.raw('drift') : null;
  if (drift !== null && !isRecord(drift)) {
    throw new DataFormatError(`${where}.drift`, 'expected null or a record (a drift detector state)');
  }
  if (optimizer !== null && !isRecord(optimizer)) {
    throw new DataFormatError(`${where}.optimizer`, 'expected null or a record');
  }
  return {
    format,
    strategy: state.string('strategy'),
    plugins: listOf('plugins', (v): v is string => typeof v === 'string', 'a plugin name'),
    position,
    rng: state.integer('rng'),
    augmentRng: state.has('augmentRng') ? state.integer('augmentRng') : null,
    drift,
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

function positionFromState(p: StateReader): TrainingPosition {
  const experience = p.integer('experience');
  if (!p.has('inProgress')) return { experience };
  const e = p.reader('inProgress');
  const epoch = e.reader('epoch');
  const sums = epoch.reader('sums');
  return {
    experience,
    inProgress: {
      samples: e.integer('samples'),
      seconds: e.number('seconds'),
      stepsLeft: e.has('stepsLeft') ? e.integer('stepsLeft') : null,
      epoch: {
        index: epoch.integer('index'),
        seed: epoch.integer('seed'),
        step: epoch.integer('step'),
        seconds: epoch.number('seconds'),
        sums: {
          samples: sums.integer('samples'),
          lossSum: sums.number('lossSum'),
          ownSamples: sums.integer('ownSamples'),
          ownLossSum: sums.number('ownLossSum'),
        },
      },
    },
  };
}
