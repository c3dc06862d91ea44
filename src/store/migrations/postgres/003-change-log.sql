-- PostgreSQL delivers changes with LISTEN/NOTIFY; this migration only keeps the numbering of both
-- dialects in step (SQLite's 003 adds its polled change log).
SELECT 1;
