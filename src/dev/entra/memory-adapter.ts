// oidc-provider's storage adapter for the emulator: sessions, codes and grants live in memory for
// the emulator's lifetime, which is exactly what a development IdP wants. Declaring it explicitly
// replaces oidc-provider's "you MUST change it" warning, which would mislead demo users.
type Payload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string; consumed?: number };

interface Stored {
  payload: Payload;
  expiresAt: number;
}

/** One emulator's storage: several emulators in one process (tests) never share state. */
interface Space {
  stores: Map<string, Map<string, Stored>>;
  grants: Map<string, Set<string>>;
}

/** oidc-provider's `adapter` option: a factory called with each model name. */
export function memoryAdapterFactory(): (name: string) => MemoryAdapter {
  const space: Space = { stores: new Map(), grants: new Map() };
  return (name) => new MemoryAdapter(name, space);
}

export class MemoryAdapter {
  readonly #name: string;
  readonly #items: Map<string, Stored>;
  readonly #space: Space;

  constructor(name: string, space: Space) {
    this.#name = name;
    this.#space = space;
    let items = space.stores.get(name);
    if (!items) space.stores.set(name, (items = new Map()));
    this.#items = items;
  }

  async upsert(id: string, payload: Payload, expiresIn: number): Promise<void> {
    this.#items.set(id, { payload, expiresAt: Date.now() + expiresIn * 1000 });
    if (payload.grantId) {
      let set = this.#space.grants.get(payload.grantId);
      if (!set) this.#space.grants.set(payload.grantId, (set = new Set()));
      set.add(`${this.#name}:${id}`);
    }
  }

  async find(id: string): Promise<Payload | undefined> {
    const s = this.#items.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= Date.now()) {
      this.#items.delete(id);
      return undefined;
    }
    return s.payload;
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    for (const [id, s] of this.#items) if (s.payload.uid === uid) return this.find(id);
    return undefined;
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    for (const [id, s] of this.#items) if (s.payload.userCode === userCode) return this.find(id);
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const s = this.#items.get(id);
    if (s) s.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.#items.delete(id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of this.#space.grants.get(grantId) ?? []) {
      const i = key.indexOf(':');
      this.#space.stores.get(key.slice(0, i))?.delete(key.slice(i + 1));
    }
    this.#space.grants.delete(grantId);
  }
}
