/**
 * unforget's public entry point. The continual-learning pieces (streams, strategies,
 * metrics) build on this engine layer.
 */
export {
  initEngine,
  BACKEND_NAMES,
  type BackendName,
  type EngineInfo,
  type EngineOptions,
} from './engine/backend.js';
export { softmaxCrossEntropy } from './engine/losses.js';
export {
  sgd,
  adam,
  SgdOptimizer,
  AdamOptimizer,
  type SgdOptions,
  type AdamOptions,
} from './engine/optimizers/index.js';
export { dense, type DenseArgs, type DenseActivation } from './engine/ops/dense.js';
export { fusedDense, FusedDense } from './models/layers/fused-dense.js';
export {
  NativeBackend,
  registerNativeBackend,
  nativeKernelNames,
  loadAddon,
  NATIVE_BACKEND,
  type NativeBackendOptions,
} from './native/index.js';
export * as tf from './engine/tf.js';

// The continual-learning slice (issue 3), layer by layer: data -> benchmarks -> models -> metrics.
export { createRng, type Rng } from './core/random.js';
export { ConfigError, DataFormatError } from './core/errors.js';
export { StateReader, type StateRecord, type StateValue } from './core/state.js';
export { solveNonNegativeQp } from './core/qp.js';
export * from './core/events.js';
export { type Dataset, type DatasetSplit, selectSamples, sampleSize } from './data/dataset.js';
export { loadMnist } from './data/mnist.js';
export { loadFashionMnist, FASHION_MNIST_CLASS_NAMES } from './data/fashion-mnist.js';
export { gaussianClusters } from './data/synthetic.js';
export { subsample } from './data/subsample.js';
export { parseIdx, readIdxFile } from './data/idx.js';
// Datasets from the user's own files: CSV/TSV, JSON Lines/JSON, .npy, CIFAR binaries, image folders.
export {
  loadFileDataset,
  fileDatasetOptions,
  holdOut,
  type FileDataset,
  type FileDatasetContext,
  type FileDatasetFormat,
  type FileDatasetOptions,
} from './data/file-dataset.js';
export {
  loadTable,
  parseDelimited,
  delimiterOf,
  type ColumnRef,
  type DelimitedRecord,
  type Table,
  type TableOptions,
} from './data/table.js';
export {
  loadJsonSamples,
  type JsonSamples,
  type JsonSamplesFormat,
  type JsonSamplesOptions,
} from './data/json-samples.js';
export {
  parseNpy,
  readNpy,
  loadNpySamples,
  type NpyArray,
  type NpyData,
  type NpyDtype,
  type NpySamples,
  type NpySamplesOptions,
} from './data/npy.js';
export {
  loadCifar10,
  loadCifar100,
  CIFAR10_CLASS_NAMES,
  type CifarOptions,
  type Cifar100Options,
} from './data/cifar.js';
export {
  loadImageFolder,
  imageFolderClasses,
  IMAGE_EXTENSIONS,
  type ImageFolderOptions,
  type ImageShape,
} from './data/image-folder.js';
export { encodeLabels, MAX_INTEGER_LABEL, type EncodedLabels, type Label } from './data/labels.js';
export { type CacheOption } from './data/file-cache.js';
export { type Experience } from './benchmarks/experience.js';
export { type Stream, type Scenario, testTaskId, unionOfTrain, jointTrain } from './benchmarks/stream.js';
export { classSplit, classGroups } from './benchmarks/class-split.js';
export { groupSplit, type RowGroups } from './benchmarks/group-split.js';
export { filesBenchmark, filesOptions, type FilesBenchmarkOptions } from './benchmarks/files.js';
export { permuted } from './benchmarks/permuted.js';
export { rotated } from './benchmarks/rotated.js';
export {
  onlineStream,
  deliveryOrder,
  deliver,
  type OnlineOptions,
  type DeliveryOrder,
} from './benchmarks/online.js';
export { type OnlineDelivery } from './benchmarks/stream.js';
export * from './memory/index.js';
export {
  createBenchmarkRegistry,
  type BenchmarkName,
  type BenchmarkRegistry,
} from './benchmarks/registry.js';
export { benchmarks, registerBenchmark } from './benchmarks/benchmarks.js';
export { augmentImages, augmentOptions, type AugmentOptions } from './data/augment.js';
export { type Classifier } from './models/classifier.js';
export { mlp, multiHeadMlp, type MlpOptions, type MultiHeadMlpOptions } from './models/mlp.js';
// Image models, any tfjs-layers model as a Classifier, and models read from files (file:// in Node).
export { modelWeights, copyWeights } from './models/classifier.js';
export { cnn, cnnLayersModel, type CnnOptions, type CnnPool } from './models/cnn.js';
export { resnet18, resnet18Reduced, resnet18LayersModel, type ResNetOptions } from './models/resnet.js';
export { type WeightInit } from './models/initializers.js';
export {
  fromLayersModel,
  copyLayersModel,
  layersModelFactory,
  snapshotLayersModel,
  layersModelFromSnapshot,
  type LayersClassifier,
  type FromLayersModelOptions,
  type CopyLayersModelOptions,
  type LayersModelSnapshot,
} from './models/layers-model.js';
export { readLayersFile, buildLayersFileModel, type LayersFile } from './models/layers-file.js';
export {
  models,
  defineModel,
  type ModelDefinition,
  type ModelPrepareContext,
  type ModelShape,
} from './models/registry.js';
export { registerFileRouters, fileSaveHandler, fileLoadHandler } from './engine/file-io.js';
// The NTM-style memory module and its LSTM baseline; every part (addressing, heads, controllers) under `ntmParts`.
export {
  ntm,
  lstmNetwork,
  type Ntm,
  type NtmOptions,
  type NtmState,
  type LstmNetwork,
  type LstmOptions,
  divergenceGuard,
  type DivergenceGuard,
  type DivergenceGuardOptions,
} from './models/ntm/index.js';
export * as ntmParts from './models/ntm/index.js';
export { copyBatch, copyLoss, bitsWrongPerSequence, type CopyBatch } from './data/copy-task.js';
export * from './metrics/index.js';
export * from './training/index.js';
export { createLearner } from './learner/create-learner.js';
export { loadLearner, type LearnerParts } from './learner/load-learner.js';
export {
  learnerConfig,
  optimizerConfig,
  parseLearnerConfig,
  type LearnerConfig,
} from './learner/learner-config.js';
export * from './checkpoint/index.js';
export * from './strategies/index.js';
export * from './loggers/index.js';
export { writeFileAtomic } from './core/atomic-write.js';
export * from './drift/index.js';
export {
  UnforgetClient,
  UnforgetApiError,
  type LearnExample,
  type LearnRequest,
  type LearnResponse,
  type PredictResponse,
  type ModelState,
  type UserState,
} from './service/client.js';
export { startService, type RunningService, type ServiceOptions } from './service/service.js';
export { parseServiceConfig, type ServiceConfig, type ServedModelConfig } from './service/service-config.js';
