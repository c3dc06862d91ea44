-- The change log on PostgreSQL too: NOTIFY only wakes listeners; what changed is read from here in
-- id order, so a replica whose listener connection dropped replays what it missed instead of
-- losing it, and payloads are no longer capped at NOTIFY's 8000 bytes. Rows live about 15 minutes.
CREATE TABLE change_log (
  id BIGSERIAL PRIMARY KEY,
  origin TEXT NOT NULL,
  topic TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX change_log_created_at ON change_log (created_at);
