/**
 * The service's durable state in one SQLite database (better-sqlite3, WAL): the log of every
 * acknowledged example (its sequence number is SQLite's rowid, increasing over all models), the
 * predictions that late labels refer to, the users and their hashed tokens, and the micro-batches
 * the trainer cut from the log. `synchronous = FULL`: a commit is on disk when it returns, which
 * is what lets `learn` answer 202 only after it (group-commit.ts shares one commit among the
 * requests of one turn of the event loop).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { importOptional } from '../core/optional-package.js';

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
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS examples_by_model ON examples (model, seq);
CREATE TABLE IF NOT EXISTS predictions (
  id TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  user TEXT,
  x BLOB NOT NULL,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
  model TEXT NOT NULL,
  id TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (model, id)
);
CREATE TABLE IF NOT EXISTS tokens (
  hash TEXT PRIMARY KEY,
  user TEXT,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
  model TEXT NOT NULL,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (model, last_seq)
);
`;

/** Opens (creating) `<dataDir>/service.db` in WAL mode with fully synchronous commits. */
export async function openDatabase(dataDir: string, options: { readonly?: boolean } = {}): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  const Sqlite = await sqlite();
  const db = new Sqlite(join(dataDir, 'service.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) db.exec(SCHEMA);
  return db;
}

export interface LoggedExample {
  readonly seq: number;
  readonly user: string | null;
  readonly x: Float32Array;
  readonly y: number;
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
  const insertExample = db.prepare('INSERT INTO examples (model, user, x, y, at) VALUES (?, ?, ?, ?, ?)');
  const insertPrediction = db.prepare(
    'INSERT INTO predictions (id, model, user, x, at) VALUES (?, ?, ?, ?, ?)',
  );
  const prediction = db.prepare('SELECT model, user, x FROM predictions WHERE id = ?');
  const insertUser = db.prepare('INSERT OR IGNORE INTO users (model, id, at) VALUES (?, ?, ?)');
  const user = db.prepare('SELECT id, at FROM users WHERE model = ? AND id = ?');
  const counts = db.prepare('SELECT COUNT(*) AS n, MAX(seq) AS last FROM examples WHERE model = ?');
  const userCount = db.prepare('SELECT COUNT(*) AS n FROM examples WHERE model = ? AND user = ?');
  return {
    /** Appends one example; its sequence number. */
    appendExample(model: string, userId: string | null, x: Float32Array, y: number): number {
      return Number(insertExample.run(model, userId, blobOf(x), y, Date.now()).lastInsertRowid);
    },
    recordPrediction(id: string, model: string, userId: string | null, x: Float32Array): void {
      insertPrediction.run(id, model, userId, blobOf(x), Date.now());
    },
    prediction(id: string): { model: string; user: string | null; x: Float32Array } | undefined {
      const row = prediction.get(id) as { model: string; user: string | null; x: Buffer } | undefined;
      return row && { model: row.model, user: row.user, x: floatsOf(row.x) };
    },
    ensureUser(model: string, id: string): void {
      insertUser.run(model, id, Date.now());
    },
    user(model: string, id: string): { id: string; at: number } | undefined {
      return user.get(model, id) as { id: string; at: number } | undefined;
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

/** The statements the trainer runs: reading the log after a sequence number, recording batches. */
export function trainerStatements(db: Database, model: string) {
  const after = db.prepare(
    'SELECT seq, user, x, y, at FROM examples WHERE model = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const range = db.prepare(
    'SELECT seq, user, x, y, at FROM examples WHERE model = ? AND seq >= ? AND seq <= ? ORDER BY seq',
  );
  const insertBatch = db.prepare(
    'INSERT INTO batches (model, first_seq, last_seq, size) VALUES (?, ?, ?, ?)',
  );
  const batchesAfter = db.prepare(
    'SELECT first_seq AS first, last_seq AS last, size FROM batches WHERE model = ? AND last_seq > ? ORDER BY last_seq',
  );
  type Row = { seq: number; user: string | null; x: Buffer; y: number; at: number };
  const toExample = (row: Row): LoggedExample => ({
    seq: row.seq,
    user: row.user,
    x: floatsOf(row.x),
    y: row.y,
    at: row.at,
  });
  return {
    /** Up to `limit` examples after sequence number `seq`, in order. */
    after(seq: number, limit: number): LoggedExample[] {
      return (after.all(model, seq, limit) as Row[]).map(toExample);
    },
    /** The examples of a recorded batch. */
    range(first: number, last: number): LoggedExample[] {
      return (range.all(model, first, last) as Row[]).map(toExample);
    },
    /** Records a micro-batch before it is learnt, so that a restart cuts the log the same way. */
    recordBatch(first: number, last: number, size: number): void {
      insertBatch.run(model, first, last, size);
    },
    /** The micro-batches recorded after sequence number `seq` (learnt before a restart, after its snapshot). */
    batchesAfter(seq: number): { first: number; last: number; size: number }[] {
      return batchesAfter.all(model, seq) as { first: number; last: number; size: number }[];
    },
  };
}
