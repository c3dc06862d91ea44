-- Apps, policies and rule groups created through the admin API (moatless.yaml's own objects stay
-- in the file). One row per object: its JSON body as the config schema takes it, a version for
-- optimistic concurrency (ETag / If-Match), and who created and last changed it.
CREATE TABLE config_objects (
  kind TEXT NOT NULL CHECK (kind IN ('app', 'policy', 'ruleGroup')),
  id TEXT NOT NULL,
  body_json TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (kind, id)
);
