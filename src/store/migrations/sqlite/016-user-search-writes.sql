-- Cheaper user writes with migration 014's trigram index: a SCIM PUT or PATCH rewrites every
-- column of scim_users (UserRepo.replace), so `AFTER UPDATE OF user_name_key, display_name` fired
-- on each one — deactivating a user or changing an e-mail deleted and re-inserted the user's index
-- entry, and each FTS5 write is a new index segment (in docs/benchmarks.md, "Admin": what FTS5
-- writes cost SCIM). Now the index is written only when an indexed value actually changes.
-- `IS NOT` compares NULLs as values (display_name may be NULL). Inserts and deletes are unchanged.
DROP TRIGGER scim_users_search_update;
CREATE TRIGGER scim_users_search_update AFTER UPDATE OF user_name_key, display_name ON scim_users
WHEN old.user_name_key IS NOT new.user_name_key OR old.display_name IS NOT new.display_name BEGIN
  DELETE FROM scim_users_search WHERE rowid = (SELECT k FROM scim_users_search_keys WHERE directory_id = old.directory_id AND id = old.id);
  INSERT INTO scim_users_search (rowid, user_name, display_name)
    VALUES ((SELECT k FROM scim_users_search_keys WHERE directory_id = new.directory_id AND id = new.id), new.user_name_key, moatless_lower(new.display_name));
END;
