-- Month rollups (metrics/rollup.py): what the month's verdicts, series and usage quantities add up,
-- kept by every ingest in the same transaction as the rows they sum. A month listed in
-- rollup_months is read from them; any other month is computed from the rows.

-- Each SLA target's numerator and denominator per local day and hour of the day (hour NULL for
-- targets without an hour-of-day series: weekly_min_hours, dated by its weeks' Mondays).
-- target_no is the month's numbering (sla/targets.py); any change to the reference tables
-- rebuilds every month, so the numbers stay those of the stored targets.
CREATE TABLE sla_rollup (
    month DATE NOT NULL, source VARCHAR NOT NULL, target_no INTEGER NOT NULL, day DATE, hour INTEGER,
    numerator DECIMAL(38, 6) NOT NULL, denominator DECIMAL(38, 6) NOT NULL);

-- Each ladder's usage quantity in base units (billing/quantities.py).
CREATE TABLE usage_rollup (
    month DATE NOT NULL, contract_id VARCHAR NOT NULL, channel VARCHAR NOT NULL, unit VARCHAR NOT NULL,
    quantity HUGEINT NOT NULL);

CREATE TABLE rollup_months (month DATE NOT NULL, built_at TIMESTAMPTZ NOT NULL);
