-- Core tables: sessions, signing keys, access log, key-value caches. Timestamps are epoch ms.
CREATE TABLE sessions (
  id TEXT COLLATE "C" PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('global', 'app')),
  parent_id TEXT COLLATE "C",
  app_id TEXT,
  user_key TEXT NOT NULL,
  email TEXT NOT NULL,
  idp TEXT NOT NULL,
  identity TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  ip TEXT,
  user_agent TEXT,
  revoked_at BIGINT,
  revoked_reason TEXT
);
CREATE INDEX sessions_parent_idx ON sessions (parent_id);
CREATE INDEX sessions_user_key_idx ON sessions (user_key);
CREATE INDEX sessions_email_idx ON sessions (email);
CREATE INDEX sessions_app_idx ON sessions (app_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL,
  private_jwk TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  activates_at BIGINT NOT NULL,
  retires_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);

CREATE TABLE access_log (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  time BIGINT NOT NULL,
  request_id TEXT NOT NULL,
  user_key TEXT,
  email TEXT,
  app_id TEXT,
  host TEXT NOT NULL,
  path TEXT NOT NULL,
  method TEXT NOT NULL,
  action TEXT NOT NULL,
  policy TEXT,
  reasons TEXT NOT NULL,
  status INTEGER NOT NULL,
  duration_ms DOUBLE PRECISION NOT NULL,
  client_ip TEXT NOT NULL
);
CREATE INDEX access_log_time_idx ON access_log (time);
CREATE INDEX access_log_email_time_idx ON access_log (email, time);
CREATE INDEX access_log_app_time_idx ON access_log (app_id, time);

CREATE TABLE kv (
  ns TEXT NOT NULL,
  k TEXT NOT NULL,
  value TEXT NOT NULL,
  expires_at BIGINT,
  PRIMARY KEY (ns, k)
);
