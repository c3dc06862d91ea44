// Where a process stands in the shared change log, gap-aware. Owns: deciding which log rows are new
// and what to read from next. Must not: do I/O — both change feeds feed it rows they read.
//
// Why gaps: PostgreSQL hands out ids from a sequence when a row is inserted, but rows become
// visible when their transaction commits, so id 7 can be read before id 6 exists. Reading only
// `id > max seen` would skip 6 for good. Missing ids below the highest seen are kept as gaps and
// read again until they appear or `gapWaitMs` passes (a rolled-back transaction leaves a gap that
// never fills; publishes are written just before commit, so a real one fills within milliseconds).

export interface ChangeLogRow { id: number; origin: string; topic: string; payload: string }

export interface CursorOptions {
  gapWaitMs: number;
  /** Gaps tracked at most; a larger jump (a sequence skipping ahead after a crash) is not waited on. */
  maxGaps?: number;
}

export class ChangeLogCursor {
  readonly #gapWaitMs: number;
  readonly #maxGaps: number;
  /** Missing id → when it was first noticed missing. */
  readonly #gaps = new Map<number, number>();
  #maxSeen: number;

  constructor(startAfter: number, opts: CursorOptions) {
    this.#maxSeen = startAfter;
    this.#gapWaitMs = opts.gapWaitMs;
    this.#maxGaps = opts.maxGaps ?? 10_000;
  }

  /** Read rows with id greater than this. */
  get readAfter(): number {
    let low = this.#maxSeen;
    for (const id of this.#gaps.keys()) if (id - 1 < low) low = id - 1;
    return low;
  }

  get highest(): number {
    return this.#maxSeen;
  }

  get pendingGaps(): number {
    return this.#gaps.size;
  }

  /**
   * The rows (ascending by id, as read after `readAfter`) not taken before; records the gaps they
   * reveal and forgets gaps older than the wait.
   */
  take(rows: readonly ChangeLogRow[], now: number): ChangeLogRow[] {
    const fresh: ChangeLogRow[] = [];
    for (const r of rows) {
      if (r.id > this.#maxSeen) {
        for (let missing = this.#maxSeen + 1; missing < r.id && this.#gaps.size < this.#maxGaps; missing++) {
          this.#gaps.set(missing, now);
        }
        this.#maxSeen = r.id;
        fresh.push(r);
      } else if (this.#gaps.delete(r.id)) {
        fresh.push(r);
      }
    }
    for (const [id, since] of this.#gaps) if (now - since > this.#gapWaitMs) this.#gaps.delete(id);
    return fresh;
  }
}
