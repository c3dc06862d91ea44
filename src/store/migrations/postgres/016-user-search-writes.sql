-- Kept in step with SQLite's 016, which writes the user search's FTS5 index only when an indexed
-- value changes. PostgreSQL maintains 014's pg_trgm GIN index itself: nothing to change here.
SELECT 1;
