/**
 * The trainer's process, beside the HTTP server's (trainer-handle.ts forks it): it reads the
 * durable log through its own SQLite connection, learns it model by model in micro-batches
 * (model-trainer.ts), and sends the weights after learning to the server, which predicts with
 * them. The server's requests never wait for a training step. Messages: `init` (the service
 * config) -> `ready`; `wake` (new examples are in the log); `snapshot` -> `snapshotted`;
 * `rollback`, `forget` (carry out a user's recorded deletion) -> `done` with the result; `stop` (snapshot, then exit). Commands run between steps, never
 * inside one.
 */
import { initEngine } from '../engine/backend.js';
import { ConfigError } from '../core/errors.js';
import { openDatabase } from './log-store.js';
import { ModelTrainer } from './model-trainer.js';
import type { ServedModelConfig, ServiceConfig } from './service-config.js';

export type ToTrainer =
  | { type: 'init'; config: ServiceConfig }
  | { type: 'wake' }
  | { type: 'snapshot'; id: number }
  | { type: 'rollback'; id: number; model: string; version: number }
  | { type: 'forget'; id: number; model: string; deletion: number }
  | { type: 'addModel'; id: number; model: ServedModelConfig }
  | { type: 'stop' };

export type FromTrainer =
  | { type: 'ready' }
  | { type: 'weights'; published: ReturnType<ModelTrainer['published']> }
  | { type: 'done'; id: number; error?: string; result?: unknown }
  | { type: 'log'; line: string }
  | { type: 'failed'; message: string; field?: string; detail?: string };

const send = (message: FromTrainer) => process.send?.(message);
/** The longest the trainer sleeps when the log has nothing new and no `wake` came. */
const POLL_MS = 100;
/** Weights go to the server at most this often while the trainer is busy (always when it falls idle). */
const PUBLISH_MS = 50;

let trainers: ModelTrainer[] = [];
/** What a model created at run time needs: the log's connection and the data folder. */
let serving: { db: Awaited<ReturnType<typeof openDatabase>>; dataDir: string } | null = null;
let stopping = false;
let wake: (() => void) | null = null;
const commands: (() => Promise<void>)[] = [];

/** Queues `work` for the loop's next pause between steps; answers `done` for `id` after it. */
function command(id: number, work: () => Promise<unknown>): void {
  commands.push(() =>
    work().then(
      (result) => {
        send({ type: 'done', id, ...(result === undefined ? {} : { result }) });
      },
      (error: unknown) => {
        send({ type: 'done', id, error: error instanceof Error ? error.message : String(error) });
      },
    ),
  );
  wake?.();
}

async function run(config: ServiceConfig): Promise<void> {
  await initEngine();
  const db = await openDatabase(config.dataDir);
  serving = { db, dataDir: config.dataDir };
  trainers = config.models.map(
    (m) => new ModelTrainer(db, m, config.dataDir, (line) => send({ type: 'log', line })),
  );
  for (const t of trainers) await t.start();
  trainers.forEach((t) => send({ type: 'weights', published: t.published() }));
  send({ type: 'ready' });
  let published = Date.now();
  let unpublished = new Set<ModelTrainer>();
  while (!stopping) {
    while (commands.length > 0) await commands.shift()!();
    let learnt = 0;
    for (const t of trainers) {
      const n = await t.step();
      if (n > 0) unpublished.add(t);
      learnt += n;
    }
    const idle = learnt === 0;
    if (unpublished.size > 0 && (idle || Date.now() - published >= PUBLISH_MS)) {
      unpublished.forEach((t) => send({ type: 'weights', published: t.published() }));
      unpublished = new Set();
      published = Date.now();
    }
    if (idle && commands.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    } else {
      // Lets messages in between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  for (const t of trainers) await t.snapshot();
  trainers.forEach((t) => t.dispose());
  db.close();
}

process.on('message', (message: ToTrainer) => {
  if (message.type === 'init') {
    run(message.config).then(
      () => process.exit(0),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        // A config problem keeps its field, so that the server refuses it as one (exit code 2).
        const named = error instanceof ConfigError ? { field: error.field, detail: error.detail } : {};
        send({ type: 'failed', message, ...named });
        process.exit(1);
      },
    );
  } else if (message.type === 'wake') {
    wake?.();
  } else if (message.type === 'snapshot') {
    command(message.id, async () => {
      for (const t of trainers) await t.snapshot();
    });
  } else if (message.type === 'rollback') {
    command(message.id, async () => {
      const trainer = trainers.find((t) => t.config.name === message.model);
      if (!trainer) throw new Error(`no model "${message.model}"`);
      await trainer.rollback(message.version);
      send({ type: 'weights', published: trainer.published() });
    });
  } else if (message.type === 'forget') {
    command(message.id, async () => {
      const trainer = trainers.find((t) => t.config.name === message.model);
      if (!trainer) throw new Error(`no model "${message.model}"`);
      // Carried out already when the trainer started (a pending one after a crash): nothing left.
      const deletion = trainer.pendingDeletion(message.deletion);
      if (!deletion) return null;
      const result = await trainer.forgetUser(deletion);
      send({ type: 'weights', published: trainer.published() });
      return result;
    });
  } else if (message.type === 'addModel') {
    command(message.id, async () => {
      if (!serving) throw new Error('the trainer has not started');
      if (trainers.some((t) => t.config.name === message.model.name))
        throw new Error(`a model "${message.model.name}" is trained already`);
      const { db, dataDir } = serving;
      const trainer = new ModelTrainer(db, message.model, dataDir, (line) => send({ type: 'log', line }));
      await trainer.start();
      trainers.push(trainer);
      send({ type: 'weights', published: trainer.published() });
    });
  } else if (message.type === 'stop') {
    stopping = true;
    wake?.();
  }
});
// The server gone (killed), the trainer goes too; what it learnt since its snapshot is in the log.
process.on('disconnect', () => {
  stopping = true;
  wake?.();
});
