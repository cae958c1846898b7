-- Asterisk queue_log -> calls and agent_sessions. In: view `mapped` (_file, _line, _raw, event_time,
-- callid, queue, agent, event, data1..data5), one row per line. The reading is in docs/imports.md.
-- "First" and "last" are by time, then file and line: files are not always in order.

-- Repeated identical lines count once: the first keeps its place. _pos is a line's place (file,
-- then line); events are ordered by (event_time, _pos), the order "first" and "last" are taken in.
CREATE TEMP TABLE ql_lines AS
SELECT * REPLACE (upper(event) AS event), _file::BIGINT * 1099511627776 + _line AS _pos FROM mapped;
CREATE TEMP TABLE ql_first AS SELECT min(_pos) AS _pos, count(*) - 1 AS _repeats FROM ql_lines GROUP BY _raw;
CREATE TEMP TABLE ql AS SELECT * FROM ql_lines SEMI JOIN ql_first USING (_pos);

-- One call per uniqueid that entered a queue: offered at its first ENTERQUEUE, answered at its
-- first CONNECT (agent and queue from that line), ended at its last terminal event.
CREATE TEMP TABLE ql_calls AS
SELECT callid,
       min(event_time) FILTER (event = 'ENTERQUEUE') AS offered_at,
       min(event_time) FILTER (event = 'CONNECT') AS answered_at,
       arg_min(agent, (event_time, _pos)) FILTER (event = 'CONNECT') AS agent_id,
       coalesce(arg_min(queue, (event_time, _pos)) FILTER (event = 'CONNECT'),
                arg_min(queue, (event_time, _pos)) FILTER (event = 'ENTERQUEUE')) AS queue,
       max(event_time) FILTER (event IN ('COMPLETECALLER', 'COMPLETEAGENT', 'TRANSFER', 'BLINDTRANSFER', 'ATTENDEDTRANSFER',
                                 'ABANDON', 'EXITWITHTIMEOUT', 'EXITEMPTY', 'EXITWITHKEY')) AS ended_at,
       max(event_time) FILTER (event IN ('ENTERQUEUE', 'CONNECT')) AS last_active,
       arg_min(_file, (event_time, _pos)) FILTER (event = 'ENTERQUEUE') AS _file,
       arg_min(_line, (event_time, _pos)) FILTER (event = 'ENTERQUEUE') AS _line,
       arg_min(_raw, (event_time, _pos)) FILTER (event = 'ENTERQUEUE') AS _raw
FROM ql
WHERE callid IS NOT NULL AND upper(callid) NOT IN ('NONE', 'REALTIME')
GROUP BY callid;

-- A call with no terminal event since it last entered a queue or connected is still in progress.
CREATE TEMP TABLE pivot_calls AS
SELECT _file, _line, _raw, callid AS call_id, offered_at, answered_at, ended_at, agent_id, queue
FROM ql_calls
WHERE offered_at IS NOT NULL AND ended_at >= last_active;

-- Agent sessions: ADDMEMBER...REMOVEMEMBER (per queue), AGENTLOGIN...AGENTLOGOFF and
-- AGENTCALLBACKLOGIN...AGENTCALLBACKLOGOFF. An opening event after an opening one does not open a
-- second session; the first closing event ends it; PAUSE is not a logoff.
CREATE TEMP TABLE ql_marks AS
SELECT agent,
       CASE WHEN event IN ('ADDMEMBER', 'REMOVEMEMBER') THEN queue ELSE '' END AS scope,
       CASE WHEN event IN ('ADDMEMBER', 'REMOVEMEMBER') THEN 'member'
            WHEN event IN ('AGENTLOGIN', 'AGENTLOGOFF') THEN 'agent' ELSE 'callback' END AS kind,
       event IN ('ADDMEMBER', 'AGENTLOGIN', 'AGENTCALLBACKLOGIN') AS opens,
       event_time, _pos, _file, _line, _raw
FROM ql
WHERE event IN ('ADDMEMBER', 'REMOVEMEMBER', 'AGENTLOGIN', 'AGENTLOGOFF', 'AGENTCALLBACKLOGIN', 'AGENTCALLBACKLOGOFF')
  AND agent IS NOT NULL AND upper(agent) <> 'NONE';

CREATE TEMP TABLE ql_sessions AS
WITH marked AS (
    SELECT *, opens AND (lag(opens) OVER w) IS NOT TRUE AS starts
    FROM ql_marks WINDOW w AS (PARTITION BY agent, scope, kind ORDER BY (event_time, _pos))),
numbered AS (
    SELECT *, sum(starts::INTEGER) OVER (
        PARTITION BY agent, scope, kind ORDER BY event_time, _pos ROWS UNBOUNDED PRECEDING) AS n
    FROM marked)
SELECT agent, scope, kind,
       min(event_time) FILTER (opens) AS login_at,
       min(event_time) FILTER (NOT opens) AS logout_at,
       arg_min(_file, (event_time, _pos)) FILTER (opens) AS _file,
       arg_min(_line, (event_time, _pos)) FILTER (opens) AS _line,
       arg_min(_raw, (event_time, _pos)) FILTER (opens) AS _raw
FROM numbered
WHERE n > 0
GROUP BY agent, scope, kind, n;

-- A session still open at the end of the files is not loaded yet.
CREATE TEMP TABLE pivot_agent_sessions AS
SELECT _file, _line, _raw,
       kind || ':' || agent || CASE WHEN scope <> '' THEN '@' || scope ELSE '' END || ':' || epoch(login_at)::BIGINT
           AS session_id,
       agent AS agent_id, 'phone' AS channel, login_at, logout_at
FROM ql_sessions
WHERE logout_at IS NOT NULL;

CREATE TEMP TABLE pivot_steps AS
          SELECT 'duplicate_lines' AS step, (SELECT sum(_repeats) FROM ql_first) AS n
UNION ALL SELECT 'ids_without_enterqueue', count(*) FROM ql_calls WHERE offered_at IS NULL
UNION ALL SELECT 'calls_in_progress', count(*) FROM ql_calls
          WHERE offered_at IS NOT NULL AND (ended_at IS NULL OR ended_at < last_active)
UNION ALL SELECT 'sessions_still_open', count(*) FROM ql_sessions WHERE logout_at IS NULL;

DROP TABLE ql_lines; DROP TABLE ql_first; DROP TABLE ql; DROP TABLE ql_calls; DROP TABLE ql_marks; DROP TABLE ql_sessions;
