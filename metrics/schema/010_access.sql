-- Sign-in users and the audit trail (docs/auth.md, metrics/access.py, metrics/users.py, metrics/audit.py).
-- A user is known by `login`, compared case-insensitively and stored lower-case: an e-mail address
-- or an identity provider's subject (`sub`) for OpenID Connect users, any name for local ones.
-- `password_hash` is argon2id; NULL means the user signs in through the identity provider only.
-- `vendor_ids` binds a `vendor` user to the vendors it may see (empty for the other roles).
CREATE TABLE users (
    login VARCHAR PRIMARY KEY, name VARCHAR,
    role VARCHAR NOT NULL CHECK (role IN ('admin', 'finance', 'manager', 'vendor')),
    vendor_ids VARCHAR[] NOT NULL, password_hash VARCHAR,
    created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL);

-- Every write, appended in the same transaction as the change it records; nothing in vendorboard
-- updates or deletes a row. `actor` is the signed-in user (the OS user for the CLI), `origin`
-- where the change came from (the dashboard and the browser's address, or the program and host),
-- `subject` what it touched in a few words and `details` the rest (files, counts, the reason).
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY, recorded_at TIMESTAMPTZ NOT NULL, actor VARCHAR NOT NULL, role VARCHAR NOT NULL,
    origin VARCHAR NOT NULL, action VARCHAR NOT NULL, subject VARCHAR NOT NULL, details JSON NOT NULL);

-- Invoices vendors send through the portal for finance to reconcile (docs/auth.md "The vendor
-- portal", metrics/uploads.py). The file is kept under the database's own folder (`kept`, relative
-- to the database's directory); who sent it, when and from where is its audit entry (`audit_seq`),
-- so the trail stays the one place of that fact. One vendor per file; `contract_ids` are the
-- contracts its rows bill.
CREATE TABLE invoice_submissions (
    audit_seq BIGINT PRIMARY KEY, vendor_id VARCHAR NOT NULL, month DATE NOT NULL, file_name VARCHAR NOT NULL,
    kept VARCHAR NOT NULL, contract_ids VARCHAR[] NOT NULL);
