-- Patio core model (SPEC "Domain"). Portable to PostgreSQL by design: TEXT uuids, BIGINT Unix
-- milliseconds bound from the application clock, BOOLEAN, no backend-only functions.
-- Later migrations only add to this.

CREATE TABLE tenants (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    url_name       TEXT NOT NULL UNIQUE,          -- first label of <tenant>.cloudmanager host
    -- TCM UI authentication: 'TableauIDWithMFA' (Tableau with MFA only) or 'OpenID' (OIDC SSO on).
    auth_method    TEXT NOT NULL DEFAULT 'TableauIDWithMFA',
    created_at     BIGINT NOT NULL
);

CREATE TABLE sites (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    content_url      TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    activated_at     BIGINT NOT NULL,
    -- PAT settings (SPEC S6-S8): on/off, 'all' users or only 'groups', expiry in days.
    pat_enabled      BOOLEAN NOT NULL,
    pat_scope        TEXT NOT NULL DEFAULT 'all',
    pat_expiry_days  INTEGER NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX sites_by_tenant ON sites(tenant_id);

CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    tenant_id           TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_name           TEXT NOT NULL,
    user_name_key       TEXT NOT NULL,             -- lower-cased user_name: the lookup key
    email               TEXT NOT NULL,
    display_name        TEXT NOT NULL,
    language            TEXT NOT NULL DEFAULT 'EN_US',
    locale              TEXT NOT NULL DEFAULT 'en_US',
    password_hash       TEXT,                      -- argon2id PHC string; NULL = no password
    totp_secret_sealed  TEXT,                      -- enrolled authenticator seed, sealed with the server key
    totp_pending_sealed TEXT,                      -- seed offered during enrollment, not yet confirmed
    totp_enrolled_at    BIGINT,
    totp_last_step      BIGINT,                    -- replay protection: last accepted TOTP step
    last_login_at       BIGINT,
    created_at          BIGINT NOT NULL,
    UNIQUE (tenant_id, user_name_key)
);
CREATE INDEX users_by_name_key ON users(user_name_key);

-- Link role = the user's role on the TCM tenant ("link"); LINK_ADMIN makes a cloud admin.
CREATE TABLE link_roles (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    link_role   TEXT NOT NULL,
    idp         TEXT NOT NULL,                     -- TableauIDWithMFA | OpenID | SAML
    status      TEXT NOT NULL DEFAULT 'ACTIVE',
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, tenant_id)
);
CREATE INDEX link_roles_by_tenant ON link_roles(tenant_id);

CREATE TABLE site_roles (
    user_id               TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    site_id               TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    site_role             TEXT NOT NULL,           -- Creator, Explorer, SiteAdministratorCreator, ...
    idp                   TEXT NOT NULL,           -- DEFAULT | TableauIDWithMFA | OpenID | SAML
    idp_configuration_id  TEXT,
    created_at            BIGINT NOT NULL,
    PRIMARY KEY (user_id, site_id)
);
CREATE INDEX site_roles_by_site ON site_roles(site_id);

CREATE TABLE site_groups (
    id          TEXT PRIMARY KEY,
    site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (site_id, name)
);

CREATE TABLE group_members (
    group_id  TEXT NOT NULL REFERENCES site_groups(id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members(user_id);

-- Groups allowed to create PATs when a site's pat_scope is 'groups' (SPEC S6).
CREATE TABLE site_pat_groups (
    site_id   TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    group_id  TEXT NOT NULL REFERENCES site_groups(id) ON DELETE CASCADE,
    PRIMARY KEY (site_id, group_id)
);

CREATE TABLE mfa_recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,                      -- keyed hash; the code itself is never stored
    used_at    BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- Both kinds of PAT, kept apart by `kind` (SPEC T9): 'tcm' tokens sign in to TCM only,
-- 'site' tokens to the Tableau REST API of their site only.
CREATE TABLE personal_access_tokens (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    site_id         TEXT REFERENCES sites(id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    lookup_key      TEXT NOT NULL UNIQUE,          -- the non-secret part of the secret
    secret_hash     TEXT NOT NULL,                 -- HMAC-SHA-256 under the server key
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,               -- absolute expiry fixed at creation (T6, S5, S7)
    last_used_at    BIGINT,
    revoked_at      BIGINT,
    revoked_by      TEXT,
    revoke_reason   TEXT
);
CREATE INDEX pats_by_owner ON personal_access_tokens(user_id, kind);

-- REST API sessions (TCM credentials tokens and site X-Tableau-Auth tokens), stored by keyed hash.
CREATE TABLE api_sessions (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    site_id       TEXT REFERENCES sites(id) ON DELETE CASCADE,
    pat_id        TEXT REFERENCES personal_access_tokens(id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    ended_at      BIGINT,
    end_reason    TEXT
);
CREATE INDEX api_sessions_by_pat ON api_sessions(pat_id);
CREATE INDEX api_sessions_by_user ON api_sessions(user_id);

-- Every security-relevant action (DEVELOPERS.md; SPEC S11).
CREATE TABLE activity_events (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT,
    site_id         TEXT,
    occurred_at     BIGINT NOT NULL,
    event_type      TEXT NOT NULL,
    actor_user_id   TEXT,
    actor_name      TEXT,
    target_type     TEXT,
    target_id       TEXT,
    source_address  TEXT,
    details         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX activity_by_tenant_time ON activity_events(tenant_id, occurred_at);
CREATE INDEX activity_by_type_time ON activity_events(event_type, occurred_at);
