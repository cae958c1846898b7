-- Finalized invoices (SPEC §4 "Invoice lifecycle"): stored as issued and never changed, so later
-- ingests cannot move what finance has approved. One header per contract and month, its lines in
-- invoice order. Money and quantities are DECIMAL, exactly as they were printed.
CREATE TABLE invoices (
    contract_id VARCHAR NOT NULL, month DATE NOT NULL, vendor_id VARCHAR NOT NULL,
    currency VARCHAR NOT NULL, payee VARCHAR NOT NULL, due_date DATE NOT NULL,
    subtotal DECIMAL(18, 2) NOT NULL, credits DECIMAL(18, 2) NOT NULL, adjustments DECIMAL(18, 2) NOT NULL,
    net DECIMAL(18, 2) NOT NULL, tax DECIMAL(18, 2) NOT NULL, total DECIMAL(18, 2) NOT NULL,
    finalized_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (contract_id, month));

CREATE TABLE invoice_lines (
    contract_id VARCHAR NOT NULL, month DATE NOT NULL, line_no INTEGER NOT NULL,
    type VARCHAR NOT NULL, channel VARCHAR, unit VARCHAR,
    tier_from DECIMAL(18, 3), tier_to DECIMAL(18, 3), quantity DECIMAL(18, 4), unit_price DECIMAL(18, 6),
    amount DECIMAL(18, 2) NOT NULL, description VARCHAR NOT NULL,
    metric VARCHAR,  -- credit lines: the metric of the missed target that caused the credit
    PRIMARY KEY (contract_id, month, line_no));
