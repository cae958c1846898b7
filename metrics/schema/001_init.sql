-- Reference tables (SPEC §2). Instants are TIMESTAMPTZ (microsecond precision keeps milliseconds),
-- money is DECIMAL. source_file/source_line say where a reference row came from, for error messages.
CREATE TABLE vendors (
    vendor_id VARCHAR NOT NULL, name VARCHAR NOT NULL, timezone VARCHAR NOT NULL,
    source_file VARCHAR, source_line BIGINT);

CREATE TABLE contracts (
    contract_id VARCHAR NOT NULL, vendor_id VARCHAR NOT NULL,
    start_date DATE NOT NULL, end_date DATE,
    currency VARCHAR NOT NULL, tax_rate DECIMAL(9, 6) NOT NULL, payment_due_day INTEGER NOT NULL,
    monthly_fee DECIMAL(18, 4) NOT NULL, monthly_minimum DECIMAL(18, 4) NOT NULL,
    credit_cap_rate DECIMAL(9, 6) NOT NULL, short_abandon_seconds DECIMAL(12, 3) NOT NULL,
    sl_abandons VARCHAR NOT NULL, payee VARCHAR,
    source_file VARCHAR, source_line BIGINT);

CREATE TABLE rates (
    contract_id VARCHAR NOT NULL, channel VARCHAR NOT NULL, unit VARCHAR NOT NULL,
    unit_price DECIMAL(18, 6) NOT NULL, increment_seconds INTEGER NOT NULL,
    tier_from DECIMAL(18, 3), tier_to DECIMAL(18, 3), tier_mode VARCHAR NOT NULL,
    tier_flat_fee DECIMAL(18, 4) NOT NULL, effective_from DATE, effective_to DATE,
    source_file VARCHAR, source_line BIGINT);

CREATE TABLE sla_targets (
    contract_id VARCHAR NOT NULL, channel VARCHAR NOT NULL, metric VARCHAR NOT NULL,
    target DECIMAL(18, 6) NOT NULL, threshold_seconds DECIMAL(12, 3), clock VARCHAR NOT NULL,
    credit_rate DECIMAL(9, 6) NOT NULL, credit_base VARCHAR NOT NULL,
    effective_from DATE, effective_to DATE,
    source_file VARCHAR, source_line BIGINT);

-- open/close: minutes after local midnight; close up to 1440 (24:00).
CREATE TABLE service_hours (
    contract_id VARCHAR NOT NULL, channel VARCHAR NOT NULL, days VARCHAR NOT NULL,
    open SMALLINT NOT NULL, close SMALLINT NOT NULL,
    source_file VARCHAR, source_line BIGINT);

CREATE TABLE holidays (
    vendor_id VARCHAR NOT NULL, date DATE NOT NULL, kind VARCHAR NOT NULL, name VARCHAR,
    source_file VARCHAR, source_line BIGINT);

-- month: the first day of the month the adjustment belongs to.
CREATE TABLE adjustments (
    contract_id VARCHAR NOT NULL, month DATE NOT NULL, description VARCHAR NOT NULL,
    amount DECIMAL(18, 4) NOT NULL,
    source_file VARCHAR, source_line BIGINT);

-- Interaction logs. local_start (the start in the vendor's wall-clock time) and contract_id
-- (NULL = out of contract) are derived at ingest and refreshed when vendors or contracts change,
-- so metrics filter months and days in vendor time without converting per query.
CREATE TABLE calls (
    vendor_id VARCHAR NOT NULL, call_id VARCHAR NOT NULL,
    offered_at TIMESTAMPTZ NOT NULL, answered_at TIMESTAMPTZ, ended_at TIMESTAMPTZ NOT NULL,
    agent_id VARCHAR, queue VARCHAR,
    hold_seconds DECIMAL(12, 3) NOT NULL, wrap_seconds DECIMAL(12, 3) NOT NULL, csat DECIMAL(4, 2),
    local_start TIMESTAMP NOT NULL, contract_id VARCHAR);

CREATE TABLE chats (
    vendor_id VARCHAR NOT NULL, chat_id VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL, first_response_at TIMESTAMPTZ, ended_at TIMESTAMPTZ,
    agent_id VARCHAR, csat DECIMAL(4, 2),
    local_start TIMESTAMP NOT NULL, contract_id VARCHAR);

CREATE TABLE emails (
    vendor_id VARCHAR NOT NULL, email_id VARCHAR NOT NULL,
    received_at TIMESTAMPTZ NOT NULL, first_reply_at TIMESTAMPTZ, replies INTEGER NOT NULL,
    agent_id VARCHAR, csat DECIMAL(4, 2),
    local_start TIMESTAMP NOT NULL, contract_id VARCHAR);

CREATE TABLE visits (
    vendor_id VARCHAR NOT NULL, visit_id VARCHAR NOT NULL,
    arrived_at TIMESTAMPTZ NOT NULL, departed_at TIMESTAMPTZ, status VARCHAR NOT NULL,
    questions_audited INTEGER NOT NULL, questions_correct INTEGER NOT NULL,
    site VARCHAR, agent_id VARCHAR, csat DECIMAL(4, 2),
    local_start TIMESTAMP NOT NULL, contract_id VARCHAR);

CREATE TABLE agent_sessions (
    vendor_id VARCHAR NOT NULL, session_id VARCHAR NOT NULL, agent_id VARCHAR NOT NULL,
    channel VARCHAR NOT NULL, login_at TIMESTAMPTZ NOT NULL, logout_at TIMESTAMPTZ NOT NULL);

-- Rejected rows: nothing is lost. Keyed by (table_name, source_file, line) so that loading the
-- same file again replaces its rejections instead of repeating them.
CREATE TABLE quarantine (
    table_name VARCHAR NOT NULL, source_file VARCHAR NOT NULL, line BIGINT NOT NULL,
    reason VARCHAR NOT NULL, detail VARCHAR NOT NULL, raw VARCHAR NOT NULL);

CREATE TABLE ingest_runs (
    run_id BIGINT NOT NULL, started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ NOT NULL,
    summary JSON NOT NULL);
