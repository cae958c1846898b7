-- Asterisk CDR records -> calls. In: view `mapped` (_file, _line, _raw, call_id, offered_at,
-- answered_at, ended_at, answered, agent, queue), one row per CDR record (leg).

CREATE TEMP TABLE cdr_legs AS SELECT * FROM mapped WHERE answered IS DISTINCT FROM 'ignore';

-- One call per uniqueid: offered at its first leg's start, answered at the earliest answer of a
-- leg the disposition says was answered, ended at the last leg's end; the agent is the answered
-- leg's destination channel without its sequence suffix (SIP/1001-0000002a -> SIP/1001).
CREATE TEMP TABLE pivot_calls AS
SELECT arg_min(_file, (offered_at, _file, _line)) AS _file,
       arg_min(_line, (offered_at, _file, _line)) AS _line,
       arg_min(_raw, (offered_at, _file, _line)) AS _raw,
       call_id,
       min(offered_at) AS offered_at,
       min(answered_at) FILTER (answered IS DISTINCT FROM 'abandoned') AS answered_at,
       max(ended_at) AS ended_at,
       regexp_replace(arg_min(agent, answered_at) FILTER (answered IS DISTINCT FROM 'abandoned' AND answered_at IS NOT NULL),
                      '-[0-9a-fA-F]+(;[0-9]+)?$', '') AS agent_id,
       arg_min(queue, (offered_at, _file, _line)) AS queue
FROM cdr_legs
GROUP BY call_id;

CREATE TEMP TABLE pivot_steps AS
          SELECT 'not_offered' AS step, (SELECT count(*) FROM mapped) - (SELECT count(*) FROM cdr_legs) AS n
UNION ALL SELECT 'legs_merged_into_calls', (SELECT count(*) FROM cdr_legs) - (SELECT count(*) FROM pivot_calls);

DROP TABLE cdr_legs;
