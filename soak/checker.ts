/**
 * The soak's checker (pure): what the outside saw of a run (what devices sent and had
 * acknowledged, the SQLite file read after it, what the district consumer received, what the
 * kiosks were shown, how the process exited, how guards' requests were answered) against the
 * promises of the README and SPEC. It never reads the gateway's own counters.
 */

export type CheckpointMode = "temperature_only" | "pass_and_temperature" | "pass_only";

export interface SentMessage {
  msgId: string;
  kind: "reading" | "scan";
  acked: boolean;
}

export interface StoredRow {
  seq: number;
  msg_id: string | null;
  checkpoint_id: string;
}

export interface Recording {
  gatewayId: string;
  modes: Record<string, CheckpointMode>;
  sent: SentMessage[];
  stored: {
    readings: (StoredRow & { status: string })[];
    scans: StoredRow[];
    passages: {
      seq: number;
      reading_id: string | null;
      scan_id: string | null;
      decision: string;
      /** Comma-separated, as stored. */
      reasons: string;
    }[];
    /** Every alert change (alert_events), with the alert it belongs to. */
    alertChanges: { seq: number; alert_id: string }[];
    alerts: { alert_id: string; kind: string; reading_id: string | null }[];
    deviceStatus: { seq: number }[];
    summaries: { seq: number }[];
    /** Halves still waiting for a partner after every window ended (must be none). */
    waitingHalves: number;
  };
  /** Event ids the district consumer received (duplicates included), with their kind. */
  upstream: { id: string; kind: string }[];
  /** Every message the kiosk channel carried, as sent. */
  kiosk: string[];
  /** Words that must never reach a kiosk: notes, usernames, full names, whole pass ids. */
  secrets: string[];
  exits: { atMs: number; planned: boolean; detail: string }[];
  actions: { what: string; status: number; allowed: number[] }[];
  /** The faults the schedule caused, in order, for pointing at what preceded a violation. */
  faults: { atMs: number; kind: string }[];
}

export interface Verdict {
  invariant: string;
  ok: boolean;
  /** How many held and how many broke it, and the first few that did. */
  detail: string;
}

const sample = (items: readonly string[]) =>
  items.length === 0 ? "" : ` (${items.slice(0, 3).join(", ")}${items.length > 3 ? ", …" : ""})`;

function verdict(invariant: string, checked: number, broken: string[]): Verdict {
  return {
    invariant,
    ok: broken.length === 0,
    detail: `${checked} checked, ${broken.length} broken${sample(broken)}`,
  };
}

function counts<T>(items: readonly T[]): Map<T, number> {
  const map = new Map<T, number>();
  for (const item of items) map.set(item, (map.get(item) ?? 0) + 1);
  return map;
}

