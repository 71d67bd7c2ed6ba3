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
  /** When it was sent, in ms after the run started. */
  atMs: number;
}

/** What a serial device put on the wire: a temperature (as text) or a pass id. */
export interface SerialSent {
  kind: "reading" | "scan";
  value: string;
  atMs: number;
}

/** Every stored event has its seq and the gateway's time of it (epoch ms). */
export interface StoredEvent {
  seq: number;
  ts_ms: number;
}

export interface StoredRow extends StoredEvent {
  msg_id: string | null;
  checkpoint_id: string;
  device_id: string;
}

export interface Recording {
  gatewayId: string;
  /** When the run started (epoch ms): the times below are ms after it. */
  startedAt: number;
  modes: Record<string, CheckpointMode>;
  sent: SentMessage[];
  stored: {
    readings: (StoredRow & { status: string; raw_c: number })[];
    scans: (StoredRow & { pass_id: string })[];
    passages: (StoredEvent & {
      reading_id: string | null;
      scan_id: string | null;
      decision: string;
      /** Comma-separated, as stored. */
      reasons: string;
    })[];
    /** Every alert change (alert_events), with the alert it belongs to. */
    alertChanges: (StoredEvent & { alert_id: string })[];
    alerts: { alert_id: string; kind: string; reading_id: string | null }[];
    deviceStatus: StoredEvent[];
    summaries: StoredEvent[];
    /** Halves still waiting for a partner after every window ended (must be none). */
    waitingHalves: number;
  };
  /** Event ids the district consumer received (duplicates included), with their kind. */
  upstream: { id: string; kind: string }[];
  /** Every message the kiosk channel carried, as sent. */
  kiosk: string[];
  /** Words that must never reach a kiosk: notes, usernames, full names, whole pass ids. */
  secrets: string[];
  /** The serial gate's devices and what they put on the wire (no acknowledgement on serial). */
  serial: { thermometer: string; reader: string; sent: SerialSent[] } | null;
  exits: { atMs: number; planned: boolean; detail: string }[];
  /** Guards' and the admin's requests: sent at `startMs`, answered at `atMs`. */
  actions: { what: string; status: number; allowed: number[]; startMs: number; atMs: number }[];
  /**
   * The faults the schedule caused, in order, for pointing at what preceded a violation;
   * `untilMs` is when the fault was over (the process up again, the cable back in).
   */
  faults: Fault[];
  /** The district side, when the run had one. */
  district?: DistrictRecording;
}

/** What a day's passages were, as a site's counts or a gateway's summary say. */
export interface DayCounts {
  passages: number;
  allowed: number;
  denied: number;
}

/**
 * The district side of a run (soak/district.ts): what its PostgreSQL held after the run, what
 * the hostile gateway account sent, and how the workers exited.
 */
export interface DistrictRecording {
  /** Each gateway's site in the district's registry. */
  sites: Record<string, string>;
  /** The hostile gateway account and the ids of its honest events. */
  hostile: { gatewayId: string; honestIds: string[] };
  /** Its forgeries: each payload begins with its marker (so a dead letter's start names it). */
  forgeries: { marker: string; kind: string; atMs: number }[];
  /** Every event row the district stored (passages, alert changes, device status, summaries). */
  stored: { id: string; gateway_id: string; kind: string }[];
  alerts: { gateway_id: string; alert_id: string; state: string }[];
  alertChanges: { id: string; gateway_id: string; alert_id: string }[];
  /** The state of each of the soak gateway's alerts in its own SQLite file. */
  gatewayAlertStates: Record<string, string>;
  /** The district's counts per site of each local day the run touched. */
  siteCounts: (DayCounts & { date: string; site_id: string })[];
  /** What each gateway says of those days (its summary). */
  gatewayCounts: (DayCounts & { date: string; gateway_id: string })[];
  /** The start of every dead letter's payload. */
  deadLetters: string[];
  exits: { atMs: number; planned: boolean; detail: string }[];
  /** Each answer the dashboard had from the API (status 0: none, the worker alive). */
  api: { atMs: number; route: string; status: number }[];
  /** Every alert id the API's pages gave after the run, in order. */
  apiAlertIds: string[];
}

export interface Fault {
  atMs: number;
  kind: string;
  untilMs: number;
}

/** Faults after which the serial devices must be read again (the port was closed). */
export const SERIAL_INTERRUPTIONS = ["sigterm", "sigkill", "serial_unplug"];

export interface Verdict {
  invariant: string;
  ok: boolean;
  /** How many held and how many broke it, and the first few that did. */
  detail: string;
  /** When the earliest violation that has a time happened (ms after the start), or null. */
  firstAtMs: number | null;
}

