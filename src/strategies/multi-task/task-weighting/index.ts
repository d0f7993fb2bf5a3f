/** The task weightings by name, and their options as one flat object (what a config can give). */
import { ConfigError } from '../../../core/errors.js';
import { dwaWeighting } from './dwa.js';
import { equalWeighting } from './equal.js';
import { gradNormWeighting } from './gradnorm.js';
import { uncertaintyWeighting } from './uncertainty.js';
import { WEIGHTING_NAMES, type TaskWeighting, type WeightingName } from './weighting.js';

export type { StepObservation, TaskWeighting, WeightingName } from './weighting.js';
export { WEIGHTING_NAMES } from './weighting.js';

export interface WeightingOptions {
  /** How the tasks' losses are weighted. Default `equal`. */
  weighting?: WeightingName;
  /** Uncertainty and GradNorm: learning rate of the weights' own gradient step. Default 0.025. */
  weightLr?: number;
  /** GradNorm's asymmetry alpha. Default 1.5. */
  gradNormAlpha?: number;
  /** DWA's temperature. Default 2. */
  dwaTemperature?: number;
  /** DWA's averaging period in training steps; default the template's epochs. */
  dwaWindow?: number;
}

/** The weighting the options name; bad options throw a ConfigError naming the field. */
export function createWeighting(options: WeightingOptions = {}): TaskWeighting {
  const { weighting = 'equal', weightLr, gradNormAlpha, dwaTemperature, dwaWindow } = options;
  const check = (field: string, value: number | undefined, ok: boolean, expected: string) => {
    if (value !== undefined && !ok) throw new ConfigError(field, `expected ${expected}, got ${value}`);
  };
  check('weightLr', weightLr, (weightLr ?? 0) > 0, 'a positive number');
  check('gradNormAlpha', gradNormAlpha, (gradNormAlpha ?? 0) >= 0, 'a number >= 0');
  check('dwaTemperature', dwaTemperature, (dwaTemperature ?? 0) > 0, 'a positive number');
  check('dwaWindow', dwaWindow, Number.isInteger(dwaWindow) && (dwaWindow ?? 0) > 0, 'a positive integer');
  switch (weighting) {
    case 'equal':
      return equalWeighting();
    case 'uncertainty':
      return uncertaintyWeighting({ lr: weightLr });
    case 'uncertainty-normalized':
      return uncertaintyWeighting({ lr: weightLr, normalize: true });
    case 'gradnorm':
      return gradNormWeighting({ alpha: gradNormAlpha, lr: weightLr });
    case 'dwa':
      return dwaWeighting({ temperature: dwaTemperature, window: dwaWindow });
    default:
      throw new ConfigError(
        'weighting',
        `expected one of ${WEIGHTING_NAMES.join(', ')}, got "${String(weighting)}"`,
      );
  }
}
