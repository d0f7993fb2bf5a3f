/**
 * The template's online path (`fit` on a stream with `online` set, see benchmarks/online.ts): one
 * pass over the delivered data in batches of `online.batchSize`, each trained by the same step as
 * an offline epoch (`stepper`, step.ts). The strategy is never told where an experience ends:
 * no plugin gets `onExperienceStart` / `onExperienceEnd` or epoch hooks, and every step sees one
 * pseudo-experience for the whole stream. The events still follow the nominal experiences, so
 * metrics read an online run as they read an offline one: per experience `experience-start`,
 * one `epoch-end` (epoch 0), `experience-end`, and, after the batch that reaches its end,
 * `beforeEvaluation` hooks then `evaluation`. Batches are cut from the delivered data regardless
 * of boundaries: one that straddles a boundary counts in the experience it starts in. With
 * `drift` set, a `drift-watch` event comes before the first `experience-start`, and each batch is
 * first predicted for the drift detector (drift-watch.ts): a reported drift is a `drift` event,
 * emitted before that batch's step.
 */
import type { Experience } from '../benchmarks/experience.js';
import { deliver } from '../benchmarks/online.js';
import { sampleSize } from '../data/dataset.js';
import type { TrainingPosition } from '../checkpoint/fit-state.js';
import { PROGRESS_INTERVAL_MS } from './epoch.js';
import type { FitRun } from './fit-run.js';
import type { ExperienceContext } from './plugin.js';

/**
 * Trains on an online stream. `epochs` and `iterations` do not apply (the stream is seen once),
 * nor does `resetOptimizer`: one optimizer serves the whole run, as there is no boundary to reset
 * it at. Class-IL's active classes are those seen in the batches so far. No task id is given to
 * the model (class-IL and domain-IL have a single head).
 */
export function* fitOnline(run: FitRun, position: TrainingPosition): Generator<void, void, void> {
  const { stream, model } = run.options;
  const { batchSize } = stream.online!;
  const { data, boundaries } = deliver(stream);
  // The one experience every hook sees: index 0, task 0, the delivered data as its train set,
  // no test set and no classes, so nothing in it reveals where the stream changes.
  const experience: Experience = {
    index: 0,
    taskId: 0,
    train: data,
    test: { ...data, x: new Float32Array(0), y: new Int32Array(0) },
    classes: [],
  };
  const optimizer = run.optimizerFor(position.inProgress !== undefined);
  const size = sampleSize(data);
  const T = stream.experiences.length;
  const at = position.inProgress;
  let segment = position.experience;
  let segmentStart = performance.now() - (at?.seconds ?? 0) * 1000;
  let lastProgress = performance.now();
  let { samples, ownSamples, lossSum, ownLossSum } = at?.epoch.sums ?? {
    samples: 0,
    ownSamples: 0,
    lossSum: 0,
    ownLossSum: 0,
  };
  const open = () => {
    run.emit({ type: 'experience-start', experience: segment, classes: stream.experiences[segment].classes });
    segmentStart = lastProgress = performance.now();
    samples = ownSamples = lossSum = ownLossSum = 0;
  };
  const close = () => {
    const seconds = (performance.now() - segmentStart) / 1000;
    const loss = samples ? lossSum / samples : NaN;
    run.emit({ type: 'epoch-end', experience: segment, epoch: 0, loss, samples, seconds });
    run.emit({ type: 'experience-end', experience: segment, seconds, samples });
    run.evaluateAfter(segment);
  };

  // Where the run stands for a checkpoint taken after the step that ends at batch `next`.
  const where = (next: number): TrainingPosition => {
    const seconds = (performance.now() - segmentStart) / 1000;
    return {
      experience: segment,
      inProgress: {
        samples,
        seconds,
        stepsLeft: null,
        epoch: { index: 0, seed: 0, step: next, seconds, sums: { samples, lossSum, ownSamples, ownLossSum } },
      },
    };
  };

  if (!at) {
    if (run.drift) run.emit(run.drift.watchEvent(boundaries));
    open();
  }
  for (
    let step = at?.epoch.step ?? 0, start = step * batchSize;
    start < data.y.length;
    start += batchSize, step++
  ) {
    const end = Math.min(start + batchSize, data.y.length);
    const indices = Int32Array.from({ length: end - start }, (_, k) => start + k);
    const batch = { x: data.x.slice(start * size, end * size), y: data.y.slice(start, end) };
    if (run.drift) {
      // Test, then train: predicted among the outputs evaluation would use now (forTest: in
      // class-IL the classes seen before this batch, whose labels are not revealed yet).
      const errors = run.drift.errors(model, batch, data.sampleShape, run.active.forTest(segment));
      for (const k of run.drift.feed(errors)) {
        run.emit({
          type: 'drift',
          experience: segment,
          step,
          sample: start + k,
          detector: run.drift.detectorName,
        });
      }
    }
    const activeClasses = run.active.observe(batch.y);
    const ctx: ExperienceContext = { stream, experience, trainingSet: data, model, activeClasses };
    const augment = run.augment ? { augment: run.augment } : {};
    const result = run.step({ ...ctx, epoch: 0, step, batch, indices, ...augment }, optimizer, undefined);
    samples += result.samples;
    if (!Number.isNaN(result.loss)) {
      lossSum += result.loss * result.samples;
      ownSamples += batch.y.length;
      ownLossSum += result.loss * batch.y.length;
      if (performance.now() - lastProgress >= PROGRESS_INTERVAL_MS) {
        lastProgress = performance.now();
        run.emit({
          type: 'progress',
          experience: segment,
          epoch: 0,
          samples: ownSamples,
          epochSamples: stream.experiences[segment].train.y.length,
          loss: ownLossSum / ownSamples,
          seconds: (lastProgress - segmentStart) / 1000,
        });
      }
    }
    // A batch may reach more than one boundary when experiences are smaller than a batch.
    while (segment < T - 1 && end >= boundaries[segment]) {
      close();
      segment++;
      open();
    }
    run.afterStep(optimizer, () => where(step + 1));
    yield;
  }
  close();
}
