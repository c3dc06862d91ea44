-- Identity providers created through the admin API are config objects too (kind
-- 'identityProvider'); their bodies name secrets only by environment variable, never hold one.
-- SQLite cannot alter a CHECK constraint: the table is rebuilt with the wider one.
CREATE TABLE config_objects_new (
  kind TEXT NOT NULL CHECK (kind IN ('app', 'policy', 'ruleGroup', 'identityProvider')),
  id TEXT NOT NULL,
  body_json TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (kind, id)
);
INSERT INTO config_objects_new SELECT kind, id, body_json, version, created_at, created_by, updated_at, updated_by FROM config_objects;
DROP TABLE config_objects;
ALTER TABLE config_objects_new RENAME TO config_objects;
