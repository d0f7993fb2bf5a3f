/**
 * Group commit: the writes that requests ask for within one turn of the event loop run in one
 * SQLite transaction, so that one synchronous commit (one fsync) makes all of them durable; each
 * request's promise settles after that commit, with its own result or its own error (a write
 * that throws rolls back to its savepoint and fails alone).
 */
import type { Database } from './log-store.js';

interface Pending {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit {
  private pending: Pending[] = [];
  private scheduled = false;
  /** Commits so far, and the writes they carried (for /metrics). */
  commits = 0;
  writes = 0;

  constructor(private readonly db: Database) {}

  /** Runs `work` in the next group's transaction; settles once that transaction is committed. */
  submit<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is pending now (also called on shutdown). */
  flush(): void {
    this.scheduled = false;
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      this.db.transaction(() => {
        for (const p of group) {
          // A savepoint per write: one bad write fails alone, the others commit.
          try {
            outcomes.push({ ok: true, value: this.db.transaction(p.work)() });
          } catch (error) {
            outcomes.push({ ok: false, value: error });
          }
        }
      })();
    } catch (error) {
      // The commit itself failed: nothing of this group is durable.
      group.forEach((p) => p.reject(error));
      return;
    }
    this.commits += 1;
    this.writes += group.length;
    group.forEach((p, i) => (outcomes[i].ok ? p.resolve(outcomes[i].value) : p.reject(outcomes[i].value)));
  }
}
