/**
 * `UnforgetClient`: the service's API, typed, over `fetch` (Node 18+ and browsers). An error
 * answer becomes an `UnforgetApiError` with its status, field and message.
 */
export interface LearnExample {
  /** The input: numbers, or a Float32Array, which is sent as float32 in base64 (a quarter of the JSON). */
  readonly x: readonly number[] | Float32Array;
  /** A class id, or a class name where the model has names. */
  readonly y: number | string;
}

export type LearnRequest =
  | { readonly user?: string; readonly examples: readonly LearnExample[] }
  | {
      readonly user?: string;
      readonly feedback: readonly { predictionId: string; label: number | string }[];
    };

export interface LearnResponse {
  readonly accepted: number;
  /** The log sequence number of the last example accepted. */
  readonly sequence: number;
}

export interface PredictResponse {
  readonly predictions: readonly {
    readonly label: number | string;
    readonly probabilities: readonly number[];
    readonly predictionId: string;
  }[];
  readonly modelVersion: number;
}

export interface ModelState {
  readonly name: string;
  readonly version: number;
  readonly examplesAcknowledged: number;
  readonly examplesLearned: number;
  /** Examples learnt and then undone by a rollback. */
  readonly examplesSkipped: number;
  readonly classes: {
    readonly outputs: number;
    readonly seen: readonly number[];
    readonly names?: readonly string[];
  };
  readonly metrics: { readonly prequentialAccuracy: number | null; readonly historyAccuracy: number | null };
}

export interface SnapshotInfo {
  readonly version: number;
  readonly lastSeq: number;
  readonly examplesLearned: number;
  readonly at: string;
}

export interface UserState {
  readonly user: string;
  readonly createdAt: string;
  /** `shared`, `private` (their examples never reach the shared model), or `off` (no personal parts). */
  readonly personal: 'shared' | 'private' | 'off';
  readonly examplesAcknowledged: number;
  /** Examples their personal head has learnt. */
  readonly examplesLearned: number;
  readonly classesTaught: readonly number[];
  /** Test-then-train accuracy of their personalised predictions (null before any). */
  readonly prequentialAccuracy: number | null;
}

/** A drift the trainer detected on prequential errors: of the shared model (`user` null) or of a user's predictions. */
export interface ServiceEvent {
  readonly id: number;
  readonly user: string | null;
  readonly kind: 'drift';
  readonly detector: string;
  /** The sequence number of the example whose error set the detector off. */
  readonly seq: number;
  readonly at: string;
}

/** What deleting a user removed (`DELETE /v1/models/:model/users/:user`). */
export interface UserDeletion {
  readonly user: string;
  readonly examplesDeleted: number;
  /** Their rows removed from the strategy's memories (replay buffer, exemplars, the task under way). */
  readonly memoryRowsDeleted: number;
  readonly snapshotsRewritten: number;
  /** Snapshots that did not load, so could not be rewritten: removed. */
  readonly snapshotsRemoved: number;
  /** The shared model was trained again from the log without them. */
  readonly retrained: boolean;
}

export class UnforgetApiError extends Error {
  constructor(
    readonly status: number,
    readonly field: string,
    message: string,
  ) {
    super(`${status} ${field}: ${message}`);
    this.name = 'UnforgetApiError';
  }
}

