/**
 * The service's durable state in one SQLite database (better-sqlite3, WAL): the log of every
 * acknowledged example (its sequence number is SQLite's rowid, increasing over all models), the
 * users and their hashed tokens, the micro-batches the trainer cut from the log (marked `undone`
 * once a rollback undid them), and the deletions of users asked for and not yet carried out. `synchronous = FULL`: a commit is on disk when it returns, which
 * is what lets `learn` answer 202 only after it (group-commit.ts shares one commit among the
 * requests of one turn of the event loop).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { importOptional } from '../core/optional-package.js';
import { DataFormatError } from '../core/errors.js';
import type { ServiceEvent } from './client.js';

export type Database = BetterSqlite3.Database;

export const SERVICE_PACKAGES = ['fastify', 'better-sqlite3'] as const;
export const SERVICE_PURPOSE = '`unforget serve`';

/** better-sqlite3's constructor, or a MissingPackageError saying how to install it. */
export async function sqlite(): Promise<typeof BetterSqlite3> {
  return importOptional(
    async () => (await import('better-sqlite3')).default,
    ['better-sqlite3'],
    SERVICE_PURPOSE,
  );
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS examples (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  model TEXT NOT NULL,
  user TEXT,
  x BLOB NOT NULL,
  y INTEGER NOT NULL,
  private INTEGER NOT NULL DEFAULT 0,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS examples_by_model ON examples (model, seq);
CREATE TABLE IF NOT EXISTS users (
  model TEXT NOT NULL,
  id TEXT NOT NULL,
  personal TEXT,
  at INTEGER NOT NULL,
  PRIMARY KEY (model, id)
);
CREATE TABLE IF NOT EXISTS tokens (
  hash TEXT PRIMARY KEY,
  user TEXT,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  model TEXT NOT NULL,
  kind TEXT NOT NULL,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  size INTEGER NOT NULL,
  undone INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS batches_by_model ON batches (model, id);
CREATE INDEX IF NOT EXISTS examples_by_user ON examples (model, user, seq);
CREATE TABLE IF NOT EXISTS models (
  name TEXT PRIMARY KEY,
  config TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  model TEXT NOT NULL,
  user TEXT NOT NULL,
  kind TEXT NOT NULL,
  detector TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  UNIQUE (model, user, kind, seq)
);
CREATE TABLE IF NOT EXISTS deletions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  model TEXT NOT NULL,
  user TEXT NOT NULL,
  up_to_seq INTEGER NOT NULL,
  retrain INTEGER NOT NULL,
  at INTEGER NOT NULL
);
`;
/** The schema's version (SQLite's user_version). */
const SCHEMA_VERSION = 3;
/** What takes a database of an earlier version to this one (the rest is created by SCHEMA). */
const MIGRATIONS: Readonly<Record<number, string>> = {
  2: 'ALTER TABLE batches ADD COLUMN undone INTEGER NOT NULL DEFAULT 0;',
};

/** Opens (creating) `<dataDir>/service.db` in WAL mode with fully synchronous commits. */
export async function openDatabase(dataDir: string, options: { readonly?: boolean } = {}): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  const Sqlite = await sqlite();
  const db = new Sqlite(join(dataDir, 'service.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {
    n: number;
  };
  if (tables.n > 0 && version !== SCHEMA_VERSION && MIGRATIONS[version] !== undefined && !options.readonly) {
    db.exec(MIGRATIONS[version]);
  } else if (tables.n > 0 && version !== SCHEMA_VERSION) {
    db.close();
    throw new DataFormatError(
      join(dataDir, 'service.db'),
      `expected a service database of version ${SCHEMA_VERSION}, got version ${version} (made by an earlier unforget): start with a new data folder`,
    );
  }
  if (!options.readonly) {
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }
  return db;
}

export interface LoggedExample {
  readonly seq: number;
  readonly user: string | null;
  readonly x: Float32Array;
  readonly y: number;
  /** Kept out of the shared model: it trains only its user's personal head. */
  readonly private: boolean;
  /** When it was acknowledged (ms since the epoch). */
  readonly at: number;
}

/** Float32 values as the bytes SQLite keeps. */
export const blobOf = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

/** A BLOB back as float32 values (a copy: SQLite's buffer is not ours to keep). */
export const floatsOf = (blob: Buffer) =>
  new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));

/** The statements the HTTP side runs. */
export function logStatements(db: Database) {
  const insertExample = db.prepare(
    'INSERT INTO examples (model, user, x, y, private, at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const userMode = db.prepare('SELECT personal FROM users WHERE model = ? AND id = ?');
  const setMode = db.prepare(
    'INSERT INTO users (model, id, personal, at) VALUES (?, ?, ?, ?) ON CONFLICT (model, id) DO UPDATE SET personal = excluded.personal',
  );
  const insertUser = db.prepare('INSERT OR IGNORE INTO users (model, id, at) VALUES (?, ?, ?)');
  const user = db.prepare('SELECT id, personal, at FROM users WHERE model = ? AND id = ?');
  const counts = db.prepare('SELECT COUNT(*) AS n, MAX(seq) AS last FROM examples WHERE model = ?');
  const userCount = db.prepare('SELECT COUNT(*) AS n FROM examples WHERE model = ? AND user = ?');
  const insertDeletion = db.prepare(
    'INSERT INTO deletions (model, user, up_to_seq, retrain, at) VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) FROM examples), ?, ?)',
  );
  const insertModel = db.prepare('INSERT INTO models (name, config, at) VALUES (?, ?, ?)');
  const events = db.prepare(
    `SELECT id, user, kind, detector, seq, at FROM events WHERE model = @model AND id > @after
       AND (@scope = 'all' OR (@scope = 'shared' AND user = '') OR (@scope = 'users' AND user <> '')
            OR (@scope = 'user' AND user = @user))
     ORDER BY id LIMIT @limit`,
  );
  const eventCounts = db.prepare(
    "SELECT model, user = '' AS shared, COUNT(*) AS n FROM events GROUP BY model, user = ''",
  );
  return {
    /**
     * The model's events after event `after`, oldest first, at most `limit`: all of them, the
     * shared model's, every user's, or one user's.
     */
    events(
      model: string,
      after: number,
      of: 'all' | 'shared' | 'users' | { user: string },
      limit: number,
    ): ServiceEvent[] {
      const scope = typeof of === 'string' ? of : 'user';
      const user = typeof of === 'string' ? '' : of.user;
      const rows = events.all({ model, after, scope, user, limit }) as (Omit<ServiceEvent, 'user' | 'at'> & {
        user: string;
        at: number;
      })[];
      return rows.map((r) => ({
        ...r,
        user: r.user === '' ? null : r.user,
        at: new Date(r.at).toISOString(),
      }));
    },
    /** Drift events so far, per model, on the shared model and on users' predictions. */
    eventCounts(): { model: string; shared: boolean; n: number }[] {
      return (eventCounts.all() as { model: string; shared: number; n: number }[]).map((r) => ({
        ...r,
        shared: r.shared === 1,
      }));
    },
    /** Keeps a model created through the API (its config as given), so that a restart serves it. */
    addModel(name: string, config: unknown): void {
      insertModel.run(name, JSON.stringify(config), Date.now());
    },
    /**
     * Records, durably, that `id`'s examples so far are to be deleted (the trainer carries it
     * out, and again after a crash until it is done); the deletion's id.
     */
    requestDeletion(model: string, id: string, retrain: boolean): number {
      return Number(insertDeletion.run(model, id, retrain ? 1 : 0, Date.now()).lastInsertRowid);
    },
    /** Appends one example; its sequence number. */
    appendExample(
      model: string,
      userId: string | null,
      x: Float32Array,
      y: number,
      isPrivate = false,
    ): number {
      return Number(
        insertExample.run(model, userId, blobOf(x), y, isPrivate ? 1 : 0, Date.now()).lastInsertRowid,
      );
    },
    /** The user's own setting (`shared` or `private`), undefined where they have none. */
    personalMode(model: string, id: string): 'shared' | 'private' | undefined {
      const row = userMode.get(model, id) as { personal: string | null } | undefined;
      return (row?.personal ?? undefined) as 'shared' | 'private' | undefined;
    },
    setPersonalMode(model: string, id: string, mode: 'shared' | 'private'): void {
      setMode.run(model, id, mode, Date.now());
    },
    ensureUser(model: string, id: string): void {
      insertUser.run(model, id, Date.now());
    },
    user(model: string, id: string): { id: string; personal: string | null; at: number } | undefined {
      return user.get(model, id) as { id: string; personal: string | null; at: number } | undefined;
    },
    /** Examples acknowledged for `model`, and the newest one's sequence number (0 for none). */
    acknowledged(model: string): { count: number; last: number } {
      const row = counts.get(model) as { n: number; last: number | null };
      return { count: row.n, last: row.last ?? 0 };
    },
    userExamples(model: string, id: string): number {
      return (userCount.get(model, id) as { n: number }).n;
    },
  };
}

/** The models created through the API, oldest first: their configs as given. */
export function createdModels(db: Database): { name: string; config: unknown }[] {
  const rows = db.prepare('SELECT name, config FROM models ORDER BY at, name').all() as {
    name: string;
    config: string;
  }[];
  return rows.map((r) => ({ name: r.name, config: JSON.parse(r.config) as unknown }));
}

/** A micro-batch as recorded: `shared` (the shared model learnt the log's non-private examples in [first, last], then the heads everything up to last) or `personal` (the heads alone, up to last). */
export interface RecordedBatch {
  readonly id: number;
  readonly kind: 'shared' | 'personal';
  readonly first: number;
  readonly last: number;
  readonly size: number;
}

/** A user's deletion, asked for (`DELETE /v1/models/:model/users/:user`) and not yet carried out. */
export interface PendingDeletion {
  readonly id: number;
  readonly user: string;
  /** The newest sequence number when it was asked: later examples are not theirs to delete. */
  readonly upTo: number;
  /** Train the shared model again from the log without them. */
  readonly retrain: boolean;
}

/** The statements the trainer runs: reading the log after a sequence number, recording batches. */
export function trainerStatements(db: Database, model: string) {
  type Row = { seq: number; user: string | null; x: Buffer; y: number; private: number; at: number };
  const columns = 'seq, user, x, y, private, at';
  const sharedAfter = db.prepare(
    `SELECT ${columns} FROM examples WHERE model = ? AND seq > ? AND private = 0 ORDER BY seq LIMIT ?`,
  );
  const sharedRange = db.prepare(
    `SELECT ${columns} FROM examples WHERE model = ? AND seq >= ? AND seq <= ? AND private = 0 ORDER BY seq`,
  );
  const personalRange = db.prepare(
    `SELECT ${columns} FROM examples WHERE model = ? AND seq > ? AND seq <= ? AND user IS NOT NULL ORDER BY seq`,
  );
  const newestPersonal = db.prepare(
    'SELECT seq, at FROM examples WHERE model = ? AND seq > ? AND user IS NOT NULL ORDER BY seq DESC LIMIT 1',
  );
  const insertBatch = db.prepare(
    'INSERT INTO batches (model, kind, first_seq, last_seq, size) VALUES (?, ?, ?, ?, ?)',
  );
  const batch = 'SELECT id, kind, first_seq AS first, last_seq AS last, size FROM batches WHERE model = ?';
  const batchesAfter = db.prepare(`${batch} AND id > ? ORDER BY id`);
  const batchesKept = db.prepare(`${batch} AND undone = 0 ORDER BY id`);
  const markUndone = db.prepare('UPDATE batches SET undone = 1 WHERE model = ? AND id > ? AND id <= ?');
  const deletions = db.prepare(
    'SELECT id, user, up_to_seq AS upTo, retrain FROM deletions WHERE model = ? ORDER BY id',
  );
  const userInputs = db.prepare('SELECT x FROM examples WHERE model = ? AND user = ? AND seq <= ?');
  const deleteExamples = db.prepare('DELETE FROM examples WHERE model = ? AND user = ? AND seq <= ?');
  const deleteUser = db.prepare(
    'DELETE FROM users WHERE model = ? AND id = ? AND NOT EXISTS (SELECT 1 FROM examples WHERE model = ? AND user = ?)',
  );
  // Tokens act for a user across models: they go with the user's last model.
  const deleteTokens = db.prepare(
    'DELETE FROM tokens WHERE user = ? AND NOT EXISTS (SELECT 1 FROM users WHERE id = ?)',
  );
  const deleteDeletion = db.prepare('DELETE FROM deletions WHERE id = ?');
  // The shared model's events have user '' (NULLs would not collide in the UNIQUE key): a batch
  // learnt again after a restart detects its drifts again, and they are stored once.
  const insertEvent = db.prepare(
    "INSERT OR IGNORE INTO events (model, user, kind, detector, seq, at) VALUES (?, ?, 'drift', ?, ?, ?)",
  );
  const deleteEvents = db.prepare('DELETE FROM events WHERE model = ? AND user = ?');
  const finishDeletion = db.transaction((d: PendingDeletion) => {
    const removed = deleteExamples.run(model, d.user, d.upTo).changes;
    deleteUser.run(model, d.user, model, d.user);
    deleteTokens.run(d.user, d.user);
    deleteEvents.run(model, d.user);
    deleteDeletion.run(d.id);
    return removed;
  });
  const toExample = (row: Row): LoggedExample => ({
    seq: row.seq,
    user: row.user,
    x: floatsOf(row.x),
    y: row.y,
    private: row.private === 1,
    at: row.at,
  });
  return {
    /** Up to `limit` examples for the shared model after sequence number `seq`, in order. */
    sharedAfter(seq: number, limit: number): LoggedExample[] {
      return (sharedAfter.all(model, seq, limit) as Row[]).map(toExample);
    },
    /** The shared examples of a recorded batch. */
    sharedRange(first: number, last: number): LoggedExample[] {
      return (sharedRange.all(model, first, last) as Row[]).map(toExample);
    },
    /** The examples with a user in (after, upTo], private or not, in order. */
    personalRange(after: number, upTo: number): LoggedExample[] {
      return (personalRange.all(model, after, upTo) as Row[]).map(toExample);
    },
    /** The newest example with a user after `seq`, if any. */
    newestPersonal(seq: number): { seq: number; at: number } | undefined {
      return newestPersonal.get(model, seq) as { seq: number; at: number } | undefined;
    },
    /** Records a micro-batch before it is learnt, so that a restart cuts the log the same way; its id. */
    recordBatch(kind: 'shared' | 'personal', first: number, last: number, size: number): number {
      return Number(insertBatch.run(model, kind, first, last, size).lastInsertRowid);
    },
    /** The micro-batches recorded after batch `id` (learnt before a restart, after its snapshot). */
    batchesAfter(id: number): RecordedBatch[] {
      return batchesAfter.all(model, id) as RecordedBatch[];
    },
    /** Every recorded micro-batch no rollback undid: what a retraining learns again. */
    batchesKept(): RecordedBatch[] {
      return batchesKept.all(model) as RecordedBatch[];
    },
    /** A rollback undid the batches in (after, upTo]: a retraining passes them over. */
    markUndone(after: number, upTo: number): void {
      markUndone.run(model, after, upTo);
    },
    /** Stores drift events (each once, whatever the restarts). */
    recordDrifts(events: readonly { user: string | null; detector: string; seq: number }[]): void {
      for (const e of events) insertEvent.run(model, e.user ?? '', e.detector, e.seq, Date.now());
    },
    /** The deletions asked for and not carried out yet, oldest first. */
    pendingDeletions(): PendingDeletion[] {
      return (deletions.all(model) as (Omit<PendingDeletion, 'retrain'> & { retrain: number })[]).map(
        (d) => ({
          ...d,
          retrain: d.retrain === 1,
        }),
      );
    },
    /** The inputs of `user`'s examples up to sequence `upTo`, row after row. */
    userInputs(user: string, upTo: number): Float32Array[] {
      return (userInputs.all(model, user, upTo) as { x: Buffer }[]).map((r) => floatsOf(r.x));
    },
    /**
     * Deletes the user's examples up to the deletion's sequence number, the user (unless they
     * sent more since) and their tokens (unless they are a user of another model), and the
     * deletion itself, in one transaction; the examples deleted.
     */
    finishDeletion(deletion: PendingDeletion): number {
      return finishDeletion(deletion);
    },
  };
}
