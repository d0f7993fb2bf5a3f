/**
 * The template's offline path: experience by experience, each trained for `epochs` epochs (or
 * `iterations` steps over reshuffled passes) of seeded mini-batches, then evaluated on every
 * experience's test set. Per experience it emits `experience-start`, `epoch-end` after each pass
 * and `experience-end`, and calls the plugins' hooks in start/end pairs. A run resumed inside an
 * experience continues at the saved step of the saved epoch, and skips what had happened already
 * (the start event and hooks, the epoch's start hooks).
 */
import { ConfigError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import type { Experience } from '../benchmarks/experience.js';
import type { ExperienceProgress, TrainingPosition } from '../checkpoint/fit-state.js';
import { trainEpoch, type EpochPoint } from './epoch.js';
import type { FitRun } from './fit-run.js';
import type { EpochContext, ExperienceContext } from './plugin.js';

/** Trains the stream's experiences from `position` on. */
export function* trainExperiences(run: FitRun, position: TrainingPosition): Generator<void, void, void> {
  const { experiences } = run.options.stream;
  for (const experience of experiences.slice(position.experience)) {
    // Resuming inside this experience: its start (event, hooks, optimizer) has happened already.
    const resumed = experience.index === position.experience ? position.inProgress : undefined;
    yield* trainExperience(run, experience, resumed);
    run.afterExperience(experience.index + 1);
  }
}

/** Seconds since now, counting `before` seconds spent ahead of a resume. */
function clock(before = 0): () => number {
  const start = performance.now() - before * 1000;
  return () => (performance.now() - start) / 1000;
}

function* trainExperience(
  run: FitRun,
  experience: Experience,
  resumed: ExperienceProgress | undefined,
): Generator<void, void, void> {
  const { options } = run;
  const { stream, model } = options;
  const i = experience.index;
  const selected = options.trainingSet ? options.trainingSet(stream, i) : experience.train;
  if (!resumed) run.emit({ type: 'experience-start', experience: i, classes: experience.classes });
  const elapsed = clock(resumed?.seconds);
  let samples = resumed?.samples ?? 0;
  // `null`: nothing to train on here; the experience still ends and is evaluated.
  if (selected !== null) {
    const activeClasses = run.active.startTraining(i, selected);
    const ctx: ExperienceContext = { stream, experience, trainingSet: selected, model, activeClasses };
    const dropLast = (options.dropLast ?? false) && !run.observeOnly;
    if (dropLast && selected.y.length < options.batchSize) {
      throw new ConfigError(
        'dropLast',
        `experience ${i} has ${selected.y.length} training samples, fewer than one batch of ${options.batchSize}: every batch would be dropped`,
      );
    }
    const optimizer = run.optimizerFor(resumed !== undefined);
    if (!resumed) run.plugins.forEach((p) => p.onExperienceStart?.(ctx));
    // An observing plugin is shown the data once, whatever `epochs` or `iterations` say.
    const limited = options.iterations !== undefined && !run.observeOnly;
    let stepsLeft = limited ? (resumed ? (resumed.stepsLeft ?? Infinity) : options.iterations!) : Infinity;
    const passes = run.observeOnly ? 1 : options.epochs;
    // The epoch a resumed run stands in comes first; it is always finished, even when its
    // checkpoint came after its last step.
    let from = resumed?.epoch;
    const more = (epoch: number) => from !== undefined || (limited ? stepsLeft > 0 : epoch < passes);
    for (let epoch = from?.index ?? 0; more(epoch); epoch++, from = undefined) {
      const epochCtx: EpochContext = { ...ctx, epoch };
      if (!from) run.plugins.forEach((p) => p.onEpochStart?.(epochCtx));
      const epochElapsed = clock(from?.seconds);
      const seed = from ? from.seed : run.epochSeed();
      const startSteps = stepsLeft;
      const fromPoint: EpochPoint | undefined = from && { step: from.step, ...from.sums };
      // What an interrupted pass resumes from: the step in the experience and the pass's sums so far.
      const where = (at: EpochPoint): TrainingPosition => ({
        experience: i,
        inProgress: {
          samples: samples + at.samples - (fromPoint?.samples ?? 0),
          seconds: elapsed(),
          stepsLeft: limited ? startSteps - (at.step - (fromPoint?.step ?? 0)) : null,
          epoch: {
            index: epoch,
            seed,
            step: at.step,
            seconds: epochElapsed(),
            sums: {
              samples: at.samples,
              lossSum: at.lossSum,
              ownSamples: at.ownSamples,
              ownLossSum: at.ownLossSum,
            },
          },
        },
      });
      const end = yield* trainEpoch(epochCtx, {
        optimizer,
        step: run.step,
        batchSize: options.batchSize,
        dropLast,
        taskId: options.trainingSet ? undefined : experience.taskId, // a mixed set has no one task id
        maxSteps: stepsLeft,
        rng: createRng(seed),
        ...(fromPoint ? { from: fromPoint } : {}),
        onProgress: (done, lossSum) =>
          run.emit({
            type: 'progress',
            experience: i,
            epoch,
            samples: done,
            epochSamples: selected.y.length,
            loss: done ? lossSum / done : NaN,
            seconds: epochElapsed(),
          }),
        afterStep: (at) => run.afterStep(optimizer, () => where(at)),
        ...(run.augment ? { augment: run.augment } : {}),
      });
      samples += end.samples - (fromPoint?.samples ?? 0);
      stepsLeft -= end.step - (fromPoint?.step ?? 0);
      run.emit({
        type: 'epoch-end',
        experience: i,
        epoch,
        loss: end.samples ? end.lossSum / end.samples : NaN,
        samples: end.samples,
        seconds: epochElapsed(),
      });
      run.plugins.forEach((p) => p.onEpochEnd?.(epochCtx));
    }
    run.plugins.forEach((p) => p.onExperienceEnd?.(ctx));
    run.endExperience();
  }
  run.emit({ type: 'experience-end', experience: i, seconds: elapsed(), samples });
  run.evaluateAfter(i);
}
