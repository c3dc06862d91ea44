-- The admin API's user search (`/directory/users?search=`, a case-insensitive substring of userName
-- or displayName: `user_name_key LIKE '%…%' OR lower(display_name) LIKE '%…%'`) from pg_trgm GIN
-- indexes instead of reading all users (bench/admin.ts, 100,000 users). PostgreSQL rechecks every
-- row the index finds, so results are exactly what the plain scan returned.
--
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension (PostgreSQL 13+): a role with
-- CREATE on the database may install it. Where it cannot be installed (contrib not packaged, no
-- privilege), the migration still succeeds without these indexes and the search reads every user,
-- as before (docs/admin-api.md). It goes into `public`, not the store's schema, so dropping one
-- Moatless schema never drops the extension under another.
DO $$
DECLARE
  ext_schema TEXT;
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
  EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm could not be installed (%): the admin user search will read every user', SQLERRM;
  END;
  SELECT n.nspname INTO ext_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  IF ext_schema IS NOT NULL THEN
    EXECUTE format('CREATE INDEX scim_users_user_name_trgm_idx ON scim_users USING gin (user_name_key %I.gin_trgm_ops)', ext_schema);
    EXECUTE format('CREATE INDEX scim_users_display_name_trgm_idx ON scim_users USING gin (lower(display_name) %I.gin_trgm_ops)', ext_schema);
  END IF;
END
$$;
