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

-- Each month's stored rows per table, vendor, contract and local day (data_health.month_rows_sql),
-- kept by ingest with the other rollups (rollup.py): what the data-quality checks count. The months
-- rolled up before this migration get theirs here, by the same rules (interactions by local start
-- under their contract; agent sessions by local login under the vendor's contract holding it).
CREATE TABLE row_rollup (
    month DATE NOT NULL, table_name VARCHAR NOT NULL, channel VARCHAR NOT NULL, vendor_id VARCHAR NOT NULL,
    contract_id VARCHAR, day DATE NOT NULL, rows BIGINT NOT NULL);
INSERT INTO row_rollup
SELECT date_trunc('month', local_start)::DATE, table_name, channel, vendor_id, contract_id, local_start::DATE, count(*)
FROM (SELECT 'calls' AS table_name, 'phone' AS channel, vendor_id, contract_id, local_start FROM calls
      UNION ALL SELECT 'chats', 'chat', vendor_id, contract_id, local_start FROM chats
      UNION ALL SELECT 'emails', 'email', vendor_id, contract_id, local_start FROM emails
      UNION ALL SELECT 'visits', 'onsite', vendor_id, contract_id, local_start FROM visits
      UNION ALL SELECT 'agent_sessions', x.channel, x.vendor_id, c.contract_id, x.local_start
                FROM (SELECT s.vendor_id, s.channel, timezone(v.timezone, s.login_at) AS local_start
                      FROM agent_sessions s JOIN vendors v USING (vendor_id)) x
                LEFT JOIN contracts c ON c.vendor_id = x.vendor_id AND x.local_start::DATE >= c.start_date
                     AND (c.end_date IS NULL OR x.local_start::DATE <= c.end_date))
WHERE date_trunc('month', local_start)::DATE IN (SELECT month FROM rollup_months)
GROUP BY ALL;
