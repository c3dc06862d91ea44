// In-process topic fan-out shared by both change feeds. Owns: subscriber sets and isolated
// delivery. Must not: let one failing subscriber stop delivery to the others.
import type { StoreLogger } from './ports.ts';

export class ChangeFanout {
  readonly #topics = new Map<string, Set<(payload: unknown) => void>>();
  readonly #reconnect = new Set<() => void>();
  readonly #logger: StoreLogger | undefined;

  constructor(logger?: StoreLogger) {
    this.#logger = logger;
  }

  subscribe(topic: string, handler: (payload: unknown) => void): () => void {
    let set = this.#topics.get(topic);
    if (!set) this.#topics.set(topic, (set = new Set()));
    // Wrap so the same function subscribed twice gets two independent subscriptions.
    const entry = (p: unknown) => handler(p);
    set.add(entry);
    return () => { set.delete(entry); };
  }

  onReconnect(handler: () => void): () => void {
    const entry = () => handler();
    this.#reconnect.add(entry);
    return () => { this.#reconnect.delete(entry); };
  }

  deliver(topic: string, payload: unknown): void {
    for (const h of [...(this.#topics.get(topic) ?? [])]) {
      try { h(payload); } catch (err) { this.#logger?.error({ err, topic }, 'store change subscriber threw'); }
    }
  }

  reconnected(): void {
    for (const h of [...this.#reconnect]) {
      try { h(); } catch (err) { this.#logger?.error({ err }, 'store reconnect handler threw'); }
    }
  }
}
