/**
 * The training template: the one loop every strategy runs. Per experience it emits
 * `experience-start`, trains for `epochs` epochs of seeded, shuffled mini-batches, emits
 * `epoch-end` after each and `experience-end` after the last, then evaluates on every
 * experience's test set (`evaluation`). With `iterations`, an experience is that many steps
 * instead (passes over its reshuffled data, the last one cut short), as in van de Ven & Tolias's
 * protocol. In class-IL and task-IL a single-head model's outputs are restricted to the active
 * classes (active-classes.ts) in training, in every plugin's view of the logits, and in evaluation. Methods change training only through their plugins'
 * hooks and contributions (plugin.ts); the template owns the model's updates. An online stream
 * (`stream.online`) is trained by `fitOnline` (online-template.ts) with the same step.
 */
import type { TrainingEvent } from '../core/events.js';
import { trainExperiences } from './experience-loop.js';
import { FitRun } from './fit-run.js';
import { fitOnline } from './online-template.js';
import { validateFitOptions, type FitOptions } from './fit-options.js';

export { RunInterrupted } from './fit-run.js';
export type { FitCheckpointing, FitOptions } from './fit-options.js';

/** Trains on the stream, experience by experience; returns every event it emitted, in order. */
export function fit(options: FitOptions): TrainingEvent[] {
  const run = fitSteps(options);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
  }
}

/**
 * `fit` that lets the event loop run every `yieldEveryMs` between steps, so that a signal handler
 * (SIGINT asking for a checkpoint, see `FitCheckpointing.stopRequested`) or a server can act while a
 * long run trains. The same steps in the same order: the results equal `fit`'s.
 */
export async function fitAsync(options: FitOptions, yieldEveryMs = 50): Promise<TrainingEvent[]> {
  const run = fitSteps(options);
  let last = performance.now();
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
    if (performance.now() - last >= yieldEveryMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      last = performance.now();
    }
  }
}

/**
 * The template as a generator that yields after every optimizer step (`fit` and `fitAsync` drive
 * it): a fresh or resumed run, trained on its offline or online path, then ended.
 */
function* fitSteps(options: FitOptions): Generator<void, TrainingEvent[], void> {
  validateFitOptions(options);
  const run = new FitRun(options);
  const position = options.resume ? run.resume(options.resume) : run.begin();
  try {
    if (options.stream.online) yield* fitOnline(run, position);
    else yield* trainExperiences(run, position);
  } catch (error) {
    run.abandon();
    throw error;
  }
  return run.finish();
}
