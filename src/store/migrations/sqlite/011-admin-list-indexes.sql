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
