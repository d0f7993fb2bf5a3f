/**
 * The predictions late labels refer to, in their own SQLite file (`<dataDir>/predictions.db`,
 * WAL, `synchronous = OFF`). A prediction is not an acknowledged example, so it is not worth a
 * synchronous commit: the predictions of one turn of the event loop are written in one
 * transaction, without waiting for the disk. A crash may lose the newest of them (their late
 * labels are then answered 404); the log of acknowledged examples is untouched by this file.
 */
import { join } from 'node:path';
import { blobOf, floatsOf, sqlite, type Database } from './log-store.js';

export interface RecordedPrediction {
  readonly model: string;
  readonly user: string | null;
  readonly x: Float32Array;
}

export class PredictionLog {
  private pending: [string, string, string | null, Buffer, number][] = [];
  private scheduled = false;
  private readonly insert;
  private readonly lookup;
  private readonly forget;

  private constructor(private readonly db: Database) {
    db.exec(
      'CREATE TABLE IF NOT EXISTS predictions (id TEXT PRIMARY KEY, model TEXT NOT NULL, user TEXT, x BLOB NOT NULL, at INTEGER NOT NULL)',
    );
    this.insert = db.prepare('INSERT INTO predictions (id, model, user, x, at) VALUES (?, ?, ?, ?, ?)');
    this.lookup = db.prepare('SELECT model, user, x FROM predictions WHERE id = ?');
    this.forget = db.prepare('DELETE FROM predictions WHERE model = ? AND user = ?');
  }

  static async open(dataDir: string): Promise<PredictionLog> {
    const Sqlite = await sqlite();
    const db = new Sqlite(join(dataDir, 'predictions.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    return new PredictionLog(db);
  }

  /** Keeps a prediction's input for a late label (written within this turn of the event loop). */
  record(id: string, model: string, user: string | null, x: Float32Array): void {
    this.pending.push([id, model, user, Buffer.from(blobOf(x)), Date.now()]);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** The prediction `id`, or undefined (unknown, or lost in a crash). */
  get(id: string): RecordedPrediction | undefined {
    this.flush();
    const row = this.lookup.get(id) as { model: string; user: string | null; x: Buffer } | undefined;
    return row && { model: row.model, user: row.user, x: floatsOf(row.x) };
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.db.transaction(() => rows.forEach((r) => this.insert.run(...r)))();
  }

  /** Deletes every prediction `user` asked of `model` (their inputs go with them). */
  forgetUser(model: string, user: string): void {
    this.flush();
    this.forget.run(model, user);
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}
