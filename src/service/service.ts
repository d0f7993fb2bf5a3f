/**
 * `unforget serve` put together: the log (SQLite), the tokens, the trainer process, the served
 * models, and the HTTP server on the configured address. `close()` stops taking requests,
 * commits what is pending, has the trainer snapshot and stop, and closes the log.
 */
import { initEngine } from '../engine/backend.js';
import { importOptional } from '../core/optional-package.js';
import { ConfigError } from '../core/errors.js';
import { createLearner } from '../learner/create-learner.js';
import {
  createdModels,
  floatsOf,
  logStatements,
  openDatabase,
  SERVICE_PACKAGES,
  SERVICE_PURPOSE,
  type Database,
} from './log-store.js';
import { GroupCommit } from './group-commit.js';
import { PredictionLog } from './prediction-log.js';
import { ServedModel } from './served-model.js';
import { buildServer } from './server.js';
import { parseServedModelConfig, type ServedModelConfig, type ServiceConfig } from './service-config.js';
import { Tokens } from './tokens.js';
import { TrainerHandle } from './trainer-handle.js';

export interface RunningService {
  /** `http://host:port`, the port the system chose when the config gave 0. */
  readonly url: string;
  /** The admin token made on this first start (shown once), else null. */
  readonly newAdminToken: string | null;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Where the trainer's notes go (a snapshot passed over, a trainer that failed). */
  readonly log?: (line: string) => void;
  /** The admin token to accept (default: `UNFORGET_ADMIN_TOKEN`). */
  readonly adminToken?: string;
}

/**
 * Accuracy of a model on up to `n` learnt examples, their sequence numbers spread evenly; kept
 * per model version, since it changes only when the weights do (a client polling the model's
 * state would otherwise pay a read and a forward pass each time).
 */
function historyAccuracyOf(db: Database): (model: ServedModel, n: number) => number | null {
  const spread = db.prepare(
    'SELECT x, y FROM examples WHERE model = ? AND seq <= ? AND seq % ? = 0 ORDER BY seq LIMIT ?',
  );
  const kept = new Map<ServedModel, { version: number; n: number; value: number | null }>();
  return (model, n) => {
    const hit = kept.get(model);
    if (hit && hit.version === model.version && hit.n === n) return hit.value;
    const value = measure(model, n);
    kept.set(model, { version: model.version, n, value });
    return value;
  };
  function measure(model: ServedModel, n: number): number | null {
    const last = model.lastSeqLearned;
    if (last === 0) return null;
    const rows = spread.all(model.name, last, Math.max(1, Math.floor(last / n)), n) as {
      x: Buffer;
      y: number;
    }[];
    if (rows.length === 0) return null;
    const size = model.sampleSize;
    const x = new Float32Array(rows.length * size);
    rows.forEach((r, i) => x.set(floatsOf(r.x), i * size));
    const probabilities = model.probabilities(x, rows.length);
    const correct = probabilities.filter((p, i) => p.indexOf(Math.max(...p)) === rows[i].y).length;
    return correct / rows.length;
  }
}

/**
 * The served model `m`, its whole learner built once first, so that a bad strategy option is
 * refused (a ConfigError at `field`) before anything serves or trains it.
 */
async function buildServed(m: ServedModelConfig, field: string): Promise<ServedModel> {
  try {
    (await createLearner(m.learner)).dispose();
  } catch (error) {
    // The learner's message names its own field (`model.type: ...`, `bufferSize: ...`).
    if (error instanceof ConfigError) throw new ConfigError(field, error.message);
    throw error;
  }
  return ServedModel.build(m);
}

export async function startService(
  given: ServiceConfig,
  options: ServiceOptions = {},
): Promise<RunningService> {
  const note = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Both optional packages, named together, before anything starts.
  await importOptional(
    () => Promise.all([import('fastify'), import('better-sqlite3')]),
    SERVICE_PACKAGES,
    SERVICE_PURPOSE,
  );
  await initEngine();
  const db = await openDatabase(given.dataDir);
  const tokens = new Tokens(db);
  const newAdminToken = tokens.ensureAdmin(options.adminToken ?? process.env.UNFORGET_ADMIN_TOKEN);
  // The models created through the API are served again; one the config names now comes from it.
  const created = createdModels(db).filter((c) => !given.models.some((m) => m.name === c.name));
  const config: ServiceConfig = {
    ...given,
    models: [
      ...given.models,
      ...created.map((c) => {
        try {
          return parseServedModelConfig(c.config);
        } catch (error) {
          db.close();
          if (error instanceof ConfigError)
            throw new ConfigError(`models (${c.name}, created through the API).${error.field}`, error.detail);
          throw error;
        }
      }),
    ],
  };
  const models = new Map<string, ServedModel>();
  for (const [i, m] of config.models.entries()) {
    models.set(
      m.name,
      await buildServed(m, i < given.models.length ? `models[${i}].learner` : `models (${m.name}).learner`),
    );
  }
  const trainer = new TrainerHandle(config, {
    weights: (published) => models.get(published.model)?.update(published),
    log: note,
    failed: (reason) => note(`trainer: ${reason}`),
  });
  try {
    await trainer.started();
  } catch (error) {
    db.close();
    throw error;
  }
  const commits = new GroupCommit(db);
  const predictionLog = await PredictionLog.open(config.dataDir);
  const log = logStatements(db);
  const app = await buildServer({
    config,
    models,
    log,
    commits,
    predictionLog,
    tokens,
    trainer,
    historyAccuracy: historyAccuracyOf(db),
    async addModel(m) {
      const served = await buildServed(m, 'learner');
      // In the map first, so that the trainer's first weights reach it; kept in the log once the
      // trainer has it, so that a restart serves it again (a failed start leaves no trace).
      models.set(m.name, served);
      try {
        await trainer.addModel(m);
      } catch (error) {
        models.delete(m.name);
        served.dispose();
        throw error;
      }
      await commits.submit(() => log.addModel(m.name, m));
      return served;
    },
  });
  const url = await app.listen({ host: config.host, port: config.port });
  return {
    url,
    newAdminToken,
    async close() {
      await app.close();
      commits.flush();
      predictionLog.close();
      await trainer.stop();
      models.forEach((m) => m.dispose());
      db.close();
    },
  };
}
