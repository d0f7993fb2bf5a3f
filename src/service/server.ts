/**
 * The HTTP API (Fastify): learn, predict, model and user state, tokens, health and metrics. Every
 * `/v1` route needs a bearer token; a user's token acts only as that user (403 otherwise), the
 * admin token as anyone. Errors are `{ error: { field, message } }`, never a stack trace.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { importOptional } from '../core/optional-package.js';
import {
  HttpError,
  learnBody,
  parseBody,
  predictBody,
  rollbackBody,
  deleteUserQuery,
  eventsQuery,
  parseQuery,
  userId,
  userSettingsBody,
} from './api-schemas.js';
import type { GroupCommit } from './group-commit.js';
import type { PredictionLog } from './prediction-log.js';
import { SERVICE_PURPOSE, type logStatements } from './log-store.js';
import type { ServedModel } from './served-model.js';
import { parseServedModelConfig, type ServedModelConfig, type ServiceConfig } from './service-config.js';
import { ConfigError } from '../core/errors.js';
import type { Principal, Tokens } from './tokens.js';
import type { TrainerHandle } from './trainer-handle.js';
import { RateLimiter } from './rate-limit.js';
import { PredictBatcher } from './predict-batcher.js';
import { listSnapshots, snapshotsDir } from './snapshots.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export interface ServiceParts {
  readonly config: ServiceConfig;
  readonly models: ReadonlyMap<string, ServedModel>;
  readonly log: ReturnType<typeof logStatements>;
  readonly commits: GroupCommit;
  readonly predictionLog: PredictionLog;
  readonly tokens: Tokens;
  readonly trainer: TrainerHandle;
  /** Accuracy of `model`'s current weights on up to `n` examples spread over what it learnt. */
  readonly historyAccuracy: (model: ServedModel, n: number) => number | null;
  /** Serves and trains a new model (its config checked); rejects with a ConfigError naming a bad field. */
  readonly addModel: (config: ServedModelConfig) => Promise<ServedModel>;
}

/** Counters /metrics shows. */
interface Counters {
  predictions: number;
  learnRequests: number;
  examplesAccepted: number;
  errors: Map<number, number>;
}