export function check(run: Recording): Verdict[] {
  const id = (seq: number) => `${run.gatewayId}:${seq}`;
  const { stored } = run;
  const storedMsgIds = counts(
    [...stored.readings, ...stored.scans].flatMap((row) => (row.msg_id ? [row.msg_id] : [])),
  );
  const sentIds = new Set(run.sent.map((m) => m.msgId));
  const acked = run.sent.filter((m) => m.acked);
  const passagesByReading = counts(
    stored.passages.flatMap((p) => (p.reading_id ? [p.reading_id] : [])),
  );
  const passagesByScan = counts(stored.passages.flatMap((p) => (p.scan_id ? [p.scan_id] : [])));
  const feverAlerts = counts(
    stored.alerts
      .filter((a) => a.kind === "fever")
      .flatMap((a) => (a.reading_id ? [a.reading_id] : [])),
  );
  const fevers = stored.readings.filter((r) => r.status === "fever");
  const feverIds = new Set(fevers.map((r) => id(r.seq)));
  // Events and the seqs they hold: every id must name one event.
  const allSeqs = [
    ...stored.readings,
    ...stored.scans,
    ...stored.passages,
    ...stored.alertChanges,
    ...stored.deviceStatus,
    ...stored.summaries,
  ].map((row) => row.seq);
  const forwardable = new Set([
    ...stored.passages.map((p) => id(p.seq)),
    ...stored.alertChanges.map((c) => id(c.seq)),
    ...stored.deviceStatus.map((s) => id(s.seq)),
    ...stored.summaries.map((s) => id(s.seq)),
  ]);
  const received = new Set(run.upstream.map((m) => m.id));

  const readingDecided = (row: StoredRow) => {
    const n = passagesByReading.get(id(row.seq)) ?? 0;
    return run.modes[row.checkpoint_id] === "pass_only" ? n === 0 : n === 1;
  };
  const scanDecided = (row: StoredRow) => {
    const n = passagesByScan.get(id(row.seq)) ?? 0;
    // At a temperature_only gate a scan is attached to a reading's passage or to none.
    return run.modes[row.checkpoint_id] === "temperature_only" ? n <= 1 : n === 1;
  };
  return [
    verdict(
      "every acknowledged reading and scan stored exactly once",
      acked.length,
      acked.filter((m) => storedMsgIds.get(m.msgId) !== 1).map((m) => m.msgId),
    ),
    verdict(
      "nothing stored that no device sent",
      storedMsgIds.size,
      [...storedMsgIds.keys()].filter((msgId) => !sentIds.has(msgId)),
    ),
    verdict(
      "every reading and scan decided as SPEC 2 says (its passage; lone halves at window end)",
      stored.readings.length + stored.scans.length + 1,
      [
        ...stored.readings.filter((r) => !readingDecided(r)).map((r) => `reading ${id(r.seq)}`),
        ...stored.scans.filter((s) => !scanDecided(s)).map((s) => `scan ${id(s.seq)}`),
        ...(stored.waitingHalves > 0 ? [`${stored.waitingHalves} halves still waiting`] : []),
      ],
    ),
    verdict(
      "every passage decided by its reasons (hard: any reason denies; a fever is a reason)",
      stored.passages.length,
      stored.passages
        .filter((p) => {
          const reasons = p.reasons === "" ? [] : p.reasons.split(",");
          const wrongDecision = reasons.length > 0 !== (p.decision === "deny");
          const fever = p.reading_id !== null && feverIds.has(p.reading_id);
          return wrongDecision || (fever && !reasons.includes("fever"));
        })
        .map((p) => id(p.seq)),
    ),
    verdict(
      "every fever reading has its fever alert",
      fevers.length,
      fevers.filter((r) => feverAlerts.get(id(r.seq)) !== 1).map((r) => id(r.seq)),
    ),
    verdict(
      "every id names one event, across all restarts",
      allSeqs.length,
      [...counts(allSeqs)].filter(([, n]) => n > 1).map(([seq]) => id(seq)),
    ),
    verdict(
      "upstream: every forwardable event arrived (once after dedupe on id)",
      forwardable.size,
      [...forwardable].filter((eventId) => !received.has(eventId)),
    ),
    verdict(
      "upstream: nothing arrived that was not stored",
      received.size,
      [...received].filter((eventId) => !forwardable.has(eventId)),
    ),
    verdict(
      "the kiosk channel never carried a note, a username, a whole name or pass id",
      run.kiosk.length,
      run.kiosk.flatMap((message) => run.secrets.filter((secret) => message.includes(secret))),
    ),
    verdict(
      "no process exit the schedule did not cause",
      run.exits.length,
      run.exits.filter((e) => !e.planned).map((e) => e.detail),
    ),
    verdict(
      "every guard and admin action answered 2xx or its documented 4xx",
      run.actions.length,
      run.actions.filter((a) => !a.allowed.includes(a.status)).map((a) => `${a.what} ${a.status}`),
    ),
  ];
}

/** The fault that came last before `atMs` (to replay a violation), or null. */
export function faultBefore(run: Recording, atMs: number): { atMs: number; kind: string } | null {
  return [...run.faults].reverse().find((fault) => fault.atMs <= atMs) ?? null;
}
