// Long-lived connections (WebSockets, streaming responses) by session and user, so a revocation can
// close them instead of waiting for their next request — which for a WebSocket never comes.
import type { Socket } from 'node:net';
import type { RevocationNotice } from '../identity/sessions.ts';

export interface Tracked {
  socket: Socket;
  sessionId: string;
  parentId: string | null;
  userKey: string;
  email: string;
  appId: string;
}

export class ConnectionRegistry {
  readonly #all = new Set<Tracked>();

  track(t: Tracked): () => void {
    this.#all.add(t);
    const untrack = () => {
      this.#all.delete(t);
      t.socket.off('close', untrack);
    };
    t.socket.once('close', untrack);
    return untrack;
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
