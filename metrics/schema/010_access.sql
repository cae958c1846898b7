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
