// Short-lived sign-in state kept in the store (so the callback may land on any replica): the IdP
// transaction by `state`, and one-time hand-off codes that turn a sign-in into an app session.
import { randomBytes } from 'node:crypto';
import type { KeyValueStore } from '../store/ports.ts';
import type { SignInTransaction } from '../identity/provider.ts';

const SIGNIN_NS = 'signin';
const HANDOFF_NS = 'handoff';
const SIGNIN_TTL_MS = 10 * 60_000;
const HANDOFF_TTL_MS = 60_000;

export interface PendingSignIn {
  tx: SignInTransaction;
  returnUrl: string;
  /** The app host's binding nonce (handoff-binding.ts), carried to the hand-off. */
  browserNonce: string;
}

export interface Handoff {
  globalSessionId: string;
  appId: string;
  returnUrl: string;
  durationMs: number;
  /** Only the browser holding this nonce's cookie on the app host may redeem the code. */
  browserNonce: string;
}

export class SignInStore {
  readonly #kv: KeyValueStore;
  readonly #now: () => number;

  constructor(kv: KeyValueStore, now: () => number) {
    this.#kv = kv;
    this.#now = now;
  }

  async putSignIn(p: PendingSignIn): Promise<void> {
    await this.#kv.set(SIGNIN_NS, p.tx.state, JSON.stringify(p), this.#now() + SIGNIN_TTL_MS);
  }

  /** Single use: a replayed callback finds nothing. */
  async takeSignIn(state: string): Promise<PendingSignIn | null> {
    return this.#take<PendingSignIn>(SIGNIN_NS, state);
  }

  async putHandoff(h: Handoff): Promise<string> {
    const code = randomBytes(24).toString('base64url');
    await this.#kv.set(HANDOFF_NS, code, JSON.stringify(h), this.#now() + HANDOFF_TTL_MS);
    return code;
  }

  async takeHandoff(code: string): Promise<Handoff | null> {
    if (!/^[A-Za-z0-9_-]{32}$/.test(code)) return null;
    return this.#take<Handoff>(HANDOFF_NS, code);
  }

  async #take<T>(ns: string, key: string): Promise<T | null> {
    if (key.length > 128) return null;
    const value = await this.#kv.get(ns, key);
    if (value === null) return null;
    await this.#kv.delete(ns, key);
    return JSON.parse(value) as T;
  }
}
