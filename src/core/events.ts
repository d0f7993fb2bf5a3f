/**
 * The events a training run emits. The core emits events and never prints: metrics read them to
 * compute numbers, loggers read them to print or write files. Events are plain, JSON-serialisable
 * data so that a JSONL log of a run can be replayed into the same metrics later.
 *
 * Indices are 0-based. Times are wall-clock seconds. Accuracies are fractions in [0, 1].
 */

/** The kind of stream a run trains on (docs/architecture.md). */
export type ScenarioName = 'class-il' | 'task-il' | 'domain-il' | 'online';

/** Emitted once, before anything is trained or evaluated. */
export interface RunStartEvent {
  readonly type: 'run-start';
  /** Registry name of the strategy, e.g. `naive` or `ewc`. */
  readonly strategy: string;
  readonly stream: {
    readonly numExperiences: number;
    readonly scenario: ScenarioName;
  };
}

/** Emitted before training on an experience. */
export interface ExperienceStartEvent {
  readonly type: 'experience-start';
  readonly experience: number;
  /** The class labels present in this experience's training data. */
  readonly classes: readonly number[];
}

/** Emitted after each epoch over an experience's training data. */
export interface EpochEndEvent {
  readonly type: 'epoch-end';
  readonly experience: number;
  readonly epoch: number;
  /** Mean training loss over the epoch's samples. */
  readonly loss: number;
  /** Training samples processed in the epoch, replayed samples included. */
  readonly samples: number;
  readonly seconds: number;
}

/**
 * Emitted while an epoch trains, at most every quarter second: what progress bars show.
 * Transient: not written to metrics.jsonl (it says nothing epoch-end does not).
 */
export interface ProgressEvent {
  readonly type: 'progress';
  readonly experience: number;
  readonly epoch: number;
  /** Training-set samples done in this epoch, and the epoch's total (replayed samples not counted). */
  readonly samples: number;
  readonly epochSamples: number;
  /** Mean training loss so far in this epoch. */
  readonly loss: number;
  /** Seconds since the epoch started. */
  readonly seconds: number;
}

/** Emitted after training on an experience, before the evaluation that follows it. */
export interface ExperienceEndEvent {
  readonly type: 'experience-end';
  readonly experience: number;
  /** Training time for the whole experience, all epochs, evaluation excluded. */
  readonly seconds: number;
  /** Training samples processed over all epochs of the experience. */
  readonly samples: number;
}

/** Accuracy on one experience's test set. */
export interface ExperienceAccuracy {
  readonly experience: number;
  /** `correct / total`. */
  readonly accuracy: number;
  readonly correct: number;
  readonly total: number;
  /**
   * Class-IL runs of a single-head model only: the accuracy when the prediction is restricted to
   * this experience's own classes, i.e. the task-IL accuracy of the same model (what Mammoth
   * reports as "task-IL" next to "class-IL" from one run).
   */
  readonly taskAwareAccuracy?: number;
}

/**
 * Emitted after evaluating on the whole test stream. One evaluation after experience `i` gives row
 * `i` of the accuracy matrix R; the evaluation with `afterExperience = -1` runs before any training
 * and gives the random-initialisation baseline `b` that forward transfer compares against.
 */
export interface EvaluationEvent {
  readonly type: 'evaluation';
  /** The experience just trained on, or -1 for the baseline before training. */
  readonly afterExperience: number;
  /** One entry per experience of the stream, every experience included (also future ones). */
  readonly perExperience: readonly ExperienceAccuracy[];
  /** Accuracy per class label over the whole test stream, when the strategy computed it. */
  readonly perClass?: Readonly<Record<number, number>>;
}

/**
 * What a method measured about itself after experience `afterExperience` (e.g. each task's
 * estimated importance), emitted just before that evaluation; one per reporting plugin.
 */
export interface MethodMetricsEvent {
  readonly type: 'method-metrics';
  /** The plugin's name, e.g. `task-importance`. */
  readonly plugin: string;
  readonly afterExperience: number;
  /** Named numbers, e.g. `importance/task0`. */
  readonly values: Readonly<Record<string, number>>;
}

/**
 * An online run watches its prequential error for drift (training/drift-watch.ts): emitted once,
 * before the first `experience-start`, naming the detector and where the stream nominally changes.
 */
export interface DriftWatchEvent {
  readonly type: 'drift-watch';
  /** The drift detector's registry name (`adwin`, `page-hinkley`, `ddm`). */
  readonly detector: string;
  /** Its options, defaults filled in. */
  readonly options: Readonly<Record<string, number | string | boolean>>;
  /**
   * The delivered stream's nominal boundaries: `boundaries[e]` is the position where experience e
   * ends (the first example of experience e + 1); the last is the stream's length.
   */
  readonly boundaries: readonly number[];
}

/**
 * The drift detector reported a drift on an online run's prequential error (the model's 0/1
 * error on each delivered example, predicted before it is trained on).
 */
export interface DriftEvent {
  readonly type: 'drift';
  /** The segment of the stream the batch counts in (the experience it starts in). */
  readonly experience: number;
  /** The step (0-based, over the whole stream) whose batch held the example. */
  readonly step: number;
  /** The example whose error made the detector report: its position in the delivered stream. */
  readonly sample: number;
  /** The detector's registry name. */
  readonly detector: string;
}

/** Emitted once, after the last evaluation. */
export interface RunEndEvent {
  readonly type: 'run-end';
  /** Wall-clock time of the whole run, evaluations included. */
  readonly seconds: number;
  /** Bytes of the examples the strategy stored (replay buffers, exemplars), when it stores any. */
  readonly methodMemoryBytes?: number;
}

/** Every event of a training run, discriminated by `type`. */
export type TrainingEvent =
  | RunStartEvent
  | ExperienceStartEvent
  | ProgressEvent
  | EpochEndEvent
  | ExperienceEndEvent
  | EvaluationEvent
  | MethodMetricsEvent
  | DriftWatchEvent
  | DriftEvent
  | RunEndEvent;

export type TrainingEventType = TrainingEvent['type'];

/** Receives events as they happen; metrics and loggers are built on this. */
export type TrainingEventListener = (event: TrainingEvent) => void;

/** `afterExperience` of the evaluation of the untrained model. */
export const BASELINE_EVALUATION = -1;