/** One violation: what broke, and when (ms after the start) when that is known. */
interface Broken {
  what: string;
  atMs?: number;
}

const sample = (items: readonly Broken[]) =>
  items.length === 0
    ? ""
    : ` (${items
        .slice(0, 3)
        .map((b) => b.what)
        .join(", ")}${items.length > 3 ? ", …" : ""})`;

function verdict(invariant: string, checked: number, broken: Broken[]): Verdict {
  const times = broken.flatMap((b) => (b.atMs === undefined ? [] : [b.atMs]));
  return {
    invariant,
    ok: broken.length === 0,
    detail: `${checked} checked, ${broken.length} broken${sample(broken)}`,
    firstAtMs: times.length > 0 ? Math.min(...times) : null,
  };
}

function counts<T>(items: readonly T[]): Map<T, number> {
  const map = new Map<T, number>();
  for (const item of items) map.set(item, (map.get(item) ?? 0) + 1);
  return map;
}

export function check(run: Recording): Verdict[] {
  const id = (seq: number) => `${run.gatewayId}:${seq}`;
  const since = (row: StoredEvent) => row.ts_ms - run.startedAt;
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
  const allEvents: StoredEvent[] = [
    ...stored.readings,
    ...stored.scans,
    ...stored.passages,
    ...stored.alertChanges,
    ...stored.deviceStatus,
    ...stored.summaries,
  ];
  const forwardable = new Map<string, StoredEvent>(
    [...stored.passages, ...stored.alertChanges, ...stored.deviceStatus, ...stored.summaries].map(
      (row) => [id(row.seq), row],
    ),
  );
  const received = new Set(run.upstream.map((m) => m.id));
  const storedIds = new Set(
    [...stored.readings, ...stored.scans, ...stored.passages].map((row) => id(row.seq)),
  );
  const shown = run.kiosk.flatMap((text) => {
    const message = JSON.parse(text) as { type?: string; data?: { id?: string; ts?: string } };
    return ["reading", "scan", "passage"].includes(message.type ?? "") && message.data?.id
      ? [{ id: message.data.id, ts: message.data.ts }]
      : [];
  });

  const readingDecided = (row: StoredRow) => {
    const n = passagesByReading.get(id(row.seq)) ?? 0;
    return run.modes[row.checkpoint_id] === "pass_only" ? n === 0 : n === 1;
  };
  const scanDecided = (row: StoredRow) => {
    const n = passagesByScan.get(id(row.seq)) ?? 0;
    // At a temperature_only gate a scan is attached to a reading's passage or to none.
    return run.modes[row.checkpoint_id] === "temperature_only" ? n <= 1 : n === 1;
  };
  // A write the disk cannot take is answered 503 (README): only while a request overlapped one.
  const fullDisks = run.faults.filter((f) => f.kind === "full_disk");
  const duringFullDisk = (a: { startMs: number; atMs: number }) =>
    fullDisks.some((f) => a.startMs <= f.untilMs && a.atMs >= f.atMs);
  const event = (kind: string) => (row: StoredEvent) => ({
    what: `${kind} ${id(row.seq)}`,
    atMs: since(row),
  });
  const verdicts = [
    verdict(
      "every acknowledged reading and scan stored exactly once",
      acked.length,
      acked
        .filter((m) => storedMsgIds.get(m.msgId) !== 1)
        .map((m) => ({ what: m.msgId, atMs: m.atMs })),
    ),
    verdict(
      "nothing stored that no device sent",
      storedMsgIds.size,
      [...stored.readings, ...stored.scans]
        .filter((row) => row.msg_id !== null && !sentIds.has(row.msg_id))
        .map((row) => ({ what: row.msg_id ?? "", atMs: since(row) })),
    ),
    verdict(
      "everything a screen was shown as stored is stored",
      shown.length,
      shown
        .filter((s) => !storedIds.has(s.id))
        .map((s) => ({
          what: s.id,
          ...(s.ts ? { atMs: Date.parse(s.ts) - run.startedAt } : {}),
        })),
    ),
    verdict(
      "every reading and scan decided as docs/contract.md#screening-and-decisions says (its passage; lone halves at window end)",
      stored.readings.length + stored.scans.length + 1,
      [
        ...stored.readings.filter((r) => !readingDecided(r)).map(event("reading")),
        ...stored.scans.filter((s) => !scanDecided(s)).map(event("scan")),
        ...(stored.waitingHalves > 0
          ? [{ what: `${stored.waitingHalves} halves still waiting` }]
          : []),
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
        .map(event("passage")),
    ),
    verdict(
      "every fever reading has its fever alert",
      fevers.length,
      fevers.filter((r) => feverAlerts.get(id(r.seq)) !== 1).map(event("reading")),
    ),
    verdict(
      "every id names one event, across all restarts",
      allEvents.length,
      [...groupBy(allEvents, (row) => row.seq)]
        .filter(([, rows]) => rows.length > 1)
        .map(([seq, rows]) => ({
          what: id(seq),
          atMs: Math.max(...rows.map(since)),
        })),
    ),
    verdict(
      "upstream: every forwardable event arrived (once after dedupe on id)",
      forwardable.size,
      [...forwardable]
        .filter(([eventId]) => !received.has(eventId))
        .map(([eventId, row]) => ({ what: eventId, atMs: since(row) })),
    ),
    verdict(
      "upstream: nothing arrived that was not stored",
      received.size,
      [...received].filter((eventId) => !forwardable.has(eventId)).map((what) => ({ what })),
    ),
    verdict(
      "the kiosk channel never carried a note, a username, a whole name or pass id",
      run.kiosk.length,
      run.kiosk.flatMap((message) =>
        run.secrets
          .filter((secret) => message.includes(secret))
          .map((secret) => {
            const ts = (JSON.parse(message) as { data?: { ts?: string } }).data?.ts;
            return { what: secret, ...(ts ? { atMs: Date.parse(ts) - run.startedAt } : {}) };
          }),
      ),
    ),
    verdict(
      "no process exit the schedule did not cause",
      run.exits.length,
      run.exits.filter((e) => !e.planned).map((e) => ({ what: e.detail, atMs: e.atMs })),
    ),
    verdict(
      "every guard and admin action answered 2xx or its documented 4xx (503 only on a full disk)",
      run.actions.length,
      run.actions
        .filter((a) => !a.allowed.includes(a.status) && !(a.status === 503 && duringFullDisk(a)))
        .map((a) => ({ what: `${a.what} ${a.status}`, atMs: a.atMs })),
    ),
  ];
  if (run.serial) verdicts.push(...checkSerial(run, run.serial));
  if (run.district) verdicts.push(...checkDistrict(run.district, forwardable, since));
  return verdicts;
}

/**
 * Serial has no acknowledgement: a frame sent while the gateway was down or the cable out is
 * not promised. What is: nothing stored that was not on the wire, and the devices read again
 * after every restart and every time the cable went back in.
 */
function checkSerial(run: Recording, serial: NonNullable<Recording["serial"]>): Verdict[] {
  const onWire = (kind: SerialSent["kind"]) =>
    new Set(serial.sent.filter((s) => s.kind === kind).map((s) => s.value));
  const temperatures = onWire("reading");
  const passIds = onWire("scan");
  const readings = run.stored.readings.filter((r) => r.device_id === serial.thermometer);
  const scans = run.stored.scans.filter((s) => s.device_id === serial.reader);
  const since = (row: StoredEvent) => row.ts_ms - run.startedAt;
  const interruptions = run.faults.filter((f) => SERIAL_INTERRUPTIONS.includes(f.kind));
  return [
    verdict(
      "serial: nothing stored that the devices did not put on the wire",
      readings.length + scans.length,
      [
        ...readings
          .filter((r) => !temperatures.has(String(r.raw_c)))
          .map((r) => ({ what: `reading ${r.raw_c}`, atMs: since(r) })),
        ...scans
          .filter((s) => !passIds.has(s.pass_id))
          .map((s) => ({ what: `scan ${s.pass_id}`, atMs: since(s) })),
      ],
    ),
    verdict(
      "serial: read again after every restart and every cable pulled",
      interruptions.length,
      interruptions
        .filter((f) => !readings.some((r) => since(r) >= f.untilMs))
        .map((f) => ({ what: `${f.kind} at ${Math.round(f.atMs / 1000)} s`, atMs: f.untilMs })),
    ),
  ];
}

/** Whether an event or alert id is one of `gatewayId`'s own (`<gateway_id>:<seq>`). */
const ownedBy = (eventId: string, gatewayId: string) =>
  eventId.slice(0, eventId.lastIndexOf(":")) === gatewayId;

/**
 * The district's promises (docs/fleet.md#what-one-gateways-password-can-do): what the outbox
 * handed over is stored once and nothing else is; no gateway changes another's alert; a site's
 * counts are its own gateways'; every forgery is kept as a dead letter; no worker dies unplanned.
 */
function checkDistrict(
  district: DistrictRecording,
  forwardable: Map<string, StoredEvent>,
  since: (row: StoredEvent) => number,
): Verdict[] {
  const stored = counts(district.stored.map((row) => row.id));
  const sent = new Set([...forwardable.keys(), ...district.hostile.honestIds]);
  const at = (eventId: string) => {
    const row = forwardable.get(eventId);
    return row ? { atMs: since(row) } : {};
  };
  const key = (c: { date: string; site_id: string }) => `${c.date} ${c.site_id}`;
  const expected = new Map<string, DayCounts & { date: string; site_id: string }>();
  for (const g of district.gatewayCounts) {
    const site_id = district.sites[g.gateway_id] ?? "?";
    const sum = expected.get(key({ date: g.date, site_id })) ?? {
      date: g.date,
      site_id,
      passages: 0,
      allowed: 0,
      denied: 0,
    };
    sum.passages += g.passages;
    sum.allowed += g.allowed;
    sum.denied += g.denied;
    expected.set(key(sum), sum);
  }
  const actual = new Map(district.siteCounts.map((c) => [key(c), c]));
  const sameCounts = (a: DayCounts | undefined, b: DayCounts | undefined) =>
    (a?.passages ?? 0) === (b?.passages ?? 0) &&
    (a?.allowed ?? 0) === (b?.allowed ?? 0) &&
    (a?.denied ?? 0) === (b?.denied ?? 0);
  const siteDays = new Set([...expected.keys(), ...actual.keys()]);
  const dead = district.deadLetters.join("\n");
  const apiAlerts = counts(district.apiAlertIds);
  const storedAlerts = new Set(district.alerts.map((a) => a.alert_id));
  return [
    verdict(
      "district: every event a gateway's outbox handed over stored once",
      sent.size,
      [...sent]
        .filter((eventId) => stored.get(eventId) !== 1)
        .map((eventId) => ({ what: `${eventId} x${stored.get(eventId) ?? 0}`, ...at(eventId) })),
    ),
    verdict(
      "district: nothing stored that its gateway did not send",
      district.stored.length,
      district.stored
        .filter((row) => !sent.has(row.id) || !ownedBy(row.id, row.gateway_id))
        .map((row) => ({ what: `${row.kind} ${row.id} of ${row.gateway_id}` })),
    ),
    verdict(
      "district: no alert's state changed by another gateway",
      district.alerts.length + district.alertChanges.length,
      [
        ...district.alertChanges
          .filter((c) => !ownedBy(c.alert_id, c.gateway_id))
          .map((c) => ({ what: `change ${c.id} of ${c.gateway_id} on ${c.alert_id}` })),
        ...district.alerts
          .filter((a) => {
            const own = district.gatewayAlertStates[a.alert_id];
            return !ownedBy(a.alert_id, a.gateway_id) || (own !== undefined && own !== a.state);
          })
          .map((a) => ({
            what: `${a.alert_id} ${a.state} (its gateway: ${district.gatewayAlertStates[a.alert_id] ?? "none"})`,
          })),
      ],
    ),
    verdict(
      "district: every site's daily counts are the sum of its own gateways' summaries",
      siteDays.size,
      [...siteDays]
        .filter((day) => !sameCounts(expected.get(day), actual.get(day)))
        .map((day) => ({
          what: `${day}: ${actual.get(day)?.passages ?? 0} counted, ${expected.get(day)?.passages ?? 0} by its gateways`,
        })),
    ),
    verdict(
      "district: nothing refused is lost silently (every forgery a dead letter)",
      district.forgeries.length,
      district.forgeries
        .filter((f) => !dead.includes(f.marker))
        .map((f) => ({ what: `${f.kind} ${f.marker}`, atMs: f.atMs })),
    ),
    verdict(
      "district: the API answered every dashboard request (200, or 503 while PostgreSQL was away)",
      district.api.length,
      district.api
        .filter((a) => a.status !== 200 && a.status !== 503)
        .map((a) => ({ what: `${a.route} ${a.status}`, atMs: a.atMs })),
    ),
    verdict(
      "district: the API's alert pages give every stored alert once",
      district.alerts.length,
      [...new Set([...district.alerts.map((a) => a.alert_id), ...district.apiAlertIds])]
        .filter((id) => apiAlerts.get(id) !== 1 || !storedAlerts.has(id))
        .map((id) => ({ what: `${id} x${apiAlerts.get(id) ?? 0} in the API's pages` })),
    ),
    verdict(
      "district: no worker exits unplanned",
      district.exits.length,
      district.exits.filter((e) => !e.planned).map((e) => ({ what: e.detail, atMs: e.atMs })),
    ),
  ];
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

/** The fault that came last before `atMs` (to replay a violation), or null. */
export function faultBefore(run: Recording, atMs: number): Fault | null {
  return [...run.faults].reverse().find((fault) => fault.atMs <= atMs) ?? null;
}
