-- When Patio first noticed that a PAT had expired (15 idle days or its absolute expiry), so the
-- "expired" activity event is written exactly once.
ALTER TABLE personal_access_tokens ADD COLUMN expired_at BIGINT;
-- T8: revoke every TCM PAT of a tenant at once.
CREATE INDEX pats_by_tenant_kind ON personal_access_tokens(tenant_id, kind);
