/** The task weightings by name, and their options as one flat object (what a config can give). */
import { z } from 'zod';
import { methodOptions } from '../../definition.js';
import { dwaWeighting } from './dwa.js';
import { equalWeighting } from './equal.js';
import { gradNormWeighting } from './gradnorm.js';
import { uncertaintyWeighting } from './uncertainty.js';
import { WEIGHTING_NAMES, type TaskWeighting } from './weighting.js';

export type { StepObservation, TaskWeighting, WeightingName } from './weighting.js';
export { WEIGHTING_NAMES } from './weighting.js';

/** The weighting's options, as the multi-task strategies declare them (a zod shape to spread). */
export const weightingOptions = {
  weighting: z
    .enum(WEIGHTING_NAMES)
    .default('equal')
    .describe(
      "how the tasks' losses are weighted: equal, uncertainty (Kendall et al. 2018), uncertainty-normalized (its weights summing to the number of tasks), gradnorm (Chen et al. 2018) or dwa (Liu et al. 2019)",
    ),
  weightLr: z
    .number()
    .positive()
    .default(0.025)
    .describe("uncertainty and gradnorm: learning rate of the weights' own gradient step"),
  gradNormAlpha: z
    .number()
    .min(0)
    .default(1.5)
    .describe("gradnorm's asymmetry alpha: how strongly the tasks that train slower are pulled up"),
  dwaTemperature: z
    .number()
    .positive()
    .default(2)
    .describe("dwa's temperature (larger: weights closer to equal)"),
  dwaWindow: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("dwa's averaging period in training steps (default: each epoch)"),
};

const weightingSchema = z.strictObject(weightingOptions);

export type WeightingOptions = z.input<typeof weightingSchema>;

/** The weighting the options name; bad options throw a ConfigError naming the field. */
export function createWeighting(options: WeightingOptions = {}): TaskWeighting {
  const { weighting, weightLr, gradNormAlpha, dwaTemperature, dwaWindow } = methodOptions(
    'task weighting',
    weightingSchema,
    options,
  );
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
  }
}
