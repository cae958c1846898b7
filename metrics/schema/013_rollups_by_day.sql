-- Rollups kept per local day (metrics/rollup.py): a run rebuilds the days its rows touch, not the
-- month to date. Usage quantities get their day; the months rolled up before keep their month totals,
-- dated on the month's first day (they sum the same), and are rebuilt day by day the first time a run
-- touches them (`by_day` false).
ALTER TABLE usage_rollup ADD COLUMN day DATE;
UPDATE usage_rollup SET day = month;
ALTER TABLE rollup_months ADD COLUMN by_day BOOLEAN DEFAULT false;

-- The stored rows per table, contract and local day, with their first and last local start (of an
-- agent session: login and logout), for every month holding rows, rolled up or not: the pages' lists
-- of months and the freshness of each vendor and channel read them, never the rows
-- (data_health.month_rows_sql gives the same rows).
ALTER TABLE row_rollup ADD COLUMN first_at TIMESTAMP;
ALTER TABLE row_rollup ADD COLUMN last_at TIMESTAMP;
DELETE FROM row_rollup;
INSERT INTO row_rollup
SELECT date_trunc('month', local_start)::DATE, table_name, channel, vendor_id, contract_id, local_start::DATE,
       count(*), min(local_start), max(local_end)
FROM (SELECT 'calls' AS table_name, 'phone' AS channel, vendor_id, contract_id, local_start, local_start AS local_end
      FROM calls
      UNION ALL SELECT 'chats', 'chat', vendor_id, contract_id, local_start, local_start FROM chats
      UNION ALL SELECT 'emails', 'email', vendor_id, contract_id, local_start, local_start FROM emails
      UNION ALL SELECT 'visits', 'onsite', vendor_id, contract_id, local_start, local_start FROM visits
      UNION ALL SELECT 'agent_sessions', x.channel, x.vendor_id, c.contract_id, x.local_start, x.local_end
                FROM (SELECT s.vendor_id, s.channel, timezone(v.timezone, s.login_at) AS local_start,
                             timezone(v.timezone, s.logout_at) AS local_end
                      FROM agent_sessions s JOIN vendors v USING (vendor_id)) x
                LEFT JOIN contracts c ON c.vendor_id = x.vendor_id AND x.local_start::DATE >= c.start_date
                     AND (c.end_date IS NULL OR x.local_start::DATE <= c.end_date))
GROUP BY ALL;

-- Where a stored key can be (ingest/keys.py): per interaction table, vendor and month (of the local
-- start; of an agent session, its login in UTC), the range of ids its rows hold, so the duplicate
-- check of a run reads only the months whose ranges hold an incoming id.
CREATE TABLE key_ranges (
    table_name VARCHAR NOT NULL, vendor_id VARCHAR NOT NULL, month DATE NOT NULL,
    first_id VARCHAR NOT NULL, last_id VARCHAR NOT NULL);
INSERT INTO key_ranges
SELECT 'calls', vendor_id, date_trunc('month', local_start)::DATE, min(call_id), max(call_id) FROM calls GROUP BY ALL
UNION ALL
SELECT 'chats', vendor_id, date_trunc('month', local_start)::DATE, min(chat_id), max(chat_id) FROM chats GROUP BY ALL
UNION ALL
SELECT 'emails', vendor_id, date_trunc('month', local_start)::DATE, min(email_id), max(email_id) FROM emails GROUP BY ALL
UNION ALL
SELECT 'visits', vendor_id, date_trunc('month', local_start)::DATE, min(visit_id), max(visit_id) FROM visits GROUP BY ALL
UNION ALL
SELECT 'agent_sessions', vendor_id, date_trunc('month', login_at)::DATE, min(session_id), max(session_id)
FROM agent_sessions GROUP BY ALL;
