-- Payments against issued invoices (SPEC §2 `payments`, docs/payments.md). A payment names its
-- contract and month and applies to the finalized invoice of that month; until the invoice is
-- finalized it is held as unapplied. Keyed by (contract_id, reference): the voucher or bank
-- transaction number, so loading the same payment twice changes nothing. currency NULL = the
-- invoice's currency (a payment in another one is refused at load).
CREATE TABLE payments (
    contract_id VARCHAR NOT NULL, month DATE NOT NULL, paid_on DATE NOT NULL,
    amount DECIMAL(18, 2) NOT NULL, reference VARCHAR NOT NULL, currency VARCHAR, payer_account VARCHAR,
    source_file VARCHAR, source_line BIGINT);

-- The contract term behind late-payment damages: a share of the outstanding amount per day
-- overdue (0.0005 = 0.05 % a day); NULL = the contract sets none.
ALTER TABLE contracts ADD COLUMN late_payment_rate DECIMAL(12, 8);

-- Late-payment damages carried into a later invoice as an adjustment: each row carries what had
-- accrued on the invoice of (contract_id, month) through `through`, less what earlier rows
-- carried, so the same damages are never carried twice.
CREATE TABLE damage_carries (
    contract_id VARCHAR NOT NULL, month DATE NOT NULL, through DATE NOT NULL,
    amount DECIMAL(18, 2) NOT NULL, into_month DATE NOT NULL, description VARCHAR NOT NULL,
    carried_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (contract_id, month, through));
