/**
 * `unforget serve`'s configuration (serve.yaml), validated by one zod schema: where it listens,
 * where it keeps its data, its limits, and the models it serves, each a learner config
 * (learner/learner-config.ts: the same words as `createLearner`) plus how its trainer batches
 * the log. With no file, the embedded default: one model `default`, MNIST-shaped (784 inputs, 10
 * classes), an MLP trained by DER++ with a 500-example buffer.
 */
import { checkDriftConfig, driftConfig } from './drift-watch.js';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { schemaProblems } from '../core/validation.js';
import { learnerConfig } from '../learner/learner-config.js';

/** A model name: what `/v1/models/:model` routes take. */
export const modelName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected 1-64 lower-case letters, digits, "-" or "_"');

export const personalConfig = z.strictObject({
  enabled: z.boolean().default(true).describe("each user's own head on the shared features"),
  default: z
    .enum(['shared', 'private'])
    .default('shared')
    .describe("a new user's setting: private examples train only their own head, never the shared model"),
  lr: z.number().positive().default(0.05).describe("the heads' SGD learning rate"),
  history: z.number().int().min(0).default(200).describe("earlier examples each user's reservoir keeps"),
  replay: z
    .number()
    .int()
    .min(0)
    .default(16)
    .describe("earlier examples replayed with each new batch of a user's"),
  steps: z
    .number()
    .int()
    .positive()
    .default(2)
    .describe("gradient steps of a user's head on each of their batches"),
});

export type PersonalConfig = z.output<typeof personalConfig>;

export const servedModelConfig = z.strictObject({
  name: modelName,
  learner: learnerConfig,
  microBatch: z
    .number()
    .int()
    .positive()
    .max(4096)
    .default(32)
    .describe('examples per training step, taken from the log in sequence order'),
  flushAfterMs: z
    .number()
    .int()
    .min(0)
    .default(100)
    .describe('a micro-batch short of microBatch is learnt once the log has been quiet this long'),
  snapshotEvery: z
    .number()
    .int()
    .positive()
    .default(2000)
    .describe('examples learnt between two snapshots of the trainer'),
  keepSnapshots: z.number().int().min(2).default(5).describe('snapshots kept on disk, newest first'),
  personal: personalConfig.prefault({}),
  /** Drift detection on the prequential errors (drift-watch.ts); `false` turns it off. */
  drift: driftConfig.prefault({}),
});

export const serviceConfig = z.strictObject({
  host: z.string().min(1).default('127.0.0.1').describe('the address to listen on'),
  port: z.number().int().min(0).max(65535).default(8080),
  dataDir: z.string().min(1).default('unforget-data').describe('the log, the snapshots, the tokens'),
  limits: z
    .strictObject({
      bodyBytes: z
        .number()
        .int()
        .positive()
        .default(4 * 1024 * 1024),
      examplesPerRequest: z.number().int().positive().default(1024),
      inputsPerRequest: z.number().int().positive().default(1024),
      requestsPerSecond: z
        .number()
        .min(0)
        .default(1000)
        .describe('requests per second per token, on average (0: no limit); more are answered 429'),
      burst: z.number().int().positive().default(2000).describe('requests a token may make at once'),
    })
    .prefault({}),
  models: z.array(servedModelConfig).min(1),
});

export type ServiceConfig = z.output<typeof serviceConfig>;
export type ServedModelConfig = z.output<typeof servedModelConfig>;

/** The model `unforget serve` serves with no config. */
export const DEFAULT_MODEL = {
  name: 'default',
  learner: {
    model: { type: 'mlp', hiddenSizes: [100, 100] },
    strategy: { name: 'derpp', bufferSize: 500 },
    optimizer: { name: 'sgd', lr: 0.03 },
    sampleShape: [784],
    numClasses: 10,
  },
};

/** Validates a service config (a parsed serve.yaml; `{}` is the default), naming the first bad field. */
export function parseServiceConfig(data: unknown): ServiceConfig {
  const withModels =
    data && typeof data === 'object' && !('models' in data) ? { ...data, models: [DEFAULT_MODEL] } : data;
  const result = serviceConfig.safeParse(withModels, { reportInput: true });
  if (!result.success) {
    const [first] = schemaProblems(serviceConfig, result.error, '');
    throw new ConfigError(first.path, first.message);
  }
  const names = new Set<string>();
  result.data.models.forEach((m, i) => {
    if (names.has(m.name))
      throw new ConfigError(`models[${i}].name`, `expected a new name, got "${m.name}" again`);
    names.add(m.name);
    checkServedModel(m, `models[${i}].`);
  });
  return result.data;
}

/** What the schema cannot say of a served model; `prefix` locates it in its document. */
function checkServedModel(m: ServedModelConfig, prefix: string): void {
  checkDriftConfig(m.drift, prefix);
  if (m.learner.growOutputs) {
    throw new ConfigError(`${prefix}learner.growOutputs`, 'expected false: a served model keeps its outputs');
  }
}

/** Validates one served model's config (`POST /v1/models`, or one kept in the log), naming the first bad field. */
export function parseServedModelConfig(data: unknown): ServedModelConfig {
  const result = servedModelConfig.safeParse(data, { reportInput: true });
  if (!result.success) {
    const [first] = schemaProblems(servedModelConfig, result.error, '');
    throw new ConfigError(first.path || 'body', first.message);
  }
  checkServedModel(result.data, '');
  return result.data;
}
