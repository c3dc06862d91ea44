-- Kept in step with SQLite's 017, which defers the user search's FTS5 writes to a fold about once a
-- second. PostgreSQL maintains 014's pg_trgm GIN index itself: nothing to change here.
SELECT 1;
