-- Indexes in the order the admin API's lists page (bench/admin.ts: 100,000 users and sessions), so
-- a page reads its rows in order from an index instead of sorting the whole table first. SCIM's
-- own unsorted list (createdAt, id) uses the directory ones too.
CREATE INDEX scim_users_created_idx ON scim_users (directory_id, created_at, id);
CREATE INDEX scim_groups_created_idx ON scim_groups (directory_id, created_at, id);
-- Sessions list newest first, ties by id (SessionStore.listActive / pageActive), also per app; the
-- per-app index replaces the plain one (revokeApp still finds an app's sessions through it).
CREATE INDEX sessions_created_idx ON sessions (created_at DESC, id);
CREATE INDEX sessions_app_created_idx ON sessions (app_id, created_at DESC, id);
DROP INDEX sessions_app_idx;
-- Active sessions counted (the overview, /metrics' moatless_sessions_active) from a partial index
-- of unrevoked sessions alone, without reading each row to check revoked_at.
CREATE INDEX sessions_active_idx ON sessions (expires_at) WHERE revoked_at IS NULL;
-- Requests per minute and action, kept by AccessLogStore.append in the same transaction as the rows:
-- the overview's chart sums these (1,440 minutes a day) instead of counting the access log (a
-- million rows a week) on every visit. Filled from the rows already logged.
CREATE TABLE access_log_minutes (
  minute BIGINT NOT NULL,
  action TEXT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (minute, action)
);
INSERT INTO access_log_minutes (minute, action, n) SELECT time - (time % 60000), action, COUNT(*) FROM access_log GROUP BY time - (time % 60000), action;
