/**
 * Every strategy a config or the CLI can name: one definition per method (definition.ts), each
 * in its family's folder beside its code. Names joined by `+` (`ewc+lwf`) make one combined
 * strategy (training/combine.ts), each part taking the options it declares.
 */
import { ConfigError } from '../core/errors.js';
import { createRegistry } from '../core/registry.js';
import { unknownMessage } from '../core/validation.js';
import { combine } from '../training/combine.js';
import type { Strategy, StrategyOptions } from '../training/strategy.js';
import type { StrategyDefinition } from './definition.js';
import { cumulativeDefinition } from './baselines/cumulative.js';
import { jointDefinition } from './baselines/joint.js';
import { naiveDefinition } from './baselines/naive.js';
import { ewcDefinition } from './regularization/ewc.js';
import { lwfDefinition } from './regularization/lwf.js';
import { masDefinition } from './regularization/mas.js';
import { onlineEwcDefinition } from './regularization/online-ewc.js';
import { siDefinition } from './regularization/si.js';
import { agemDefinition } from './replay/agem.js';
import { derDefinition } from './replay/der.js';
import { derppDefinition } from './replay/derpp.js';
import { erAceDefinition } from './replay/er-ace.js';
import { erDefinition } from './replay/er.js';
import { gdumbDefinition } from './replay/gdumb.js';
import { gemDefinition } from './replay/gem.js';
import { icarlDefinition } from './replay/icarl.js';
import { memoryAugmentedDefinition } from './memory-augmented/memory-augmented.js';
import { multiTaskDefinition } from './multi-task/multi-task.js';
import { multiTaskReplayDefinition } from './multi-task/multi-task-replay.js';
import { importanceEwcDefinition, importanceEwcUniformDefinition } from './task-importance/importance-ewc.js';
import { importanceLwfDefinition, importanceLwfUniformDefinition } from './task-importance/importance-lwf.js';
import {
  importanceReplayDefinition,
  importanceReplayUniformDefinition,
} from './task-importance/importance-replay.js';

/** The registered methods, in the order `unforget list` and the docs show them; open to `register`. */
export const strategies = createRegistry<StrategyDefinition>('strategy', [
  naiveDefinition,
  cumulativeDefinition,
  jointDefinition,
  ewcDefinition,
  onlineEwcDefinition,
  siDefinition,
  masDefinition,
  lwfDefinition,
  erDefinition,
  derDefinition,
  derppDefinition,
  erAceDefinition,
  agemDefinition,
  gemDefinition,
  gdumbDefinition,
  icarlDefinition,
  importanceReplayDefinition,
  importanceReplayUniformDefinition,
  importanceEwcDefinition,
  importanceEwcUniformDefinition,
  importanceLwfDefinition,
  importanceLwfUniformDefinition,
  memoryAugmentedDefinition,
  multiTaskDefinition,
  multiTaskReplayDefinition,
] as StrategyDefinition[]);

/** The definitions of a strategy name's parts (`ewc+lwf`: EWC's and LwF's), refusing unknown ones. */
export function strategyParts(name: string, field = 'strategy'): StrategyDefinition[] {
  return name.split('+').map((part) => strategies.get(part, field));
}

/** What `createStrategy` takes besides the methods' own options. */
const CONTEXT_KEYS = new Set(['plugins', 'copyModel', 'seed']);

/**
 * The strategy called `name`, built from `options`: each part of a combined name takes the
 * options its schema declares, and a key no part declares is refused with a "did you mean".
 * `seed`, `copyModel` and `plugins` go to every part (extra plugins once, after the methods').
 */
/** What `createStrategy` takes: the run's context and the methods' own options, by name. */
export type StrategyBuildOptions = StrategyOptions & Readonly<Record<string, unknown>>;

export function createStrategy(name: string, options: StrategyBuildOptions = {}): Strategy {
  const given = options;
  const parts = strategyParts(name);
  const declared = parts.flatMap((d) => Object.keys(d.options.shape));
  for (const [key, value] of Object.entries(given)) {
    if (value !== undefined && !CONTEXT_KEYS.has(key) && !declared.includes(key)) {
      throw new ConfigError(key, unknownMessage(`option of ${name}`, key, declared));
    }
  }
  const { plugins = [], copyModel, seed } = options;
  const context = { ...(copyModel ? { copyModel } : {}), ...(seed !== undefined ? { seed } : {}) };
  const built = parts.map((d) => {
    const own = Object.keys(d.options.shape).filter((key) => given[key] !== undefined);
    return d.create({ ...context, ...Object.fromEntries(own.map((key) => [key, given[key]])) });
  });
  const strategy = built.length === 1 ? built[0] : combine(...built);
  return plugins.length ? { ...strategy, plugins: [...strategy.plugins, ...plugins] } : strategy;
}
