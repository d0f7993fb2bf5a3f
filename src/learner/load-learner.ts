/**
 * `loadLearner(dir)`: a saved model (checkpoint/learner-files.ts: a Learner's `save`, or a run's
 * `<run>/models/<strategy>/`) back as a Learner that predicts as it did and learns on from where it
 * stood: built again from the config saved with it, its state (weights, optimizer, every plugin's
 * state, classes seen) put back.
 */
import { join } from 'node:path';
import type * as tf from '../engine/tf.js';
import { ConfigError } from '../core/errors.js';
import { MODEL_STATE, readSavedModel } from '../checkpoint/learner-files.js';
import type { Classifier } from '../models/classifier.js';
import { Learner } from '../training/learner.js';
import type { Strategy } from '../training/strategy.js';
import { learnerFromConfig } from './create-learner.js';
import { parseLearnerConfig } from './learner-config.js';

/** What to build a learner with where its folder has no config (it was made from objects). */
export interface LearnerParts {
  readonly model: Classifier;
  readonly strategy: Strategy;
  readonly optimizer: () => tf.Optimizer;
  /** The builder of a learner that grows its head (LearnerOptions.growModel). */
  readonly growModel?: (numClasses: number) => Classifier;
}

export async function loadLearner(dir: string, parts?: LearnerParts): Promise<Learner> {
  const { manifest, state } = readSavedModel(dir);
  let learner: Learner;
  if (parts) {
    learner = new Learner({
      ...parts,
      sampleShape: manifest.sampleShape,
      ...(manifest.classNames ? { classNames: manifest.classNames } : {}),
    });
  } else if (manifest.description) {
    const config = parseLearnerConfig(manifest.description, `${dir} description`);
    // A model read from a file is read from the copy saved here (with its trained weights).
    const model =
      config.model.type === 'layers' && manifest.tfjs
        ? { type: 'layers', path: manifest.tfjs }
        : config.model;
    // A grown head has more outputs than the config first gave: the saved model's count.
    learner = await learnerFromConfig({ ...config, model, numClasses: manifest.numClasses }, dir);
  } else {
    throw new ConfigError(
      'loadLearner',
      `${dir} was saved from a learner made of objects: give loadLearner its model, strategy and optimizer`,
    );
  }
  try {
    learner.restore(state, join(dir, MODEL_STATE));
  } catch (error) {
    learner.dispose();
    throw error;
  }
  return learner;
}
