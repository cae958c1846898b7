-- A quarantined row is known by its content, not by the path it was loaded from (README "Rejected
-- rows"): row_key is its vendor and id (a JSON pair) or, without them, the md5 of its raw text, so
-- loading the same rows again from any path or file name replaces them, and a row that loads
-- removes its quarantined twin. vendor_id and row_id as the file wrote them (the vendor also dates
-- the row: data_health.dated_quarantine_sql); raw_length: the length of the raw text, which is
-- capped for a malformed line.
ALTER TABLE quarantine ADD COLUMN vendor_id VARCHAR;
ALTER TABLE quarantine ADD COLUMN row_id VARCHAR;
ALTER TABLE quarantine ADD COLUMN row_key VARCHAR;
ALTER TABLE quarantine ADD COLUMN raw_length BIGINT;

UPDATE quarantine SET
    vendor_id = CASE WHEN json_valid(raw) THEN trim(json_extract_string(raw, '$.vendor_id')) END,
    row_id = CASE WHEN json_valid(raw) THEN json_extract_string(raw, '$.' || CASE table_name
        WHEN 'calls' THEN 'call_id' WHEN 'chats' THEN 'chat_id' WHEN 'emails' THEN 'email_id'
        WHEN 'visits' THEN 'visit_id' ELSE 'session_id' END) END,
    raw_length = length(raw);
UPDATE quarantine SET row_key = CASE WHEN vendor_id IS NOT NULL AND row_id IS NOT NULL
                                     THEN to_json([vendor_id, row_id])::VARCHAR ELSE md5(raw) END;

-- The same row quarantined from two paths was two rows: keep one.
DELETE FROM quarantine WHERE rowid IN (
    SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY table_name, row_key ORDER BY source_file DESC, line DESC) AS n
                       FROM quarantine) WHERE n > 1);
