-- Agent assessment (docs/agents.md).

-- Optional names for the agent ids the logs carry (SPEC §2 `agents`), keyed by (vendor_id, agent_id).
CREATE TABLE agents (
    vendor_id VARCHAR NOT NULL, agent_id VARCHAR NOT NULL, name VARCHAR, team VARCHAR, start_date DATE,
    source_file VARCHAR, source_line BIGINT);

-- Each agent's figures per local day (metrics/agents/rollup.py), kept by ingest with the month
-- rollups: numerator, denominator and rows counted of every figure (`figure` on `channel`, NULL
-- for the agent's time on every channel) under the terms it was measured with (threshold_seconds
-- and clock, NULL where the figure uses none). Agent-weeks are dated by their Mondays.
CREATE TABLE agent_rollup (
    month DATE NOT NULL, source VARCHAR NOT NULL, contract_id VARCHAR NOT NULL, agent_id VARCHAR NOT NULL,
    day DATE NOT NULL, figure VARCHAR NOT NULL, channel VARCHAR, threshold_seconds DECIMAL(12, 3), clock VARCHAR,
    numerator DECIMAL(38, 6) NOT NULL, denominator DECIMAL(38, 6) NOT NULL, rows BIGINT NOT NULL);

-- Months whose agent_rollup is complete; any other month is measured from its rows (a month rolled
-- up before this table existed, until an ingest touches it).
CREATE TABLE agent_rollup_months (month DATE NOT NULL, built_at TIMESTAMPTZ NOT NULL);
