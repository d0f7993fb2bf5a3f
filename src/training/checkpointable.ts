/**
 * What makes a strategy checkpointable, checked before anything trains: every plugin saves its
 * state (`state` / `restore`) or declares it keeps none (`stateless`); and a checkpoint is put
 * back only into the strategy (the same plugins) that saved it.
 */
import { ConfigError } from '../core/errors.js';
import type { FitCheckpoint } from '../checkpoint/fit-state.js';
import * as tf from '../engine/tf.js';
import { isCheckpointable } from '../engine/optimizers/index.js';
import type { Plugin } from './plugin.js';

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

/**
 * Refuses, before training, an optimizer factory whose optimizers keep state unforget cannot
 * save (anything but its own SGD and Adam); `saver` says what would save it.
 */
export function assertCheckpointableOptimizer(optimizer: () => tf.Optimizer, saver: string): void {
  const probe = optimizer();
  const ok = isCheckpointable(probe);
  probe.dispose();
  if (!ok) {
    throw new ConfigError(
      'optimizer',
      `expected one of unforget's optimizers (sgd, adam), whose state ${saver}`,
    );
  }
}

/** Refuses a checkpoint made by another strategy (other plugins) than the one resuming from it. */
export function assertSameStrategy(
  checkpoint: Pick<FitCheckpoint, 'strategy' | 'plugins'>,
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
