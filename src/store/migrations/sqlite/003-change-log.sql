-- Cross-process change notifications for SQLite: a CLI command (say `moatless sessions revoke`)
-- and the running server share the database file but not memory. Rows live about a minute.
CREATE TABLE change_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  origin TEXT NOT NULL,
  topic TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
