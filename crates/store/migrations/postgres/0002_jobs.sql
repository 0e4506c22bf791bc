-- The durable job queue. A job row exists from enqueue until it is completed (then deleted) or
-- parked as dead (state = 'dead', kept with its last error until retried).
CREATE TABLE jobs (
    id              BIGSERIAL PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    kind            TEXT NOT NULL,
    payload         BYTEA NOT NULL,
    idempotency_key TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'ready',
    run_at_ms       BIGINT NOT NULL,
    locked_until_ms BIGINT NOT NULL DEFAULT 0,
    lease_seq       BIGINT NOT NULL DEFAULT 0,
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at_ms   BIGINT NOT NULL
);
CREATE UNIQUE INDEX jobs_tenant_key ON jobs (tenant_id, idempotency_key);
CREATE INDEX jobs_ready ON jobs (tenant_id, run_at_ms, id) WHERE state = 'ready';

-- Idempotency keys whose effects were committed, kept 30 days so a late duplicate is a no-op.
CREATE TABLE job_done (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    idempotency_key TEXT NOT NULL,
    done_at_ms      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, idempotency_key)
);
CREATE INDEX job_done_age ON job_done (tenant_id, done_at_ms);

-- When each tenant was last served by a take, for round-robin fairness between tenants.
CREATE TABLE job_turns (
    tenant_id  TEXT PRIMARY KEY NOT NULL REFERENCES tenants(id),
    served_seq BIGINT NOT NULL
);

-- Recurring jobs, declared once; next_run_at_ms moves forward by a conditional UPDATE so one
-- instance only enqueues each period's run.
CREATE TABLE job_recurring (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    payload        BYTEA NOT NULL,
    period_ms      BIGINT NOT NULL,
    next_run_at_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
