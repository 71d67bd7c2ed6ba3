/**
 * Numbered schema migrations, applied in order inside one transaction each and recorded in
 * `PRAGMA user_version`. Never edit a released migration: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: readings, scans, device status, accounts and sessions.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

  -- Every event (reading, scan, device status, ...) is a row of its kind's table with a
  -- gateway-wide seq as its primary key (docs/contract.md#identity-and-order); live clients resume by reading each table
  -- after their seq. Nothing is stored twice.
  CREATE TABLE readings (
    seq INTEGER PRIMARY KEY,
    ts_ms INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    temp_c REAL NOT NULL,
    raw_c REAL NOT NULL,
    ambient_c REAL,
    status TEXT NOT NULL,
    pass_id TEXT,
    msg_id TEXT
  ) STRICT;
  -- A QoS 1 redelivery carries the same msg_id: store it once.
  CREATE UNIQUE INDEX readings_device_msg ON readings (device_id, msg_id) WHERE msg_id IS NOT NULL;
  -- Paging is newest first by seq; each filter has an index that ends in seq.
  CREATE INDEX readings_checkpoint_seq ON readings (checkpoint_id, seq);
  CREATE INDEX readings_device_seq ON readings (device_id, seq);
  CREATE INDEX readings_status_seq ON readings (status, seq);
  CREATE INDEX readings_pass_seq ON readings (pass_id, seq) WHERE pass_id IS NOT NULL;
  CREATE INDEX readings_ts ON readings (ts_ms);

  CREATE TABLE scans (
    seq INTEGER PRIMARY KEY,
    ts_ms INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    pass_id TEXT NOT NULL,
    method TEXT NOT NULL,
    msg_id TEXT
  ) STRICT;
  CREATE UNIQUE INDEX scans_device_msg ON scans (device_id, msg_id) WHERE msg_id IS NOT NULL;
  CREATE INDEX scans_checkpoint_seq ON scans (checkpoint_id, seq);
  CREATE INDEX scans_pass_seq ON scans (pass_id, seq);

  CREATE TABLE device_status (
    seq INTEGER PRIMARY KEY,
    ts_ms INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    online INTEGER NOT NULL,
    reason TEXT
  ) STRICT;
  CREATE INDEX device_status_device_seq ON device_status (device_id, seq);
  CREATE INDEX device_status_checkpoint_seq ON device_status (checkpoint_id, seq);

  CREATE TABLE users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('guard', 'admin')),
    created_at_ms INTEGER NOT NULL
  ) STRICT;

  -- Only a hash of each token is kept, so a copy of the database logs nobody in.
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    expires_at_ms INTEGER NOT NULL
  ) STRICT;
  `,
  // 2: the pass registry (出入证) and passages.
  `
  CREATE TABLE passes (
    pass_id TEXT PRIMARY KEY,
    holder_name TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    valid_until_ms INTEGER,
    observation_until_ms INTEGER,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX passes_holder ON passes (holder_name);

  CREATE TABLE passages (
    seq INTEGER PRIMARY KEY,
    ts_ms INTEGER NOT NULL,
    checkpoint_id TEXT NOT NULL,
    pass_id TEXT,
    holder_name TEXT,
    reading_id TEXT,
    scan_id TEXT,
    temp_c REAL,
    decision TEXT NOT NULL CHECK (decision IN ('allow', 'deny')),
    reasons TEXT NOT NULL
  ) STRICT;
  CREATE INDEX passages_checkpoint_seq ON passages (checkpoint_id, seq);
  CREATE INDEX passages_decision_seq ON passages (decision, seq);
  CREATE INDEX passages_pass_seq ON passages (pass_id, seq) WHERE pass_id IS NOT NULL;
  CREATE INDEX passages_ts ON passages (ts_ms);
  `,
  // 3: alerts and their changes.
  `
  -- The current state of each alert; its id is the id of the event that opened it.
  CREATE TABLE alerts (
    alert_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    checkpoint_id TEXT,
    device_id TEXT,
    passage_id TEXT,
    reading_id TEXT,
    pass_id TEXT,
    temp_c REAL,
    opened_at_ms INTEGER NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at_ms INTEGER,
    resolved_by TEXT,
    resolved_at_ms INTEGER,
    disposition TEXT,
    confirm_temp_c REAL,
    note TEXT
  ) STRICT;
  CREATE INDEX alerts_state_seq ON alerts (state, seq);
  CREATE INDEX alerts_kind_seq ON alerts (kind, seq);
  CREATE INDEX alerts_checkpoint_seq ON alerts (checkpoint_id, seq);
  CREATE INDEX alerts_opened ON alerts (opened_at_ms);

  -- Every change of an alert is an event (docs/contract.md#live-push-websocket 'alert' when opened, 'alert_update' after).
  CREATE TABLE alert_events (
    seq INTEGER PRIMARY KEY,
    ts_ms INTEGER NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('alert', 'alert_update')),
    alert_id TEXT NOT NULL,
    checkpoint_id TEXT,
    snapshot TEXT NOT NULL
  ) STRICT;
  CREATE INDEX alert_events_checkpoint_seq ON alert_events (checkpoint_id, seq);
  `,
  // 4: the outbox to the district server (docs/contract.md#upstream-the-district).
  `
  -- An event waiting for the upstream broker's PUBACK; written in the transaction that stores
  -- the event, deleted only once acknowledged. Lower priority numbers go first.
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY,
    priority INTEGER NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX outbox_priority_seq ON outbox (priority, seq);
  `,
  // 5: the audit log: who did what, when. Append-only.
  `
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    details TEXT,
    address TEXT
  ) STRICT;
  CREATE INDEX audit_actor_id ON audit (actor, id);
  CREATE INDEX audit_action_id ON audit (action, id);
  CREATE INDEX audit_ts ON audit (ts_ms);
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
  // 6: daily aggregates, kept after retention deletes the personal data they were counted from.
  `
  CREATE TABLE daily_counts (
    date TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    passages INTEGER NOT NULL,
    allowed INTEGER NOT NULL,
    denied INTEGER NOT NULL,
    denied_by_reason TEXT NOT NULL,
    fevers INTEGER NOT NULL,
    lows INTEGER NOT NULL,
    PRIMARY KEY (date, checkpoint_id)
  ) STRICT;
  `,
  // 7: the admin log filtered to one device over a time range (issue 6's benchmark).
  `
  CREATE INDEX readings_device_ts ON readings (device_id, ts_ms);
  `,
  // 8: hourly counts kept with the daily ones; the days whose summary went upstream.
  `
  ALTER TABLE daily_counts ADD COLUMN hours TEXT NOT NULL DEFAULT '[]';
  CREATE TABLE summary_reports (
    date TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL
  ) STRICT;
  `,
  // 9: a passage's detail page: its alerts and each alert's changes.
  `
  CREATE INDEX alerts_passage ON alerts (passage_id) WHERE passage_id IS NOT NULL;
  CREATE INDEX alerts_reading ON alerts (reading_id) WHERE reading_id IS NOT NULL;
  CREATE INDEX alert_events_alert_seq ON alert_events (alert_id, seq);
  `,
  // 10: one transaction per arrival. What the decisions remember between messages (halves
  // waiting for their partner, runs of lows) is written in the transaction of the message that
  // changed it; the outbox's depth is kept by triggers in the transactions that add and delete
  // its rows, so reading it costs one row however long the queue.
  `
  CREATE TABLE decision_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  CREATE TABLE outbox_depth (id INTEGER PRIMARY KEY CHECK (id = 1), depth INTEGER NOT NULL) STRICT;
  INSERT INTO outbox_depth (id, depth) SELECT 1, count(*) FROM outbox;
  CREATE TRIGGER outbox_depth_add AFTER INSERT ON outbox
    BEGIN UPDATE outbox_depth SET depth = depth + 1 WHERE id = 1; END;
  CREATE TRIGGER outbox_depth_remove AFTER DELETE ON outbox
    BEGIN UPDATE outbox_depth SET depth = depth - 1 WHERE id = 1; END;
  `,
  // 11: a device whose clock is far off: its message is stored with the gateway's time, and
  // the time it sent is kept beside it.
  `
  ALTER TABLE readings ADD COLUMN device_ts_ms INTEGER;
  ALTER TABLE scans ADD COLUMN device_ts_ms INTEGER;
  `,
  // 12: the logs in the order things happened (their time, seq breaking ties), not the order
  // they arrived: every filter's index ends in the time (SQLite puts the rowid, seq, after it),
  // so a page is still one index range scan. (checkpoint_id, seq) stays for a kiosk's replay;
  // readings (device_id, ts_ms) exists already; alerts' key is alert_id, so seq is named.
  `
  DROP INDEX readings_status_seq;
  CREATE INDEX readings_status_ts ON readings (status, ts_ms);
  DROP INDEX readings_pass_seq;
  CREATE INDEX readings_pass_ts ON readings (pass_id, ts_ms) WHERE pass_id IS NOT NULL;
  DROP INDEX readings_device_seq;
  CREATE INDEX readings_checkpoint_ts ON readings (checkpoint_id, ts_ms);
  DROP INDEX passages_decision_seq;
  CREATE INDEX passages_decision_ts ON passages (decision, ts_ms);
  DROP INDEX passages_pass_seq;
  CREATE INDEX passages_pass_ts ON passages (pass_id, ts_ms) WHERE pass_id IS NOT NULL;
  CREATE INDEX passages_checkpoint_ts ON passages (checkpoint_id, ts_ms);
  DROP INDEX alerts_state_seq;
  CREATE INDEX alerts_state_opened ON alerts (state, opened_at_ms, seq);
  DROP INDEX alerts_kind_seq;
  CREATE INDEX alerts_kind_opened ON alerts (kind, opened_at_ms, seq);
  DROP INDEX alerts_checkpoint_seq;
  CREATE INDEX alerts_checkpoint_opened ON alerts (checkpoint_id, opened_at_ms, seq);
  DROP INDEX alerts_opened;
  CREATE INDEX alerts_opened_seq ON alerts (opened_at_ms, seq);
  `,
  // 13: a network terminal's own verdict (over temperature, mask), kept beside the gateway's.
  `
  ALTER TABLE readings ADD COLUMN terminal_verdict TEXT;
  `,
];
