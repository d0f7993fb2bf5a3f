/** The service tests' fixture: a small served model, its config, and examples of its clusters. */
import { gaussianClusters } from '../../data/synthetic.js';
import { parseServiceConfig, type ServiceConfig } from '../service-config.js';

export const ADMIN = 'test-admin-token';

/** A config with one model `clusters`: 6 inputs, 4 classes, an MLP trained by ER. */
export function smallConfig(dataDir: string, overrides: Record<string, unknown> = {}): ServiceConfig {
  return parseServiceConfig({
    port: 0,
    dataDir,
    models: [
      {
        name: 'clusters',
        learner: {
          model: { type: 'mlp', hiddenSizes: [16] },
          strategy: { name: 'er', bufferSize: 40 },
          optimizer: { name: 'sgd', lr: 0.1 },
          sampleShape: [6],
          numClasses: 4,
          classNames: ['a', 'b', 'c', 'd'],
        },
        microBatch: 8,
        snapshotEvery: 40,
        ...overrides,
      },
    ],
  });
}

/** Labelled examples of 4 well-separated clusters in 6 dimensions, as the API takes them. */
export function clusterExamples(count: number, seed = 1): { x: number[]; y: number }[] {
  const data = gaussianClusters({
    numClasses: 4,
    samplesPerClass: Math.ceil(count / 4),
    testSamplesPerClass: 1,
    dims: 6,
    spread: 0.5,
    seed,
  });
  return Array.from({ length: count }, (_, i) => ({
    x: Array.from(data.train.x.subarray(i * 6, (i + 1) * 6)),
    y: data.train.y[i],
  }));
}

/** Resolves once `check` is true, polling; rejects after `ms`. */
export async function eventually(
  check: () => Promise<boolean>,
  ms = 20000,
  what = 'the condition',
): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
