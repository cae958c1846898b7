-- Amazon Connect contact records -> calls (VOICE) and chats (CHAT). In: view `mapped` (_file,
-- _line, _raw, contact_id, initial_contact_id, channel, last_update, disconnected, enqueued,
-- connected, first_response, agent, queue, hold_seconds, wrap_seconds), one row per record.

-- The latest version of each contact (by LastUpdateTimestamp, then the later record read).
CREATE TEMP TABLE ctr AS
SELECT * REPLACE (upper(channel) AS channel) FROM mapped
QUALIFY row_number() OVER (PARTITION BY contact_id ORDER BY last_update DESC NULLS LAST, _file DESC, _line DESC) = 1;

-- One customer contact per InitialContactId (its ContactId when absent): offered when first
-- queued, answered when an agent first connected, ended at the last disconnect; hold and
-- after-contact work summed over the chain; agent of the answering record, queue of the first.
CREATE TEMP TABLE ctr_chains AS
SELECT coalesce(initial_contact_id, contact_id) AS id, channel,
       min(enqueued) AS offered_at,
       min(connected) AS answered_at,
       max(disconnected) AS ended_at,
       count(*) FILTER (disconnected IS NULL) AS open_records,
       arg_min(agent, connected) AS agent_id,
       arg_min(queue, enqueued) AS queue,
       sum(try_cast(hold_seconds AS DECIMAL(12, 3))) AS hold_seconds,
       sum(try_cast(wrap_seconds AS DECIMAL(12, 3))) AS wrap_seconds,
       min(first_response) AS first_response_at,
       arg_min(_file, (enqueued IS NULL, enqueued, _file, _line)) AS _file,
       arg_min(_line, (enqueued IS NULL, enqueued, _file, _line)) AS _line,
       arg_min(_raw, (enqueued IS NULL, enqueued, _file, _line)) AS _raw
FROM ctr
GROUP BY ALL;

-- A chain never queued was not offered to the vendor; one with a record not disconnected yet is
-- still in progress and not loaded.
CREATE TEMP TABLE pivot_calls AS
SELECT _file, _line, _raw, id AS call_id, offered_at, answered_at, ended_at, agent_id, queue, hold_seconds, wrap_seconds
FROM ctr_chains WHERE channel = 'VOICE' AND offered_at IS NOT NULL AND open_records = 0;

CREATE TEMP TABLE pivot_chats AS
SELECT _file, _line, _raw, id AS chat_id, offered_at AS started_at, first_response_at, ended_at, agent_id
FROM ctr_chains WHERE channel = 'CHAT' AND offered_at IS NOT NULL AND open_records = 0;

CREATE TEMP TABLE pivot_steps AS
          SELECT 'older_versions' AS step, (SELECT count(*) FROM mapped) - (SELECT count(*) FROM ctr) AS n
UNION ALL SELECT 'records_merged_into_chains', (SELECT count(*) FROM ctr) - (SELECT count(*) FROM ctr_chains)
UNION ALL SELECT 'contacts_never_queued', count(*) FROM ctr_chains
          WHERE channel IN ('VOICE', 'CHAT') AND offered_at IS NULL
UNION ALL SELECT 'contacts_in_progress', count(*) FROM ctr_chains
          WHERE channel IN ('VOICE', 'CHAT') AND offered_at IS NOT NULL AND open_records > 0
UNION ALL SELECT 'other_channels', count(*) FROM ctr_chains WHERE channel NOT IN ('VOICE', 'CHAT');

DROP TABLE ctr; DROP TABLE ctr_chains;
