-- Tunnels: hashed connector tokens, and the connector connections each edge replica holds (for
-- `moatless tunnel status`; rows of a replica that died go stale and are purged).
CREATE TABLE tunnel_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  tunnel TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE UNIQUE INDEX tunnel_tokens_hash_uq ON tunnel_tokens (hash);

CREATE TABLE tunnel_connections (
  id TEXT PRIMARY KEY,
  tunnel TEXT NOT NULL,
  token_id TEXT NOT NULL,
  connector_id TEXT NOT NULL,
  version TEXT NOT NULL,
  hostname TEXT NOT NULL,
  address TEXT NOT NULL,
  edge TEXT NOT NULL,
  wanted INTEGER NOT NULL,
  connected_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL
);
CREATE INDEX tunnel_connections_seen_idx ON tunnel_connections (last_seen_at);
