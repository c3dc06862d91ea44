-- The SCIM directory: tenants, tokens, users, groups, memberships, provisioning log.
-- *_key columns hold values lower-cased by the store (so uniqueness is the same in both dialects).
CREATE TABLE directories (
  id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX directories_name_key_uq ON directories (name_key);

CREATE TABLE scim_tokens (
  id TEXT COLLATE "C" PRIMARY KEY,
  directory_id TEXT COLLATE "C" NOT NULL REFERENCES directories (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE UNIQUE INDEX scim_tokens_hash_uq ON scim_tokens (hash);
CREATE INDEX scim_tokens_directory_idx ON scim_tokens (directory_id);

CREATE TABLE scim_users (
  directory_id TEXT COLLATE "C" NOT NULL REFERENCES directories (id) ON DELETE CASCADE,
  id TEXT COLLATE "C" NOT NULL,
  external_id TEXT,
  user_name TEXT NOT NULL,
  user_name_key TEXT NOT NULL,
  active BOOLEAN NOT NULL,
  display_name TEXT,
  email TEXT,
  given_name TEXT,
  family_name TEXT,
  raw JSONB NOT NULL,
  version INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  last_modified BIGINT NOT NULL,
  PRIMARY KEY (directory_id, id)
);
CREATE UNIQUE INDEX scim_users_user_name_key_uq ON scim_users (directory_id, user_name_key);
CREATE INDEX scim_users_external_id_idx ON scim_users (directory_id, external_id);
CREATE INDEX scim_users_email_idx ON scim_users (email);

CREATE TABLE scim_groups (
  directory_id TEXT COLLATE "C" NOT NULL REFERENCES directories (id) ON DELETE CASCADE,
  id TEXT COLLATE "C" NOT NULL,
  external_id TEXT,
  display_name TEXT NOT NULL,
  display_name_key TEXT NOT NULL,
  raw JSONB NOT NULL,
  version INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  last_modified BIGINT NOT NULL,
  PRIMARY KEY (directory_id, id)
);
CREATE UNIQUE INDEX scim_groups_display_name_key_uq ON scim_groups (directory_id, display_name_key);
CREATE INDEX scim_groups_external_id_idx ON scim_groups (directory_id, external_id);

CREATE TABLE scim_memberships (
  directory_id TEXT COLLATE "C" NOT NULL,
  group_id TEXT COLLATE "C" NOT NULL,
  user_id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (directory_id, group_id, user_id),
  FOREIGN KEY (directory_id, group_id) REFERENCES scim_groups (directory_id, id) ON DELETE CASCADE,
  FOREIGN KEY (directory_id, user_id) REFERENCES scim_users (directory_id, id) ON DELETE CASCADE
);
CREATE INDEX scim_memberships_user_idx ON scim_memberships (directory_id, user_id);

CREATE TABLE provisioning_log (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  time BIGINT NOT NULL,
  directory_id TEXT COLLATE "C" NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  operation TEXT NOT NULL,
  resource_type TEXT,
  resource_id TEXT,
  external_id TEXT,
  status INTEGER NOT NULL,
  error TEXT,
  duration_ms DOUBLE PRECISION NOT NULL
);
CREATE INDEX provisioning_log_time_idx ON provisioning_log (time);
CREATE INDEX provisioning_log_directory_time_idx ON provisioning_log (directory_id, time);
