-- The admin API's user search (`/directory/users?search=`, a case-insensitive substring of userName
-- or displayName) from a trigram index instead of reading all users (bench/admin.ts: 163 ms p99 at
-- 100,000 users). FTS5's trigram tokenizer answers "which rows contain this substring" for
-- substrings of 3 or more characters; UsersRepo.pageAfter still checks the exact condition on each
-- row it returns, so the index only has to find every row that can match.
--
-- The index is keyed by its own INTEGER PRIMARY KEY (scim_users_search_keys.k), not by scim_users'
-- implicit rowid: VACUUM may renumber the rowids of a table without an INTEGER PRIMARY KEY, and the
-- index would then point at the wrong users. The text indexed is already lowered the way the
-- search lowers (user_name_key, moatless_lower(display_name)), so the index and the check agree.
-- moatless_lower is Moatless's own function (src/store/sqlite/database.ts): a tool that opens the
-- file without it can read users but not write them. Each user write also writes the index (in
-- docs/benchmarks.md, "Admin": what that costs SCIM).
CREATE TABLE scim_users_search_keys (
  k INTEGER PRIMARY KEY,
  directory_id TEXT NOT NULL,
  id TEXT NOT NULL,
  UNIQUE (directory_id, id)
);
CREATE VIRTUAL TABLE scim_users_search USING fts5 (user_name, display_name, content = '', contentless_delete = 1, tokenize = 'trigram');
INSERT INTO scim_users_search_keys (directory_id, id) SELECT directory_id, id FROM scim_users;
INSERT INTO scim_users_search (rowid, user_name, display_name)
  SELECT k.k, u.user_name_key, moatless_lower(u.display_name) FROM scim_users u JOIN scim_users_search_keys k ON k.directory_id = u.directory_id AND k.id = u.id;
CREATE TRIGGER scim_users_search_insert AFTER INSERT ON scim_users BEGIN
  INSERT INTO scim_users_search_keys (directory_id, id) VALUES (new.directory_id, new.id);
  INSERT INTO scim_users_search (rowid, user_name, display_name)
    VALUES ((SELECT k FROM scim_users_search_keys WHERE directory_id = new.directory_id AND id = new.id), new.user_name_key, moatless_lower(new.display_name));
END;
CREATE TRIGGER scim_users_search_update AFTER UPDATE OF user_name_key, display_name ON scim_users BEGIN
  DELETE FROM scim_users_search WHERE rowid = (SELECT k FROM scim_users_search_keys WHERE directory_id = old.directory_id AND id = old.id);
  INSERT INTO scim_users_search (rowid, user_name, display_name)
    VALUES ((SELECT k FROM scim_users_search_keys WHERE directory_id = new.directory_id AND id = new.id), new.user_name_key, moatless_lower(new.display_name));
END;
-- Also runs for users removed with their directory (ON DELETE CASCADE fires delete triggers).
CREATE TRIGGER scim_users_search_delete AFTER DELETE ON scim_users BEGIN
  DELETE FROM scim_users_search WHERE rowid = (SELECT k FROM scim_users_search_keys WHERE directory_id = old.directory_id AND id = old.id);
  DELETE FROM scim_users_search_keys WHERE directory_id = old.directory_id AND id = old.id;
END;
