/**
 * The district's schema as numbered migrations (docs/fleet.md#the-district-workers-every-gateway-into-postgresql),
 * applied in order by `DistrictStore.migrate`, each in its own transaction; never edited once
 * released, only added to.
 */
export const MIGRATIONS: string[] = [
  // 1: the district's tables.
  `
  CREATE TABLE gateways (
    gateway_id text PRIMARY KEY,
    site_id text NOT NULL,
    online boolean,
    status_at timestamptz,
    last_event_at timestamptz
  );
  CREATE TABLE passages (
    id text NOT NULL,
    gateway_id text NOT NULL,
    site_id text NOT NULL,
    seq bigint NOT NULL,
    ts timestamptz NOT NULL,
    checkpoint_id text,
    decision text,
    reasons text,
    temp_c real,
    data jsonb NOT NULL,
    PRIMARY KEY (id, ts)
  ) PARTITION BY RANGE (ts);
  CREATE INDEX passages_site_ts ON passages (site_id, ts);
  CREATE TABLE readings (
    id text NOT NULL,
    gateway_id text NOT NULL,
    site_id text NOT NULL,
    seq bigint NOT NULL,
    ts timestamptz NOT NULL,
    checkpoint_id text,
    status text,
    temp_c real,
    data jsonb NOT NULL,
    PRIMARY KEY (id, ts)
  ) PARTITION BY RANGE (ts);
  CREATE INDEX readings_site_ts ON readings (site_id, ts);
  CREATE TABLE scans (
    id text PRIMARY KEY,
    gateway_id text NOT NULL,
    site_id text NOT NULL,
    seq bigint NOT NULL,
    ts timestamptz,
    data jsonb NOT NULL
  );
  CREATE TABLE alert_changes (
    id text PRIMARY KEY,
    alert_id text NOT NULL,
    gateway_id text NOT NULL,
    site_id text NOT NULL,
    seq bigint NOT NULL,
    ts timestamptz,
    data jsonb NOT NULL
  );
  CREATE TABLE alerts (
    alert_id text PRIMARY KEY,
    gateway_id text NOT NULL,
    site_id text NOT NULL,
    kind text NOT NULL,
    state text NOT NULL,
    checkpoint_id text,
    device_id text,
    temp_c real,
    opened_at timestamptz,
    last_seq bigint NOT NULL,
    data jsonb NOT NULL
  );
  CREATE INDEX alerts_open ON alerts (kind, site_id) WHERE state <> 'resolved';
  CREATE TABLE device_status (
    id text PRIMARY KEY,
    gateway_id text NOT NULL,
    site_id text NOT NULL,
    seq bigint NOT NULL,
    ts timestamptz,
    data jsonb NOT NULL
  );
  CREATE TABLE summaries (
    id text PRIMARY KEY,
    gateway_id text NOT NULL,
    site_id text NOT NULL,
    seq bigint NOT NULL,
    date text,
    data jsonb NOT NULL
  );
  `,
  // 2: the district console: its accounts, their sessions, the audit of exports.
  `
  CREATE TABLE district_users (
    username text PRIMARY KEY,
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('viewer', 'admin')),
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE district_sessions (
    token_hash text PRIMARY KEY,
    username text NOT NULL REFERENCES district_users ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
  );
  CREATE TABLE district_audit (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    action text NOT NULL,
    details jsonb
  );
  `,
  // 3: the daily report and today's counts read a day of passages from this index alone
  // (bench: a day of 166,666 passages among 10,000,000 went from 269 ms to the figure in
  // docs/fleet.md).
  `
  CREATE INDEX passages_day ON passages (ts) INCLUDE (site_id, decision, reasons);
  `,
  // 4: each gateway's outbox as its status last said (how far behind its reports are).
  `
  ALTER TABLE gateways ADD COLUMN queue_depth integer, ADD COLUMN queue_age_s integer;
  `,
  // 5: what the district refused (too large, out of its time window, a NUL, a type its columns
  // do not take, or refused by PostgreSQL when written alone), kept with why: nothing refused is
  // dropped silently. Bounded: the newest `limits.dead_letters_kept`.
  `
  CREATE TABLE dead_letters (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    gateway_id text NOT NULL,
    site_id text NOT NULL,
    topic text NOT NULL,
    reason text NOT NULL,
    payload text NOT NULL
  );
  CREATE INDEX dead_letters_gateway ON dead_letters (gateway_id, id);
  `,
  // 6: where the gateway's status in force stands among its statuses (rows.ts StatusOrder): a
  // will committed first is not overwritten by the status it overtook.
  `
  ALTER TABLE gateways ADD COLUMN status_connection bigint, ADD COLUMN status_n bigint;
  `,
  // 7: the registry of gateways (docs/fleet.md#the-registry-of-gateways): a gateway's site is
  // the registry's, not what its topic says; events of gateways it does not know are kept apart
  // until an admin assigns them. The gateways seen so far are registered to the sites they
  // named. Alerts are keyed by gateway and alert id, and an alert row another gateway made by
  // naming it (before ids were checked) is moved to the dead letters.
  `
  CREATE TABLE sites (
    site_id text PRIMARY KEY,
    name text NOT NULL
  );
  CREATE TABLE registry (
    gateway_id text PRIMARY KEY,
    site_id text NOT NULL REFERENCES sites,
    enabled boolean NOT NULL DEFAULT true,
    changed_at timestamptz NOT NULL DEFAULT now(),
    changed_by text
  );
  INSERT INTO sites (site_id, name) SELECT DISTINCT site_id, site_id FROM gateways;
  INSERT INTO registry (gateway_id, site_id, changed_by)
    SELECT gateway_id, site_id, 'migration 7' FROM gateways;
  CREATE TABLE quarantine (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    gateway_id text NOT NULL,
    site_id text NOT NULL,
    kind text NOT NULL,
    row jsonb NOT NULL
  );
  CREATE INDEX quarantine_gateway ON quarantine (gateway_id, id);
  CREATE UNIQUE INDEX quarantine_status ON quarantine (gateway_id) WHERE kind = 'status';
  WITH forged AS (
    DELETE FROM alerts WHERE left(alert_id, length(gateway_id) + 1) <> gateway_id || ':'
    RETURNING *
  )
  INSERT INTO dead_letters (gateway_id, site_id, topic, reason, payload)
    SELECT gateway_id, site_id, '', 'alert ' || alert_id || ' did not belong to ' || gateway_id || ' (migration 7)', data::text
    FROM forged;
  WITH forged AS (
    DELETE FROM alert_changes WHERE left(alert_id, length(gateway_id) + 1) <> gateway_id || ':'
    RETURNING *
  )
  INSERT INTO dead_letters (gateway_id, site_id, topic, reason, payload)
    SELECT gateway_id, site_id, '', 'change ' || id || ' named alert ' || alert_id || ', not one of ' || gateway_id || ' (migration 7)', data::text
    FROM forged;
  -- Each alert's state again from its own gateway's newest change (a forged change may have set it).
  UPDATE alerts a SET state = c.data->>'state', last_seq = c.seq, data = c.data
    FROM (SELECT DISTINCT ON (gateway_id, alert_id) gateway_id, alert_id, seq, data
          FROM alert_changes ORDER BY gateway_id, alert_id, seq DESC) c
    WHERE c.gateway_id = a.gateway_id AND c.alert_id = a.alert_id AND a.last_seq <> c.seq;
  ALTER TABLE alerts DROP CONSTRAINT alerts_pkey, ADD PRIMARY KEY (gateway_id, alert_id);
  `,
  // 8: the contract's API (docs/contract.md#the-district-centre): alerts newest first a page at a
  // time, each with its changes; a date's summaries; checkpoint names from the gateways'
  // summaries (a person reads names, ids after them); what retention deletes, by time.
  `
  CREATE INDEX alerts_opened ON alerts ((coalesce(opened_at, 'epoch')), gateway_id, alert_id);
  CREATE INDEX alert_changes_alert ON alert_changes (gateway_id, alert_id, seq);
  CREATE INDEX alert_changes_ts ON alert_changes (ts);
  CREATE INDEX summaries_date ON summaries (date, gateway_id, seq);
  CREATE INDEX scans_ts ON scans (ts);
  CREATE INDEX dead_letters_at ON dead_letters (at);
  CREATE INDEX quarantine_at ON quarantine (at);
  CREATE TABLE checkpoints (
    gateway_id text NOT NULL,
    checkpoint_id text NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (gateway_id, checkpoint_id)
  );
  INSERT INTO checkpoints (gateway_id, checkpoint_id, name)
    SELECT DISTINCT ON (s.gateway_id, c->>'checkpoint_id') s.gateway_id, c->>'checkpoint_id', c->>'name'
    FROM summaries s, jsonb_array_elements(CASE WHEN jsonb_typeof(s.data->'checkpoints') = 'array'
                                               THEN s.data->'checkpoints' ELSE '[]' END) c
    WHERE jsonb_typeof(c->'checkpoint_id') = 'string' AND jsonb_typeof(c->'name') = 'string'
    ORDER BY s.gateway_id, c->>'checkpoint_id', s.seq DESC;
  `,
];
