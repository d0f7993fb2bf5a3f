/**
 * Bearer tokens, kept only as SHA-256 hashes: one admin token (acts for any user) and tokens
 * scoped to one user. The admin token comes from `UNFORGET_ADMIN_TOKEN`, or is made on the first
 * start and shown that once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from './log-store.js';

export type Principal = { readonly admin: true } | { readonly admin: false; readonly user: string };

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => `uf_${randomBytes(24).toString('base64url')}`;

export class Tokens {
  private readonly lookup;
  private readonly insert;

  constructor(private readonly db: Database) {
    this.lookup = db.prepare('SELECT user FROM tokens WHERE hash = ?');
    this.insert = db.prepare('INSERT OR IGNORE INTO tokens (hash, user, at) VALUES (?, ?, ?)');
  }

  /**
   * Makes sure an admin token exists: `fromEnvironment` when given (stored hashed), else a new one
   * on the first start. Returns the token to show, when one was made now.
   */
  ensureAdmin(fromEnvironment: string | undefined): string | null {
    if (fromEnvironment) {
      this.insert.run(hashToken(fromEnvironment), null, Date.now());
      return null;
    }
    const any = this.db.prepare('SELECT 1 FROM tokens WHERE user IS NULL LIMIT 1').get();
    if (any) return null;
    const token = newToken();
    this.insert.run(hashToken(token), null, Date.now());
    return token;
  }

  /** A new token for `user` (shown once; only its hash is kept). */
  issueForUser(user: string): string {
    const token = newToken();
    this.insert.run(hashToken(token), user, Date.now());
    return token;
  }

  /** Who `token` is, or null for an unknown one. */
  principal(token: string): Principal | null {
    const row = this.lookup.get(hashToken(token)) as { user: string | null } | undefined;
    if (!row) return null;
    return row.user === null ? { admin: true } : { admin: false, user: row.user };
  }
}
