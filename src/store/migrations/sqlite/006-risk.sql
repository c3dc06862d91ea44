-- The risk sync's state: each Entra ID Protection risky user as last read (keyed by the Entra
-- object id), the level whose group they belong in (NULL: none), and the change log of every
-- group and level change it made.
CREATE TABLE risk_users (
  user_id TEXT PRIMARY KEY,
  upn TEXT NOT NULL,
  upn_key TEXT NOT NULL,
  risk_level TEXT NOT NULL,
  risk_state TEXT NOT NULL,
  is_deleted INTEGER NOT NULL,
  risk_last_updated INTEGER NOT NULL,
  level TEXT CHECK (level IN ('low', 'medium', 'high')),
  updated_at INTEGER NOT NULL
);
CREATE INDEX risk_users_upn_key_idx ON risk_users (upn_key);

CREATE TABLE risk_changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  cycle_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  upn TEXT NOT NULL,
  output TEXT NOT NULL,
  group_name TEXT,
  from_level TEXT,
  to_level TEXT,
  reason TEXT NOT NULL
);
CREATE INDEX risk_changes_time_idx ON risk_changes (time);
