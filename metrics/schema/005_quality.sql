-- Naive times keep what was written (docs/input.md "Time"): bit i of naive_times is set when the
-- i-th timestamp column of the table (in its column order, ingest/tables.py) was written without an
-- offset, i.e. as the vendor's local time. Its local value is timezone(zone, instant) in the zone it
-- was read in, so a later correction of the vendor's zone can re-read it (ingest/zones.py). Rows
-- stored before this migration count as written with offsets: their instants stay as they are.
ALTER TABLE calls ADD COLUMN naive_times UTINYINT DEFAULT 0;
ALTER TABLE chats ADD COLUMN naive_times UTINYINT DEFAULT 0;
ALTER TABLE emails ADD COLUMN naive_times UTINYINT DEFAULT 0;
ALTER TABLE visits ADD COLUMN naive_times UTINYINT DEFAULT 0;
ALTER TABLE agent_sessions ADD COLUMN naive_times UTINYINT DEFAULT 0;

-- Finalizing over data-quality findings (docs/quality.md): the reason finance gave for accepting
-- `error` findings (NULL when there were none) and every finding of the month at that moment, as
-- the JSON list `vendorboard check --format json` prints.
ALTER TABLE invoices ADD COLUMN accepted_data_issues VARCHAR;
ALTER TABLE invoices ADD COLUMN data_findings VARCHAR DEFAULT '[]';

-- The business clock no longer stops at a contract's end date (docs/metrics.md "Clocks"): months in
-- which a contract ends are measured from their rows again until an ingest rebuilds their rollups.
DELETE FROM sla_rollup WHERE month IN (SELECT date_trunc('month', end_date)::DATE FROM contracts);
DELETE FROM usage_rollup WHERE month IN (SELECT date_trunc('month', end_date)::DATE FROM contracts);
DELETE FROM rollup_months WHERE month IN (SELECT date_trunc('month', end_date)::DATE FROM contracts);
