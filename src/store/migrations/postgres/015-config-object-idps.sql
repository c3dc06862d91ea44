-- Identity providers created through the admin API are config objects too (kind
-- 'identityProvider'); their bodies name secrets only by environment variable, never hold one.
ALTER TABLE config_objects DROP CONSTRAINT config_objects_kind_check;
ALTER TABLE config_objects ADD CONSTRAINT config_objects_kind_check CHECK (kind IN ('app', 'policy', 'ruleGroup', 'identityProvider'));
