-- Pruning by age reads this index (rows now live about 15 minutes, as on PostgreSQL).
CREATE INDEX change_log_created_at ON change_log (created_at);
