// GatewayStore over shared SQL: proxy credentials and gateway-log rows. Must not: store a
// credential's secret (only its hash) or anything of a request beyond the log entry.
import type { GatewayLogEntry, GatewayStore, ProxyCredentialRecord } from '../ports.ts';
import { batchInsert } from './batch-insert.ts';
import { num, numOrNull, str, strOrNull, type Row, type SqlExecutor, type SqlParam } from './executor.ts';

const CRED_COLS = 'id, secret_hash, session_id, user_key, email, label, created_at, last_used_at, revoked_at';

function toCredential(r: Row): ProxyCredentialRecord {
  return {
    id: str(r, 'id'), secretHash: str(r, 'secret_hash'), sessionId: str(r, 'session_id'), userKey: str(r, 'user_key'),
    email: str(r, 'email'), label: str(r, 'label'), createdAt: num(r, 'created_at'),
    lastUsedAt: numOrNull(r, 'last_used_at'), revokedAt: numOrNull(r, 'revoked_at'),
  };
}

function strings(text: string): string[] {
  const v: unknown = JSON.parse(text);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function toLogEntry(r: Row): GatewayLogEntry {
  const iso = strOrNull(r, 'isolation');
  return {
    time: num(r, 'time'), requestId: str(r, 'request_id'), userKey: strOrNull(r, 'user_key'), email: strOrNull(r, 'email'),
    groups: strings(str(r, 'groups')), host: str(r, 'host'), url: str(r, 'url'), method: str(r, 'method'),
    action: str(r, 'action'), policy: strOrNull(r, 'policy'), reasons: strings(str(r, 'reasons')), status: num(r, 'status'),
    bytes: num(r, 'bytes'), isolation: iso === 'redirected' || iso === 'blocked' ? iso : null, clientIp: str(r, 'client_ip'),
  };
}

const insertLogRows = batchInsert('gateway_log', [
  'time', 'request_id', 'user_key', 'email', 'groups', 'host', 'url', 'method', 'action', 'policy', 'reasons', 'status', 'bytes', 'isolation',
  'client_ip',
]);

function logRowParams(e: GatewayLogEntry): SqlParam[] {
  return [e.time, e.requestId, e.userKey, e.email?.toLowerCase() ?? null, JSON.stringify(e.groups), e.host, e.url, e.method, e.action,
    e.policy, JSON.stringify(e.reasons), e.status, e.bytes, e.isolation, e.clientIp];
}

export function gatewayRepos(ex: SqlExecutor): GatewayStore {
  return {
    credentials: {
      async create(c) {
        await ex.run(`INSERT INTO gateway_credentials (${CRED_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
          c.id, c.secretHash, c.sessionId, c.userKey, c.email.toLowerCase(), c.label, c.createdAt, c.lastUsedAt, c.revokedAt,
        ]);
      },
      async get(id) {
        const [row] = await ex.all(`SELECT ${CRED_COLS} FROM gateway_credentials WHERE id = ?`, [id]);
        return row ? toCredential(row) : null;
      },
      async listForUser(userKey) {
        const rows = await ex.all(`SELECT ${CRED_COLS} FROM gateway_credentials WHERE user_key = ? ORDER BY created_at DESC, id`, [userKey]);
        return rows.map(toCredential);
      },
      async revoke(id, userKey, at) {
        return (await ex.run('UPDATE gateway_credentials SET revoked_at = ? WHERE id = ? AND user_key = ? AND revoked_at IS NULL', [at, id, userKey])).changes > 0;
      },
      async touch(id, at) {
        await ex.run('UPDATE gateway_credentials SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)', [at, id, at]);
      },
    },
    log: {
      async append(entries) {
        if (entries.length === 0) return;
        // Many rows per statement (batch-insert.ts): the gateway writes one row per proxied request.
        await ex.atomic((tx) => insertLogRows(tx, entries.map(logRowParams)));
      },
      async query(q) {
        const where: string[] = [];
        const params: SqlParam[] = [];
        const add = (cond: string, v: SqlParam | undefined) => { if (v !== undefined) { where.push(cond); params.push(v); } };
        add('time >= ?', q.since);
        add('time < ?', q.before);
        add('email = ?', q.email?.toLowerCase());
        add('action = ?', q.action);
        const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
        const rows = await ex.all(`SELECT * FROM gateway_log ${w} ORDER BY time DESC, seq DESC LIMIT ?`, [...params, Math.max(0, Math.floor(q.limit))]);
        return rows.map(toLogEntry);
      },
      async purgeBefore(time) {
        return (await ex.run('DELETE FROM gateway_log WHERE time < ?', [time])).changes;
      },
    },
  };
}