export async function buildServer(parts: ServiceParts): Promise<FastifyInstance> {
  const { default: Fastify } = await importOptional(() => import('fastify'), ['fastify'], SERVICE_PURPOSE);
  const { config, models, log, commits, tokens, trainer, predictionLog } = parts;
  const app = Fastify({ bodyLimit: config.limits.bodyBytes, logger: false });
  const counters: Counters = { predictions: 0, learnRequests: 0, examplesAccepted: 0, errors: new Map() };
  // JSON bodies; an empty one is no body (a route that needs one says so), bad JSON a 400.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text as string));
    } catch (error) {
      done(new HttpError(400, 'body', `expected JSON: ${(error as Error).message}`), undefined);
    }
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    let status = 500;
    let field = 'server';
    let message = 'internal error';
    if (error instanceof HttpError) {
      ({ status, field, message } = error);
      for (const [name, value] of Object.entries(error.headers)) void reply.header(name, value);
    } else if (error instanceof ConfigError) {
      // A config in a body (POST /v1/models) refused by the checks serve.yaml goes through.
      [status, field, message] = [400, error.field, error.detail];
    } else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      [status, field, message] = [413, 'body', `expected at most ${config.limits.bodyBytes} bytes`];
    } else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      [status, field, message] = [415, 'content-type', 'expected application/json'];
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own 4xx (a body that is not JSON, an empty JSON body): its message, no stack.
      [status, field, message] = [error.statusCode, 'body', error.message];
    }
    counters.errors.set(status, (counters.errors.get(status) ?? 0) + 1);
    void reply.status(status).send({ error: { field, message } });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ error: { field: 'url', message: `no route ${request.method} ${request.url}` } });
  });

  const batchers = new Map<ServedModel, PredictBatcher>();
  const batcherOf = (model: ServedModel) => {
    let batcher = batchers.get(model);
    if (!batcher) batchers.set(model, (batcher = new PredictBatcher(model)));
    return batcher;
  };
  const limiter = new RateLimiter(config.limits.requestsPerSecond, config.limits.burst);
  /** Who is asking: the bearer token's principal, or a 401; a 429 past the token's rate. */
  const principalOf = (request: FastifyRequest): Principal => {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token)
      throw new HttpError(401, 'authorization', 'expected a header "Authorization: Bearer <token>"');
    const principal = tokens.principal(token);
    if (!principal) throw new HttpError(401, 'authorization', 'unknown token');
    const wait = limiter.take(principal.admin ? '' : principal.user);
    if (wait > 0) {
      const limit = `expected at most ${config.limits.requestsPerSecond} requests per second`;
      throw new HttpError(429, 'rate', limit, { 'retry-after': String(Math.ceil(wait)) });
    }
    return principal;
  };
  const requireAdmin = (request: FastifyRequest) => {
    if (!principalOf(request).admin) throw new HttpError(403, 'authorization', 'expected the admin token');
  };
  /** The user a request acts as: the body's (admin, or the token's own user), else the token's. */
  const actingUser = (principal: Principal, requested: string | undefined): string | null => {
    if (principal.admin) return requested ?? null;
    if (requested !== undefined && requested !== principal.user) {
      throw new HttpError(403, 'user', `this token acts only as user "${principal.user}"`);
    }
    return principal.user;
  };
  const modelOf = (request: FastifyRequest): ServedModel => {
    const name = (request.params as { model: string }).model;
    const model = models.get(name);
    if (!model)
      throw new HttpError(404, 'model', `no model "${name}" (models: ${[...models.keys()].join(', ')})`);
    return model;
  };
  /** The `:user` of a route, or a 400. */
  const userParam = (request: FastifyRequest): string => {
    const parsed = userId.safeParse((request.params as { user: string }).user);
    if (!parsed.success) throw new HttpError(400, 'user', parsed.error.issues[0].message);
    return parsed.data;
  };
  const classOf = (model: ServedModel, value: number | string, field: string): number => {
    if (typeof value === 'number') {
      if (value >= model.numClasses) {
        throw new HttpError(400, field, `expected a class id in [0, ${model.numClasses}), got ${value}`);
      }
      return value;
    }
    const id = model.classNames?.indexOf(value) ?? -1;
    if (id < 0) {
      const names = model.classNames
        ? `one of ${model.classNames.join(', ')}`
        : 'a class id (the model has no class names)';
      throw new HttpError(400, field, `expected ${names}, got "${value}"`);
    }
    return id;
  };
  /**
   * `x` checked (its length, finite numbers) and copied into float32 in one pass, or a 400 at
   * `field`; a string is the values as float32 little-endian in base64.
   */
  const inputOf = (model: ServedModel, x: readonly unknown[] | string, field: string): Float32Array => {
    if (typeof x === 'string') return base64Input(model, x, field);
    if (x.length !== model.sampleSize) {
      throw new HttpError(400, field, `expected ${model.sampleSize} numbers, got ${x.length}`);
    }
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new HttpError(
          400,
          `${field}[${i}]`,
          `expected a finite number, got ${JSON.stringify(v) ?? String(v)}`,
        );
      }
      out[i] = v;
    }
    return out;
  };
  const base64Input = (model: ServedModel, text: string, field: string): Float32Array => {
    const bytes = model.sampleSize * 4;
    // Node's decoder skips what is not base64 without a word: checked first, so a typo is a 400.
    if (!BASE64.test(text) || Buffer.byteLength(text, 'base64') !== bytes) {
      throw new HttpError(
        400,
        field,
        `expected ${model.sampleSize} numbers, or ${bytes} bytes of float32 in base64 (${Math.ceil(bytes / 3) * 4} characters)`,
      );
    }
    const decoded = Buffer.from(text, 'base64');
    const out = new Float32Array(model.sampleSize);
    new Uint8Array(out.buffer).set(decoded);
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i]))
        throw new HttpError(400, `${field}[${i}]`, `expected a finite number, got ${out[i]}`);
    }
    return out;
  };
  /** The user's setting, or the model's default for users who set none. */
  const personalMode = (model: ServedModel, user: string) =>
    log.personalMode(model.name, user) ?? model.config.personal.default;
  /** Whether `user`'s examples stay out of the shared model (decided as each is logged). */
  const privateUser = (model: ServedModel, user: string | null) =>
    user !== null && model.config.personal.enabled && personalMode(model, user) === 'private';

  app.post('/v1/models/:model/learn', async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = principalOf(request);
    const model = modelOf(request);
    const body = parseBody(learnBody, request.body);
    const user = actingUser(principal, body.user);
    let accepted: number;
    let append: () => number;
    if ('examples' in body) {
      if (body.examples.length > config.limits.examplesPerRequest) {
        throw new HttpError(413, 'examples', `expected at most ${config.limits.examplesPerRequest} examples`);
      }
      const rows = body.examples.map((e, i) => ({
        x: inputOf(model, e.x, `examples[${i}].x`),
        y: classOf(model, e.y, `examples[${i}].y`),
      }));
      accepted = rows.length;
      append = () => {
        const isPrivate = privateUser(model, user);
        return rows.reduce((_, r) => log.appendExample(model.name, user, r.x, r.y, isPrivate), 0);
      };
    } else {
      if (body.feedback.length > config.limits.examplesPerRequest) {
        throw new HttpError(413, 'feedback', `expected at most ${config.limits.examplesPerRequest} labels`);
      }
      const labels = body.feedback.map((f, i) => classOf(model, f.label, `feedback[${i}].label`));
      accepted = labels.length;
      append = () => {
        let last = 0;
        body.feedback.forEach((f, i) => {
          const prediction = predictionLog.get(f.predictionId);
          if (
            !prediction ||
            prediction.model !== model.name ||
            (!principal.admin && prediction.user !== user)
          ) {
            throw new HttpError(
              404,
              `feedback[${i}].predictionId`,
              `no prediction "${f.predictionId}" of this model for this user`,
            );
          }
          const owner = prediction.user ?? user;
          last = log.appendExample(model.name, owner, prediction.x, labels[i], privateUser(model, owner));
        });
        return last;
      };
    }
    // Durable before the answer: the commit this write joins has returned. A user first seen in
    // an admin request is created with it.
    const sequence = await commits.submit(() => {
      if (user !== null) log.ensureUser(model.name, user);
      return append();
    });
    counters.learnRequests += 1;
    counters.examplesAccepted += accepted;
    trainer.wake();
    return reply.status(202).send({ accepted, sequence });
  });

  app.post('/v1/models/:model/predict', async (request: FastifyRequest) => {
    const principal = principalOf(request);
    const model = modelOf(request);
    const body = parseBody(predictBody, request.body);
    const user = actingUser(principal, body.user);
    if (body.inputs.length > config.limits.inputsPerRequest) {
      throw new HttpError(413, 'inputs', `expected at most ${config.limits.inputsPerRequest} inputs`);
    }
    const size = model.sampleSize;
    const x = new Float32Array(body.inputs.length * size);
    body.inputs.forEach((input, i) => x.set(inputOf(model, input, `inputs[${i}]`), i * size));
    const probabilities = await batcherOf(model).predict(x, body.inputs.length, user);
    const names = model.classNames;
    const predictions = probabilities.map((p, i) => {
      let label = 0;
      for (let c = 1; c < p.length; c++) if (p[c] > p[label]) label = c;
      const predictionId = randomUUID();
      const input = x.slice(i * size, (i + 1) * size);
      // Kept for late labels; not waited for (a prediction is not an acknowledged example).
      predictionLog.record(predictionId, model.name, user, input);
      return {
        label: names?.[label] ?? label,
        probabilities: Array.from(p),
        predictionId,
      };
    });
    counters.predictions += predictions.length;
    return { predictions, modelVersion: model.version };
  });

  /** What `GET /v1/models/:model` answers. */
  const stateOf = (model: ServedModel) => {
    const acknowledged = log.acknowledged(model.name);
    return {
      name: model.name,
      version: model.version,
      examplesAcknowledged: acknowledged.count,
      examplesLearned: model.examplesLearned,
      examplesSkipped: model.examplesSkipped,
      classes: {
        outputs: model.numClasses,
        seen: model.seenClasses,
        ...(model.classNames ? { names: model.classNames } : {}),
      },
      metrics: {
        prequentialAccuracy: model.prequentialAccuracy,
        historyAccuracy: parts.historyAccuracy(model, 1000),
      },
    };
  };

  app.get('/v1/models', async (request: FastifyRequest) => {
    principalOf(request);
    return { models: [...models.keys()] };
  });

  app.post('/v1/models', async (request: FastifyRequest, reply: FastifyReply) => {
    requireAdmin(request);
    if (request.body === undefined || request.body === null || typeof request.body !== 'object') {
      throw new HttpError(400, 'body', 'expected a JSON object: a model config');
    }
    const config = parseServedModelConfig(request.body);
    if (models.has(config.name)) {
      throw new HttpError(
        409,
        'name',
        `expected a new model name, got "${config.name}", which is served already`,
      );
    }
    let model: ServedModel;
    try {
      model = await parts.addModel(config);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new HttpError(
        409,
        'name',
        `the trainer could not start "${config.name}": ${(error as Error).message}`,
      );
    }
    return reply.status(201).send(stateOf(model));
  });

  app.get('/v1/models/:model', async (request: FastifyRequest) => {
    principalOf(request);
    return stateOf(modelOf(request));
  });

  app.get('/v1/models/:model/users/:user', async (request: FastifyRequest) => {
    const principal = principalOf(request);
    const model = modelOf(request);
    const user = userParam(request);
    actingUser(principal, user);
    const found = log.user(model.name, user);
    if (!found) throw new HttpError(404, 'user', `no user "${user}" in model "${model.name}"`);
    const head = model.head(found.id);
    return {
      user: found.id,
      createdAt: new Date(found.at).toISOString(),
      personal: model.config.personal.enabled ? personalMode(model, found.id) : 'off',
      examplesAcknowledged: log.userExamples(model.name, found.id),
      examplesLearned: head?.learnt ?? 0,
      classesTaught: head?.seen ?? [],
      prequentialAccuracy: head && head.total > 0 ? head.correct / head.total : null,
    };
  });

  app.put('/v1/models/:model/users/:user', async (request: FastifyRequest) => {
    const principal = principalOf(request);
    const model = modelOf(request);
    const user = userParam(request);
    actingUser(principal, user);
    const { personal } = parseBody(userSettingsBody, request.body);
    if (!model.config.personal.enabled) {
      throw new HttpError(
        400,
        'personal',
        `expected no setting: model "${model.name}" has no personal parts`,
      );
    }
    // In the log's order: examples logged before this commit keep the setting they were logged with.
    await commits.submit(() => log.setPersonalMode(model.name, user, personal));
    return { user, personal };
  });

  app.get('/v1/models/:model/events', async (request: FastifyRequest) => {
    const principal = principalOf(request);
    const model = modelOf(request);
    const query = parseQuery(eventsQuery, request.query);
    // A user's token reads only their own events; the admin's any, or all.
    const user = principal.admin ? (query.user ?? null) : actingUser(principal, query.user);
    if (user !== null && query.scope === 'shared') {
      throw new HttpError(
        400,
        'scope',
        'expected all or users with a user: the shared model has its own events',
      );
    }
    return {
      events: log.events(model.name, query.after, user === null ? query.scope : { user }, query.limit),
    };
  });

  app.delete('/v1/models/:model/users/:user', async (request: FastifyRequest) => {
    const principal = principalOf(request);
    const model = modelOf(request);
    const user = userParam(request);
    actingUser(principal, user);
    const { retrain } = parseQuery(deleteUserQuery, request.query);
    if (!log.user(model.name, user))
      throw new HttpError(404, 'user', `no user "${user}" in model "${model.name}"`);
    // Recorded in the log's order, durably: examples acknowledged before it are theirs to delete,
    // and the trainer carries it out even if the process dies before it answers.
    const deletion = await commits.submit(() => log.requestDeletion(model.name, user, retrain));
    const done = await trainer.forget(model.name, deletion);
    predictionLog.forgetUser(model.name, user);
    return {
      user,
      examplesDeleted: done?.examplesDeleted ?? 0,
      memoryRowsDeleted: done?.memoryRowsDeleted ?? 0,
      snapshotsRewritten: done?.snapshotsRewritten ?? 0,
      snapshotsRemoved: done?.snapshotsRemoved ?? 0,
      retrained: done?.retrained ?? retrain,
    };
  });

  app.post('/v1/users/:user/tokens', async (request: FastifyRequest, reply: FastifyReply) => {
    requireAdmin(request);
    const user = userParam(request);
    return reply.status(201).send({ user, token: tokens.issueForUser(user) });
  });

  app.get('/v1/models/:model/snapshots', async (request: FastifyRequest) => {
    requireAdmin(request);
    const model = modelOf(request);
    return {
      snapshots: listSnapshots(snapshotsDir(config.dataDir, model.name)).map((s) => ({
        version: s.version,
        lastSeq: s.lastSeq,
        examplesLearned: s.examplesLearned,
        at: s.at,
      })),
    };
  });

  app.post('/v1/models/:model/rollback', async (request: FastifyRequest) => {
    requireAdmin(request);
    const model = modelOf(request);
    const { version } = parseBody(rollbackBody, request.body);
    const kept = listSnapshots(snapshotsDir(config.dataDir, model.name)).map((s) => s.version);
    if (!kept.includes(version)) {
      throw new HttpError(404, 'version', `no snapshot ${version} (kept: ${kept.join(', ') || 'none'})`);
    }
    try {
      await trainer.rollback(model.name, version);
    } catch (error) {
      throw new HttpError(409, 'version', `the trainer could not roll back: ${(error as Error).message}`);
    }
    return { model: model.name, rolledBackTo: version, version: model.version };
  });

  app.get('/healthz', async (_request, reply) => {
    const ok = trainer.alive;
    return reply.status(ok ? 200 : 503).send({ ok, trainer: ok ? 'running' : 'stopped' });
  });

  app.get('/metrics', async (_request, reply) => {
    const lines = [
      '# HELP unforget_examples_acknowledged_total Examples durable in the log.',
      '# TYPE unforget_examples_acknowledged_total counter',
      ...[...models.values()].map(
        (m) => `unforget_examples_acknowledged_total{model="${m.name}"} ${log.acknowledged(m.name).count}`,
      ),
      '# HELP unforget_examples_learned_total Examples the trainer has learnt.',
      '# TYPE unforget_examples_learned_total counter',
      ...[...models.values()].map(
        (m) => `unforget_examples_learned_total{model="${m.name}"} ${m.examplesLearned}`,
      ),
      '# HELP unforget_model_version Micro-batches learnt by the weights being served.',
      '# TYPE unforget_model_version gauge',
      ...[...models.values()].map((m) => `unforget_model_version{model="${m.name}"} ${m.version}`),
      '# HELP unforget_predictions_total Inputs predicted.',
      '# TYPE unforget_predictions_total counter',
      `unforget_predictions_total ${counters.predictions}`,
      '# HELP unforget_predict_passes_total Forward passes that answered predict requests (concurrent requests share one).',
      '# TYPE unforget_predict_passes_total counter',
      ...[...batchers].map(([m, b]) => `unforget_predict_passes_total{model="${m.name}"} ${b.passes}`),
      '# HELP unforget_log_commits_total Synchronous commits of the log (group commits).',
      '# TYPE unforget_log_commits_total counter',
      `unforget_log_commits_total ${commits.commits}`,
      '# HELP unforget_http_errors_total Error answers by status.',
      '# TYPE unforget_http_errors_total counter',
      ...[...counters.errors].map(([status, n]) => `unforget_http_errors_total{status="${status}"} ${n}`),
      '# HELP unforget_drifts_total Drifts detected on the prequential errors, of the shared model or of users.',
      '# TYPE unforget_drifts_total counter',
      ...log
        .eventCounts()
        .map(
          (c) => `unforget_drifts_total{model="${c.model}",scope="${c.shared ? 'shared' : 'users'}"} ${c.n}`,
        ),
      '# HELP unforget_trainer_up Whether the trainer process runs.',
      '# TYPE unforget_trainer_up gauge',
      `unforget_trainer_up ${trainer.alive ? 1 : 0}`,
    ];
    return reply.type('text/plain; version=0.0.4').send(lines.join('\n') + '\n');
  });

  return app;
}