/** A Float32Array as the service takes it: its bytes (little-endian) in base64. */
export function float32Base64(x: Float32Array): string {
  const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  if (typeof Buffer !== 'undefined') return Buffer.from(bytes).toString('base64');
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const wire = (x: readonly number[] | Float32Array) => (x instanceof Float32Array ? float32Base64(x) : x);

export class UnforgetClient {
  private readonly base: string;

  constructor(options: { readonly url: string; readonly token: string }) {
    this.base = options.url.replace(/\/$/, '');
    this.token = options.token;
  }

  private readonly token: string;

  learn(model: string, request: LearnRequest): Promise<LearnResponse> {
    const body =
      'examples' in request
        ? { ...request, examples: request.examples.map((e) => ({ ...e, x: wire(e.x) })) }
        : request;
    return this.call('POST', `/v1/models/${encodeURIComponent(model)}/learn`, body);
  }

  predict(
    model: string,
    request: { readonly user?: string; readonly inputs: readonly (readonly number[] | Float32Array)[] },
  ): Promise<PredictResponse> {
    return this.call('POST', `/v1/models/${encodeURIComponent(model)}/predict`, {
      ...request,
      inputs: request.inputs.map(wire),
    });
  }

  model(model: string): Promise<ModelState> {
    return this.call('GET', `/v1/models/${encodeURIComponent(model)}`);
  }

  user(model: string, user: string): Promise<UserState> {
    return this.call('GET', `/v1/models/${encodeURIComponent(model)}/users/${encodeURIComponent(user)}`);
  }

  /** Sets `user`'s personal setting: `private` keeps their later examples out of the shared model. */
  setPersonal(
    model: string,
    user: string,
    personal: 'shared' | 'private',
  ): Promise<{ user: string; personal: string }> {
    return this.call('PUT', `/v1/models/${encodeURIComponent(model)}/users/${encodeURIComponent(user)}`, {
      personal,
    });
  }

  /** The model's drift events, oldest first (a user's token sees only their own). */
  async events(
    model: string,
    query: {
      readonly after?: number;
      readonly user?: string;
      readonly scope?: 'all' | 'shared' | 'users';
      readonly limit?: number;
    } = {},
  ): Promise<ServiceEvent[]> {
    const params = new URLSearchParams(
      Object.entries(query)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]): [string, string] => [k, String(v)]),
    );
    const search = params.toString() ? `?${params}` : '';
    return (
      await this.call<{ events: ServiceEvent[] }>(
        'GET',
        `/v1/models/${encodeURIComponent(model)}/events${search}`,
      )
    ).events;
  }

  /** The names of the models served. */
  async models(): Promise<string[]> {
    return (await this.call<{ models: string[] }>('GET', '/v1/models')).models;
  }

  /**
   * Creates a model from a config (a `models` entry of serve.yaml: `name`, `learner`, ...) and
   * starts training it (admin); it is served again after a restart.
   */
  createModel(config: {
    readonly name: string;
    readonly learner: unknown;
    readonly [option: string]: unknown;
  }): Promise<ModelState> {
    return this.call('POST', '/v1/models', config);
  }

  /**
   * Forgets `user`: their examples, personal head and rows in the strategy's memories, in every
   * snapshot too. What the shared weights learnt from them stays unless `retrain` (the shared
   * model is then trained again from the log without them). Admin, or the user's own token.
   */
  deleteUser(
    model: string,
    user: string,
    options: { readonly retrain?: boolean } = {},
  ): Promise<UserDeletion> {
    const query = options.retrain ? '?retrain=true' : '';
    return this.call(
      'DELETE',
      `/v1/models/${encodeURIComponent(model)}/users/${encodeURIComponent(user)}${query}`,
    );
  }

  /** The model's snapshots on disk, newest first (admin). */
  async snapshots(model: string): Promise<SnapshotInfo[]> {
    return (
      await this.call<{ snapshots: SnapshotInfo[] }>(
        'GET',
        `/v1/models/${encodeURIComponent(model)}/snapshots`,
      )
    ).snapshots;
  }

  /** Sets the model back to snapshot `version` (admin); what it learnt since is skipped, not relearnt. */
  rollback(
    model: string,
    version: number,
  ): Promise<{ model: string; rolledBackTo: number; version: number }> {
    return this.call('POST', `/v1/models/${encodeURIComponent(model)}/rollback`, { version });
  }

  /** A token that acts only as `user` (admin token needed). */
  async issueToken(user: string): Promise<string> {
    return (await this.call<{ token: string }>('POST', `/v1/users/${encodeURIComponent(user)}/tokens`)).token;
  }

  async health(): Promise<{ ok: boolean; trainer: string }> {
    const response = await fetch(`${this.base}/healthz`);
    return (await response.json()) as { ok: boolean; trainer: string };
  }

  async metrics(): Promise<string> {
    return (await fetch(`${this.base}/metrics`)).text();
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const data = (await response.json()) as T & { error?: { field: string; message: string } };
    if (!response.ok) {
      throw new UnforgetApiError(
        response.status,
        data.error?.field ?? 'response',
        data.error?.message ?? response.statusText,
      );
    }
    return data;
  }
}
