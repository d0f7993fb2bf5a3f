/**
 * Experiences by a key each row carries (a file's column: the year, the site, the device a reading
 * came from), for data that changes over time or place rather than by class: experience t holds the
 * rows whose key is the t-th to appear in the training set, with the classes those rows have. The
 * scenario says what a model may know: `class-il` and `task-il` as for class splits, `domain-il`
 * one head over every class (the usual reading of "new data, the same labels").
 */
import { ConfigError } from '../core/errors.js';
import { selectSamples, type DatasetSplit } from '../data/dataset.js';
import type { Experience } from './experience.js';
import type { Scenario, Stream } from './stream.js';

export interface RowGroups {
  readonly train: readonly string[];
  readonly test: readonly string[];
}

export function groupSplit(
  split: DatasetSplit,
  groups: RowGroups,
  options: { readonly scenario: Exclude<Scenario, 'online'>; readonly name: string },
): Stream {
  if (groups.train.length !== split.train.y.length || groups.test.length !== split.test.y.length) {
    throw new RangeError('groups: expected one key per row of train and of test');
  }
  const keys = [...new Set(groups.train)];
  const stray = groups.test.find((key) => !keys.includes(key));
  if (stray !== undefined) {
    throw new ConfigError(
      'split.by',
      `the test set has rows of "${stray}", which the training set has none of`,
    );
  }
  const rowsOf = (of: readonly string[], key: string) => [...of.keys()].filter((i) => of[i] === key);
  const experiences: Experience[] = keys.map((key, t) => {
    const train = selectSamples(split.train, rowsOf(groups.train, key));
    const test = selectSamples(split.test, rowsOf(groups.test, key));
    const classes = [...new Set(train.y)].sort((a, b) => a - b);
    return { index: t, taskId: t, train, test, classes };
  });
  return {
    name: options.name,
    scenario: options.scenario,
    experiences,
    numClasses: split.train.numClasses,
    sampleShape: split.train.sampleShape,
    taskIdVisibleAtTest: options.scenario === 'task-il',
  };
}
