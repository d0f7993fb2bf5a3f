import { ConfigError } from '../core/errors.js';
import { cumulative } from './baselines/cumulative.js';
import { joint } from './baselines/joint.js';
import { naive } from './baselines/naive.js';
import { ewc, onlineEwc, type EwcOptions } from './regularization/ewc.js';
import { si, type SiOptions } from './regularization/si.js';
import { mas, type MasOptions } from './regularization/mas.js';
import { lwf, type LwfOptions } from './regularization/lwf.js';
import type { Strategy, StrategyOptions } from '../training/strategy.js';
import type { Classifier } from '../models/classifier.js';
import { combine } from '../training/combine.js';
import { er, type ErOptions } from './replay/er.js';
import { der, derpp, type DerOptions } from './replay/der.js';
import { erAce, type ErAceOptions } from './replay/er-ace.js';
import { agem, type AgemOptions } from './replay/agem.js';
import { gem, type GemOptions } from './replay/gem.js';
import { gdumb, type GdumbOptions } from './replay/gdumb.js';
import { icarl, type IcarlOptions } from './replay/icarl.js';
import { importanceReplay, type ImportanceReplayOptions } from './task-importance/importance-replay.js';
import {
  importanceOptionsOf,
  withImportance,
  type ImportanceFieldOptions,
} from './task-importance/task-importance.js';
import { memoryAugmented, type MemoryAugmentedOptions } from './memory-augmented/memory-augmented.js';
import {
  multiTask,
  multiTaskReplay,
  type MultiTaskOptions,
  type MultiTaskReplayOptions,
} from './multi-task/multi-task.js';

/** Methods that keep a fresh copy of the model need the `copyModel` factory. */
function needsCopy(name: string, o: StrategyOptions | undefined): () => Classifier {
  if (!o?.copyModel) throw new ConfigError(name, 'needs copyModel: a fresh model of the same architecture');
  return o.copyModel;
}

type ImportanceStrategyOptions = StrategyOptions & ImportanceFieldOptions;

const importanceReplayFrom = (o: ImportanceStrategyOptions = {}) =>
  importanceReplay({ ...(o as ImportanceReplayOptions), importance: importanceOptionsOf(o) });
const importanceEwc = (o: ImportanceStrategyOptions = {}) =>
  withImportance('importance-ewc', importanceOptionsOf(o), (taskWeights) =>
    ewc({ ...(o as EwcOptions), mode: 'separate', taskWeights }),
  );
const importanceLwf = (o: ImportanceStrategyOptions = {}) =>
  withImportance('importance-lwf', importanceOptionsOf(o), (taskWeights) =>
    lwf({ ...(o as LwfOptions), copyModel: needsCopy('importance-lwf', o), taskWeights }),
  );

/** Builds a strategy from its options. */
export type StrategyFactory = (options?: StrategyOptions) => Strategy;

/** Every strategy a config or the CLI can name, by name. */
export const strategyRegistry = {
  naive,
  cumulative,
  joint,
  ewc: (o?: StrategyOptions) => ewc(o as EwcOptions),
  'online-ewc': (o?: StrategyOptions) => onlineEwc(o as EwcOptions),
  si: (o?: StrategyOptions) => si(o as SiOptions),
  mas: (o?: StrategyOptions) => mas(o as MasOptions),
  lwf: (o?: StrategyOptions) => lwf({ ...(o as LwfOptions), copyModel: needsCopy('lwf', o) }),
  er: (o?: StrategyOptions) => er((o ?? {}) as ErOptions),
  der: (o?: StrategyOptions) => der((o ?? {}) as DerOptions),
  derpp: (o?: StrategyOptions) => derpp((o ?? {}) as DerOptions),
  'er-ace': (o?: StrategyOptions) => erAce((o ?? {}) as ErAceOptions),
  agem: (o?: StrategyOptions) => agem((o ?? {}) as AgemOptions),
  gem: (o?: StrategyOptions) => gem((o ?? {}) as GemOptions),
  gdumb: (o?: StrategyOptions) => gdumb({ ...(o as GdumbOptions), copyModel: needsCopy('gdumb', o) }),
  icarl: (o?: StrategyOptions) => icarl({ ...(o as IcarlOptions), copyModel: needsCopy('icarl', o) }),
  // Task importance (task-importance.ts): the estimate weights each old task's replay share or
  // penalty; `weighting: uniform` (or the `-uniform` name) is the same method, data and budget
  // with all weights 1.
  'importance-replay': (o?: StrategyOptions) => importanceReplayFrom(o),
  'importance-replay-uniform': (o?: StrategyOptions) => importanceReplayFrom({ ...o, weighting: 'uniform' }),
  'importance-ewc': (o?: StrategyOptions) => importanceEwc(o),
  'importance-ewc-uniform': (o?: StrategyOptions) => importanceEwc({ ...o, weighting: 'uniform' }),
  'importance-lwf': (o?: StrategyOptions) => importanceLwf(o),
  'importance-lwf-uniform': (o?: StrategyOptions) => importanceLwf({ ...o, weighting: 'uniform' }),
  'memory-augmented': (o?: StrategyOptions) => memoryAugmented((o ?? {}) as MemoryAugmentedOptions),
  'multi-task': (o?: StrategyOptions) => multiTask(o as MultiTaskOptions),
  'multi-task-replay': (o?: StrategyOptions) => multiTaskReplay((o ?? {}) as MultiTaskReplayOptions),
} as const satisfies Record<string, StrategyFactory>;

export type StrategyName = keyof typeof strategyRegistry;

export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(strategyRegistry, name);
}

/**
 * The strategy called `name`; an unknown name throws a ConfigError listing the known ones.
 * Names joined by `+` (`ewc+lwf`) make one combined strategy (combine.ts); each part takes the
 * options it knows from `options`.
 */
export function createStrategy(name: string, options: StrategyOptions = {}): Strategy {
  if (name.includes('+')) return combine(...name.split('+').map((part) => createStrategy(part, options)));
  if (!isStrategyName(name)) {
    throw new ConfigError(
      'strategy',
      `expected one of ${Object.keys(strategyRegistry).join(', ')}, got "${name}"`,
    );
  }
  return strategyRegistry[name](options);
}
