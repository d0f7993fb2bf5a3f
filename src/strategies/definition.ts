/**
 * How a method declares itself to the registry: its name and family, a line on what it is, and
 * its options as a zod schema (defaults, ranges, required, a line on each). That schema is the
 * one source of the method's options: config validation, `--strategies` flags, `unforget list
 * strategies`, the docs table (docs/strategies.md) and the method function itself all read it.
 */
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { schemaProblems, unknownMessage } from '../core/validation.js';
import type { Strategy, StrategyOptions } from '../training/strategy.js';

/** The folders of `src/strategies/`: where a method's file lives. */
export type StrategyFamily =
  'baselines' | 'regularization' | 'replay' | 'memory-augmented' | 'multi-task' | 'task-importance';

export interface StrategyDefinition<Options extends z.ZodObject = z.ZodObject> {
  /** What a config's `name` or a `--strategies` flag calls it. */
  readonly name: string;
  readonly family: StrategyFamily;
  /** One line: the method and where it comes from. */
  readonly description: string;
  /** Its options; each field's `description` is the line the docs and `unforget list` show. */
  readonly options: Options;
  /** True when it trains on online (task-free) streams: no experience boundaries needed. */
  readonly taskFree: boolean;
  /** The smallest valid options (its required ones), shown in the docs as an example. */
  readonly example?: z.input<Options>;
  /**
   * Builds the method from options as given (the method validates them against `options`) and
   * what every strategy may take besides: the run's seed, a model factory, extra plugins.
   */
  create(options: z.input<Options> & StrategyOptions): Strategy;
}

/** A method's definition, typed by its options schema (what `create` accepts follows from it). */
export function defineStrategy<Options extends z.ZodObject>(
  definition: StrategyDefinition<Options>,
): StrategyDefinition<Options> {
  return definition;
}

/** The model factory a method that keeps a copy of the model needs, or a ConfigError saying so. */
export function requireCopyModel(
  method: string,
  options: StrategyOptions,
): NonNullable<StrategyOptions['copyModel']> {
  if (!options.copyModel) {
    throw new ConfigError(
      'copyModel',
      `${method} needs copyModel: a fresh model of the trained architecture`,
    );
  }
  return options.copyModel;
}

/** Keys a method takes besides its schema's: what the runner or the calling code hands it. */
const CONTEXT_KEYS: readonly string[] = ['plugins', 'copyModel', 'seed'];

/**
 * A method's options checked against its schema, with the defaults filled in. Keys of the
 * context (`seed`, `copyModel`, `plugins`) and `extraKeys` (what the calling code may set, e.g.
 * EWC's `mode`) pass aside; any other key is refused with a "did you mean". Throws a ConfigError
 * naming the first bad field.
 */
export function methodOptions<Options extends z.ZodObject>(
  method: string,
  schema: Options,
  given: object,
  extraKeys: readonly string[] = [],
): z.output<Options> {
  const known = Object.keys(schema.shape);
  const picked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    if (known.includes(key)) picked[key] = value;
    else if (value !== undefined && !CONTEXT_KEYS.includes(key) && !extraKeys.includes(key)) {
      throw new ConfigError(key, unknownMessage(`option of ${method}`, key, known));
    }
  }
  const seed = (given as StrategyOptions).seed;
  if (seed !== undefined && !Number.isInteger(seed)) {
    throw new ConfigError('seed', `expected an integer, got ${String(seed)}`);
  }
  const result = schema.safeParse(picked, { reportInput: true });
  if (result.success) return result.data;
  const [first] = schemaProblems(schema, result.error);
  throw new ConfigError(first.path, first.message);
}
