// A bound on how long a caller waits for the store (a health probe, a metrics scrape, the change
// feed's read on its listener connection). Owns: the race and its timer. Must not: cancel the
// underlying work (drivers cannot); it only stops waiting for it.

export class DeadlineExceeded extends Error {
  constructor(ms: number, what = 'the store') {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

export async function withDeadline<T>(work: Promise<T>, ms: number, what?: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new DeadlineExceeded(ms, what)), ms); });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
