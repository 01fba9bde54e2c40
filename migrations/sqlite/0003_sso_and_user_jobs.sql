-- OIDC single sign-on configurations (SPEC T15), one per resource: the tenant (TCM sign-in)
-- or one of its sites. The client secret is sealed with the server key; the other fields of the
-- reference's OIDCConfiguration model are kept as given in `config` (JSON, without the secret).
CREATE TABLE oidc_configurations (
    resource_id           TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    enabled               BOOLEAN NOT NULL,
    known_provider_alias  TEXT NOT NULL,
    config                TEXT NOT NULL,
    client_secret_sealed  TEXT,
    updated_at            BIGINT NOT NULL
);
CREATE INDEX oidc_by_tenant ON oidc_configurations(tenant_id);

-- Tenant-user operations are acknowledged with a job id whose status can be read
-- (reference 1.2.7). Patio completes them synchronously and keeps the record.
CREATE TABLE user_jobs (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    operation   TEXT NOT NULL,
    status      TEXT NOT NULL,
    owner_id    TEXT,
    user_id     TEXT,
    items       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX user_jobs_by_tenant ON user_jobs(tenant_id);
