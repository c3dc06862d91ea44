-- SCIM user creation without an FTS5 write per user. Migration 014's trigram index wrote the
-- index (and its key table) in every user insert, and each FTS5 write is a new index segment: SCIM's
-- POST /Users fell from ~1,100 to ~850 per second on SQLite (bench/scim.ts, same run) against its
-- goal of 1,000. Now a new or renamed user is only named in scim_users_search_pending (one B-tree
-- row), and src/store/sqlite/user-search-fold.ts gives pending users their index key and moves them
-- into the index about once a second, many per transaction (one segment for the lot). The search
-- reads the index plus the pending users and still checks the exact condition on every row, so its
-- answers are exact at every moment, folded or not.
CREATE TABLE scim_users_search_pending (
  directory_id TEXT NOT NULL,
  id TEXT NOT NULL,
  PRIMARY KEY (directory_id, id)
) WITHOUT ROWID;
DROP TRIGGER scim_users_search_insert;
CREATE TRIGGER scim_users_search_insert AFTER INSERT ON scim_users BEGIN
  INSERT OR IGNORE INTO scim_users_search_pending (directory_id, id) VALUES (new.directory_id, new.id);
END;
DROP TRIGGER scim_users_search_update;
CREATE TRIGGER scim_users_search_update AFTER UPDATE OF user_name_key, display_name ON scim_users
WHEN old.user_name_key IS NOT new.user_name_key OR old.display_name IS NOT new.display_name BEGIN
  DELETE FROM scim_users_search WHERE rowid = (SELECT k FROM scim_users_search_keys WHERE directory_id = old.directory_id AND id = old.id);
  INSERT OR IGNORE INTO scim_users_search_pending (directory_id, id) VALUES (new.directory_id, new.id);
END;
DROP TRIGGER scim_users_search_delete;
CREATE TRIGGER scim_users_search_delete AFTER DELETE ON scim_users BEGIN
  DELETE FROM scim_users_search WHERE rowid = (SELECT k FROM scim_users_search_keys WHERE directory_id = old.directory_id AND id = old.id);
  DELETE FROM scim_users_search_pending WHERE directory_id = old.directory_id AND id = old.id;
  DELETE FROM scim_users_search_keys WHERE directory_id = old.directory_id AND id = old.id;
END;
