// The ES256 keys that sign origin assertions: created and rotated in the store (so every replica
// signs with the same key), published as a JWKS with the previous key kept during the overlap.
import { createPrivateKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { SigningKeyRecord, SigningKeyStore } from '../store/ports.ts';

export interface ActiveKey {
  kid: string;
  privateKey: KeyObject;
}

export interface PublicJwk {
  kty: string; crv: string; x: string; y: string; kid: string; alg: 'ES256'; use: 'sig';
}

export class SigningKeys {
  readonly #store: SigningKeyStore;
  readonly #now: () => number;
  readonly #rotateEveryMs: number;
  readonly #overlapMs: number;
  #active: ActiveKey | null = null;
  #jwks: { keys: PublicJwk[] } = { keys: [] };
  #jwksJson = '{"keys":[]}';

  constructor(store: SigningKeyStore, opts: { now: () => number; rotateEveryMs: number; overlapMs: number }) {
    this.#store = store;
    this.#now = opts.now;
    this.#rotateEveryMs = opts.rotateEveryMs;
    this.#overlapMs = opts.overlapMs;
  }

  /** Loads keys, creating or rotating when due. Safe to call periodically on every replica. */
  async refresh(): Promise<void> {
    const now = this.#now();
    await this.#store.deleteExpired(now);
    let keys = await this.#store.list();
    const newest = keys.filter((k) => k.activatesAt <= now).sort((a, b) => b.activatesAt - a.activatesAt)[0];
    if (!newest || now >= newest.retiresAt) {
      await this.#store.insert(this.#generate(now));
      keys = await this.#store.list();
    }
    const current = keys.filter((k) => k.activatesAt <= now && now < k.expiresAt).sort((a, b) => b.activatesAt - a.activatesAt)[0];
    if (!current) throw new Error('no usable signing key after refresh');
    if (this.#active?.kid !== current.kid) {
      this.#active = { kid: current.kid, privateKey: createPrivateKey({ key: JSON.parse(current.privateJwk), format: 'jwk' }) };
    }
    const published = keys.filter((k) => now < k.expiresAt).map((k) => JSON.parse(k.publicJwk) as PublicJwk);
    this.#jwks = { keys: published };
    this.#jwksJson = JSON.stringify(this.#jwks);
  }

  get active(): ActiveKey {
    if (!this.#active) throw new Error('signing keys not loaded');
    return this.#active;
  }

  get jwksJson(): string {
    return this.#jwksJson;
  }

  get jwks(): { keys: PublicJwk[] } {
    return this.#jwks;
  }

  #generate(now: number): SigningKeyRecord {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = randomUUID();
    const pub = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
    return {
      kid, alg: 'ES256',
      privateJwk: JSON.stringify(privateKey.export({ format: 'jwk' })),
      publicJwk: JSON.stringify(pub),
      createdAt: now, activatesAt: now, retiresAt: now + this.#rotateEveryMs,
      // Published until every assertion it signed has expired and origins have refreshed their JWKS.
      expiresAt: now + this.#rotateEveryMs + this.#overlapMs,
    };
  }
}
