-- Column mappings saved on the Data page under a name for a vendor, to import next month's export
-- the same way (metrics/imports/saved.py). `mapping` is the mapping's TOML, as `--mapping` reads it.
CREATE TABLE saved_mappings (
    vendor_id VARCHAR NOT NULL, name VARCHAR NOT NULL, mapping VARCHAR NOT NULL, saved_at TIMESTAMPTZ NOT NULL);
