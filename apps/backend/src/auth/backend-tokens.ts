import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';

/** The two shared secrets of a backend. */
export type TokenKind = 'admin' | 'join';

/** Where a token came from: the environment (rotation lasts until a restart) or its file. */
export type TokenSource = { kind: 'env' } | { kind: 'file'; path: string; created: boolean };

interface Slot {
  value: string;
  source: TokenSource;
}

/** A new random token (32 bytes, URL-safe). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The admin token (UI, CLI, API) and the join token (registering a worker, nothing else),
 * and their rotation. A token kept in a file is rewritten there (mode 0600), so the CLI on
 * this machine and the next start pick up the new one; a token from the environment
 * changes in memory only, until the backend restarts with whatever the environment says.
 */
export class BackendTokens {
  private readonly slots: Record<TokenKind, Slot>;

  constructor(admin: Slot, join: Slot) {
    this.slots = { admin, join };
  }

  /** The admin token now in force. */
  admin(): string {
    return this.slots.admin.value;
  }

  /** The join token now in force. */
  join(): string {
    return this.slots.join.value;
  }

  source(kind: TokenKind): TokenSource {
    return this.slots[kind].source;
  }

  /** Replaces a token with a fresh one; the old one stops working at once. */
  rotate(kind: TokenKind): { token: string; persisted_to: string | null } {
    const slot = this.slots[kind];
    const token = newToken();
    if (slot.source.kind === 'file') {
      writeFileSync(slot.source.path, `${token}\n`, { mode: 0o600 });
      chmodSync(slot.source.path, 0o600);
    }
    slot.value = token;
    return { token, persisted_to: slot.source.kind === 'file' ? slot.source.path : null };
  }
}
