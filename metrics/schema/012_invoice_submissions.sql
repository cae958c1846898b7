-- Invoices vendors send through the portal for finance to reconcile (docs/auth.md "The vendor
-- portal", metrics/uploads.py). The file is kept under the database's own folder (`kept`, relative
-- to the database's directory); who sent it, when and from where is its audit entry (`audit_seq`),
-- so the trail stays the one place of that fact. One vendor per file; `contract_ids` are the
-- contracts its rows bill.
CREATE TABLE invoice_submissions (
    audit_seq BIGINT PRIMARY KEY, vendor_id VARCHAR NOT NULL, month DATE NOT NULL, file_name VARCHAR NOT NULL,
    kept VARCHAR NOT NULL, contract_ids VARCHAR[] NOT NULL);
