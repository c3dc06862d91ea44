// AccessLogStore over shared SQL. Owns: access-log rows and their newest-first paging. Must not:
// store anything the proxy did not hand it (no headers, no cookies).
import type { AccessLogEntry, AccessLogStore } from '../ports.ts';
import { batchInsert } from './batch-insert.ts';
import { num, str, strOrNull, type Row, type SqlExecutor, type SqlParam } from './executor.ts';

function toEntry(r: Row): AccessLogEntry {
  const reasons: unknown = JSON.parse(str(r, 'reasons'));
  return {
    time: num(r, 'time'), requestId: str(r, 'request_id'), userKey: strOrNull(r, 'user_key'), email: strOrNull(r, 'email'),
    appId: strOrNull(r, 'app_id'), host: str(r, 'host'), path: str(r, 'path'), method: str(r, 'method'), action: str(r, 'action'),
    policy: strOrNull(r, 'policy'),
    reasons: Array.isArray(reasons) ? reasons.filter((x): x is string => typeof x === 'string') : [],
    status: num(r, 'status'), durationMs: num(r, 'duration_ms'), clientIp: str(r, 'client_ip'),
  };
}

const insertRows = batchInsert('access_log', [
  'time', 'request_id', 'user_key', 'email', 'app_id', 'host', 'path', 'method', 'action', 'policy', 'reasons', 'status', 'duration_ms', 'client_ip',
]);

function rowParams(e: AccessLogEntry): SqlParam[] {
  return [e.time, e.requestId, e.userKey, e.email?.toLowerCase() ?? null, e.appId, e.host, e.path, e.method, e.action, e.policy,
    JSON.stringify(e.reasons), e.status, e.durationMs, e.clientIp];
}

/** The rollup's grain (access_log_minutes, migration 011): the overview's buckets are whole minutes. */
const MINUTE = 60_000;
const ROLLUP = 'INSERT INTO access_log_minutes (minute, action, n) VALUES (?, ?, ?) ON CONFLICT (minute, action) DO UPDATE SET n = access_log_minutes.n + excluded.n';

/** Entries counted per (minute, action): a batch of a second's requests is a handful of upserts. */
function perMinute(entries: AccessLogEntry[]): Map<string, { minute: number; action: string; n: number }> {
  const out = new Map<string, { minute: number; action: string; n: number }>();
  for (const e of entries) {
    const minute = e.time - (e.time % MINUTE);
    const k = `${minute} ${e.action}`;
    const c = out.get(k);
    if (c) c.n++;
    else out.set(k, { minute, action: e.action, n: 1 });
  }
  return out;
}

type Bucket = { bucket: number; action: string; count: number };

/** Counts straight from access_log rows with from ≤ time ≤ to (the partial minutes at a window's edges). */
async function countRows(ex: SqlExecutor, from: number, to: number, size: number): Promise<Bucket[]> {
  // Integer arithmetic in both dialects; the count is cast so PostgreSQL answers a plain int.
  const rows = await ex.all(
    'SELECT time - (time % ?) AS bucket, action, CAST(COUNT(*) AS INTEGER) AS n FROM access_log WHERE time >= ? AND time <= ? GROUP BY 1, 2',
    [size, from, to],
  );
  return rows.map((r) => ({ bucket: num(r, 'bucket'), action: str(r, 'action'), count: num(r, 'n') }));
}

/** Counts from the per-minute rollup for the whole minutes from ≤ minute ≤ to. */
async function countMinutes(ex: SqlExecutor, from: number, to: number, size: number): Promise<Bucket[]> {
  const rows = await ex.all(
    'SELECT minute - (minute % ?) AS bucket, action, CAST(SUM(n) AS INTEGER) AS n FROM access_log_minutes WHERE minute >= ? AND minute <= ? GROUP BY 1, 2',
    [size, from, to],
  );
  return rows.map((r) => ({ bucket: num(r, 'bucket'), action: str(r, 'action'), count: num(r, 'n') }));
}

export function accessLogRepo(ex: SqlExecutor): AccessLogStore {
  return {
    async append(entries) {
      if (entries.length === 0) return;
      await ex.atomic(async (tx) => {
        await insertRows(tx, entries.map(rowParams));
        for (const c of perMinute(entries).values()) await tx.run(ROLLUP, [c.minute, c.action, c.n]);
      });
    },
    async query(q) {
      const where: string[] = [];
      const params: SqlParam[] = [];
      const add = (cond: string, v: SqlParam | undefined) => { if (v !== undefined) { where.push(cond); params.push(v); } };
      add('time >= ?', q.since);
      add('time <= ?', q.until);
      add('time < ?', q.before);
      add('email = ?', q.email?.toLowerCase());
      add('app_id = ?', q.appId);
      add('action = ?', q.action);
      const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const rows = await ex.all(`SELECT * FROM access_log ${w} ORDER BY time DESC, seq DESC LIMIT ?`, [...params, Math.max(0, Math.floor(q.limit))]);
      return rows.map(toEntry);
    },
    async purgeBefore(time) {
      // Rollup minutes wholly before the cut-off go too; the minute holding it keeps its count (the
      // overview may count up to a minute of purged requests at the retention edge).
      return ex.atomic(async (tx) => {
        await tx.run('DELETE FROM access_log_minutes WHERE minute <= ?', [time - MINUTE]);
        return (await tx.run('DELETE FROM access_log WHERE time < ?', [time])).changes;
      });
    },
    async histogram(q) {
      const size = Math.max(1, Math.floor(q.bucketMs));
      // Whole minutes come from the rollup (a few thousand rows a day instead of every request);
      // the partial minutes at either edge, and sub-minute buckets, are counted from the log itself.
      const first = Math.ceil(q.since / MINUTE) * MINUTE;
      const end = Math.floor((q.until + 1) / MINUTE) * MINUTE; // exclusive
      const parts = size % MINUTE !== 0 || first >= end
        ? [await countRows(ex, q.since, q.until, size)]
        : [
          q.since < first ? await countRows(ex, q.since, first - 1, size) : [],
          await countMinutes(ex, first, end - MINUTE, size),
          end <= q.until ? await countRows(ex, end, q.until, size) : [],
        ];
      const merged = new Map<string, Bucket>();
      for (const b of parts.flat()) {
        const k = `${b.bucket} ${b.action}`;
        const m = merged.get(k);
        if (m) m.count += b.count;
        else merged.set(k, { ...b });
      }
      return [...merged.values()].sort((a, b) => a.bucket - b.bucket || (a.action < b.action ? -1 : a.action > b.action ? 1 : 0));
    },
  };
}
