-- The secure web gateway: per-device proxy credentials (only a hash of the secret is kept; each is
-- tied to the global session it was created from) and the gateway log, one row per proxied request.
CREATE TABLE gateway_credentials (
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  session_id TEXT NOT NULL,
  user_key TEXT NOT NULL,
  email TEXT NOT NULL,
  label TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX gateway_credentials_user_idx ON gateway_credentials (user_key);

CREATE TABLE gateway_log (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  time BIGINT NOT NULL,
  request_id TEXT NOT NULL,
  user_key TEXT,
  email TEXT,
  groups TEXT NOT NULL,
  host TEXT NOT NULL,
  url TEXT NOT NULL,
  method TEXT NOT NULL,
  action TEXT NOT NULL,
  policy TEXT,
  reasons TEXT NOT NULL,
  status INTEGER NOT NULL,
  bytes BIGINT NOT NULL,
  isolation TEXT,
  client_ip TEXT NOT NULL
);
CREATE INDEX gateway_log_time_idx ON gateway_log (time);
CREATE INDEX gateway_log_email_time_idx ON gateway_log (email, time);
