import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../storage/database.js';

const hash = (credential: string) => createHash('sha256').update(credential).digest('hex');

/**
 * Each registered worker's own credential: issued at registration, good only for that
 * worker, stored hashed (the database never holds one that works), so it outlives a
 * backend restart — the worker re-registers with it — and is revoked when the worker
 * leaves or when an admin rotates worker credentials.
 */
export class WorkerCredentials {
  /** hash → worker id, mirrored from the table (lookups happen on every worker request). */
  private readonly byHash = new Map<string, string>();

  constructor(private readonly db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS worker_credentials (
      credential_hash TEXT PRIMARY KEY,
      worker_id TEXT NOT NULL,
      issued_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS worker_credentials_by_worker ON worker_credentials (worker_id);`);
    const rows = db.prepare('SELECT credential_hash, worker_id FROM worker_credentials').all() as {
      credential_hash: string;
      worker_id: string;
    }[];
    for (const row of rows) this.byHash.set(row.credential_hash, row.worker_id);
  }

  /** A new credential for `workerId`; any earlier one of that worker stops working. */
  issue(workerId: string): string {
    const credential = `wc_${randomBytes(32).toString('base64url')}`;
    const digest = hash(credential);
    this.db.transaction(() => {
      this.revokeRows(workerId);
      this.db
        .prepare(
          'INSERT INTO worker_credentials (credential_hash, worker_id, issued_at) VALUES (?, ?, ?)',
        )
        .run(digest, workerId, new Date().toISOString());
    })();
    this.byHash.set(digest, workerId);
    return credential;
  }

  /** The worker a credential belongs to, or undefined. */
  verify(credential: string): string | undefined {
    if (!credential.startsWith('wc_')) return undefined;
    return this.byHash.get(hash(credential));
  }

  /** Revokes the credential of one worker. */
  revoke(workerId: string): void {
    this.db.transaction(() => this.revokeRows(workerId))();
  }

  /** Revokes every worker's credential (they register again with the join token). */
  revokeAll(): number {
    const count = this.byHash.size;
    this.db.exec('DELETE FROM worker_credentials');
    this.byHash.clear();
    return count;
  }

  private revokeRows(workerId: string): void {
    this.db.prepare('DELETE FROM worker_credentials WHERE worker_id = ?').run(workerId);
    for (const [digest, owner] of this.byHash) if (owner === workerId) this.byHash.delete(digest);
  }
}
