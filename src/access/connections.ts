// Long-lived connections (WebSockets, streaming responses) by session and user, so a revocation can
// close them instead of waiting for their next request — which for a WebSocket never comes.
import type { Duplex } from 'node:stream';
import type { RevocationNotice } from '../identity/sessions.ts';

export interface Tracked {
  socket: Duplex;
  sessionId: string;
  parentId: string | null;
  userKey: string;
  email: string;
  appId: string;
}

export class ConnectionRegistry {
  readonly #all = new Set<Tracked>();
  /**
   * Sockets this registry already listens on: one 'close' listener per connection for its whole
   * life, not one added and removed per request — a keep-alive client sends thousands (issue 17).
   */
  readonly #listening = new WeakMap<Duplex, Set<Tracked>>();

  track(t: Tracked): () => void {
    let mine = this.#listening.get(t.socket);
    if (!mine) {
      const set = new Set<Tracked>();
      mine = set;
      this.#listening.set(t.socket, set);
      t.socket.once('close', () => {
        for (const x of set) this.#all.delete(x);
        set.clear();
      });
    }
    mine.add(t);
    this.#all.add(t);
    const theirs = mine;
    return () => {
      this.#all.delete(t);
      theirs.delete(t);
    };
  }

  /** Destroys every tracked connection the notice covers; returns how many. */
  close(n: RevocationNotice): number {
    const users = new Set(n.userKeys);
    const emails = new Set(n.emails);
    const sessions = new Set(n.sessionIds);
    let closed = 0;
    for (const t of this.#all) {
      if (users.has(t.userKey) || emails.has(t.email) || sessions.has(t.sessionId) || (t.parentId !== null && sessions.has(t.parentId)) || n.appId === t.appId) {
        t.socket.destroy();
        this.#all.delete(t);
        closed++;
      }
    }
    return closed;
  }

  /**
   * Asks about every tracked connection and destroys those `stillValid` says no to; returns how many.
   * Used when revocation notices may have been missed. A check that throws (the store is
   * unreachable) leaves that connection open until the next check: requests fail closed meanwhile.
   */
  async recheck(stillValid: (t: Tracked) => Promise<boolean>): Promise<{ closed: number; failed: number }> {
    let closed = 0;
    let failed = 0;
    for (const t of [...this.#all]) {
      let ok: boolean;
      try { ok = await stillValid(t); } catch { failed++; continue; }
      if (ok || !this.#all.has(t)) continue;
      t.socket.destroy();
      this.#all.delete(t);
      closed++;
    }
    return { closed, failed };
  }

  get size(): number {
    return this.#all.size;
  }
}
