/**
 * Drift detectors: ADWIN, Page-Hinkley and DDM on a stream of numbers (a loss, an error
 * indicator), and two-sample KS and MMD tests on a stream of inputs. Each has the
 * `DriftDetector` shape (`update`, `driftDetected`, `warningDetected`, `reset`, `state` /
 * `restore`) and can be built by name with `createDriftDetector`, or from a saved state with
 * `restoreDriftDetector`; see docs/drift.md.
 */
import type { z } from 'zod';
import { createRegistry } from '../core/registry.js';
import { Adwin, adwinOptions, type AdwinOptions } from './adwin.js';
import { Ddm, ddmOptions, type DdmOptions } from './ddm.js';
import { ConfigError } from '../core/errors.js';
import { describeState, type DriftDetectorName, type DriftDetectorState } from './detector.js';
import { KsDetector, ksOptions, type KsOptions } from './ks.js';
import { MmdDetector, mmdOptions, type MmdOptions } from './mmd.js';
import { PageHinkley, pageHinkleyOptions, type PageHinkleyOptions } from './page-hinkley.js';

export {
  detectorOptions,
  type DriftDetector,
  type DriftDetectorName,
  type DriftDetectorState,
  type DriftInput,
  type DriftStateValue,
} from './detector.js';
export { Adwin, adwinOptions, type AdwinOptions } from './adwin.js';
export { PageHinkley, pageHinkleyOptions, type PageHinkleyOptions } from './page-hinkley.js';
export { Ddm, ddmOptions, type DdmOptions } from './ddm.js';
export { KsDetector, ksOptions, ksStatistic, ksPValue, kolmogorovQ, type KsOptions } from './ks.js';
export { MmdDetector, mmdOptions, type MmdOptions } from './mmd.js';
export { updateForRise } from './rising.js';

/** The detector each name builds. */
export interface DriftDetectors {
  adwin: Adwin;
  'page-hinkley': PageHinkley;
  ddm: Ddm;
  ks: KsDetector;
  mmd: MmdDetector;
}

/** The options each name takes. */
export interface DriftDetectorOptions {
  adwin: AdwinOptions;
  'page-hinkley': PageHinkleyOptions;
  ddm: DdmOptions;
  ks: KsOptions;
  mmd: MmdOptions;
}

/** One entry of the detector registry. */
export interface DriftDetectorEntry {
  readonly name: DriftDetectorName;
  readonly description: string;
  /** Its options schema (defaults, bounds, descriptions). */
  readonly options: z.ZodType;
  /** Builds one from options (validated; a bad one throws a ConfigError naming the field). */
  create(options: unknown): DriftDetectors[DriftDetectorName];
}

/** The detectors by name; `driftDetectors.names()` lists them. */
export const driftDetectors = createRegistry<DriftDetectorEntry>('drift detector', [
  {
    name: 'adwin',
    description: 'ADWIN2 adaptive window (Bifet & Gavaldà 2007) on a stream of numbers',
    options: adwinOptions,
    create: (options) => new Adwin(options as AdwinOptions),
  },
  {
    name: 'page-hinkley',
    description: 'Page-Hinkley cumulative-sum test (Page 1954) for a change of the mean',
    options: pageHinkleyOptions,
    create: (options) => new PageHinkley(options as PageHinkleyOptions),
  },
  {
    name: 'ddm',
    description: 'DDM (Gama et al. 2004) on a stream of 0/1 errors, with a warning zone',
    options: ddmOptions,
    create: (options) => new Ddm(options as DdmOptions),
  },
  {
    name: 'ks',
    description: 'two-sample Kolmogorov-Smirnov test per feature, reference vs sliding window',
    options: ksOptions,
    create: (options) => new KsDetector(options as KsOptions),
  },
  {
    name: 'mmd',
    description: 'two-sample MMD permutation test (Gretton et al. 2012), Gaussian kernel',
    options: mmdOptions,
    create: (options) => new MmdDetector(options as MmdOptions),
  },
]);

/**
 * The detector called `name` with `options` (defaults filled in). An unknown name throws a
 * ConfigError for `name`; a bad option one naming the option (`delta`, `windowSize`, ...).
 */
export function createDriftDetector<Name extends DriftDetectorName>(
  name: Name,
  options: DriftDetectorOptions[Name] = {},
): DriftDetectors[Name] {
  return driftDetectors.get(name, 'name').create(options) as DriftDetectors[Name];
}

/**
 * The detector a `state()` came from, rebuilt: made by the state's name with the state's options,
 * then restored, so it goes on exactly as the saved one would. Throws an Error naming the field for
 * a state that names no known detector, holds bad options, or is malformed.
 */
export function restoreDriftDetector<Name extends DriftDetectorName>(
  state: DriftDetectorState<Name>,
): DriftDetectors[Name] {
  const where = 'restoreDriftDetector';
  const record = state as unknown;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new Error(
      `${where}: expected a detector state { name, options, ... }, got ${describeState(record)}`,
    );
  }
  const { name, options } = record as { name?: unknown; options?: unknown };
  if (typeof name !== 'string' || !driftDetectors.has(name)) {
    throw new Error(
      `${where}: name: expected a drift detector (${driftDetectors.names().join(', ')}), got ${describeState(name)}`,
    );
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${where} (${name}): options: expected a record, got ${describeState(options)}`);
  }
  let detector: DriftDetectors[DriftDetectorName];
  try {
    detector = driftDetectors.get(name).create(options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new Error(`${where} (${name}): options.${error.message}`, { cause: error });
  }
  detector.restore(state);
  return detector as DriftDetectors[Name];
}
