// TunnelTokensRepo and TunnelConnectionsRepo over shared SQL. Owns: token hashes and connection
// rows. Must not: compare token hashes itself (src/tunnel re-compares in constant time).
import type { TunnelConnectionRecord, TunnelConnectionsRepo, TunnelTokenRecord, TunnelTokensRepo } from '../ports-tunnel.ts';
import { num, numOrNull, str, strOrNull, type Row, type SqlExecutor } from './executor.ts';

const TOKEN_COLS = 'id, name, tunnel, hash, created_at, revoked_at';

function toToken(r: Row): TunnelTokenRecord {
  return {
    id: str(r, 'id'), name: str(r, 'name'), tunnel: str(r, 'tunnel'), hash: str(r, 'hash'),
    createdAt: num(r, 'created_at'), revokedAt: numOrNull(r, 'revoked_at'),
  };
}

export function tunnelTokensRepo(ex: SqlExecutor): TunnelTokensRepo {
  return {
    async create(t) {
      if (!/^[0-9a-f]{64}$/.test(t.hash)) throw new TypeError('token hash must be sha256 hex');
      await ex.run('INSERT INTO tunnel_tokens (id, name, tunnel, hash, created_at) VALUES (?, ?, ?, ?, ?)',
        [t.id, t.name, t.tunnel, t.hash, t.createdAt]);
    },
    async findByHash(hash) {
      const [r] = await ex.all(`SELECT ${TOKEN_COLS} FROM tunnel_tokens WHERE hash = ?`, [hash]);
      return r ? toToken(r) : null;
    },
    async get(id) {
      const [r] = await ex.all(`SELECT ${TOKEN_COLS} FROM tunnel_tokens WHERE id = ?`, [id]);
      return r ? toToken(r) : null;
    },
    async list() {
      return (await ex.all(`SELECT ${TOKEN_COLS} FROM tunnel_tokens ORDER BY created_at, id`)).map(toToken);
    },
    async revoke(id, at) {
      return (await ex.run('UPDATE tunnel_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [at, id])).changes > 0;
    },
  };
}

const CONN_COLS = 'id, tunnel, token_id, connector_id, version, hostname, address, edge, wanted, connected_at, last_seen_at, relay_url';

function toConnection(r: Row): TunnelConnectionRecord {
  return {
    id: str(r, 'id'), tunnel: str(r, 'tunnel'), tokenId: str(r, 'token_id'), connectorId: str(r, 'connector_id'),
    version: str(r, 'version'), hostname: str(r, 'hostname'), address: str(r, 'address'), edge: str(r, 'edge'),
    wanted: num(r, 'wanted'), connectedAt: num(r, 'connected_at'), lastSeenAt: num(r, 'last_seen_at'),
    relayUrl: strOrNull(r, 'relay_url'),
  };
}

export function tunnelConnectionsRepo(ex: SqlExecutor): TunnelConnectionsRepo {
  return {
    async put(c) {
      await ex.run('DELETE FROM tunnel_connections WHERE id = ?', [c.id]);
      await ex.run(`INSERT INTO tunnel_connections (${CONN_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [c.id, c.tunnel, c.tokenId, c.connectorId, c.version, c.hostname, c.address, c.edge, c.wanted, c.connectedAt, c.lastSeenAt, c.relayUrl ?? null]);
    },
    async touch(ids, at) {
      for (const id of ids) await ex.run('UPDATE tunnel_connections SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?', [at, id, at]);
    },
    async remove(id) {
      await ex.run('DELETE FROM tunnel_connections WHERE id = ?', [id]);
    },
    async listSince(since) {
      const rows = await ex.all(`SELECT ${CONN_COLS} FROM tunnel_connections WHERE last_seen_at >= ? ORDER BY tunnel, connector_id, connected_at, id`, [since]);
      return rows.map(toConnection);
    },
    async purgeBefore(before) {
      return (await ex.run('DELETE FROM tunnel_connections WHERE last_seen_at < ?', [before])).changes;
    },
  };
}
