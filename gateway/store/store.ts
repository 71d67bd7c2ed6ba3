import { messageOf } from "../../common/log.js";
import { dayBounds, dayStartMs, localDate, nextDate } from "../../common/time.js";
import { AccountRepository } from "./accounts.js";
import { AlertRepository } from "./alerts.js";
import { AuditRepository } from "./audit.js";
import { BrokerSessionsRepository } from "./broker-sessions.js";
import { type CheckpointCounts, countsSince } from "./counts.js";
import { type Db, openDatabase, refreshPlannerStatistics } from "./database.js";
import { DecisionStateRepository } from "./decision-state.js";
import { DeviceStatusRepository } from "./device-status.js";
import { isStorageFailure } from "./failures.js";
import { FileIdentity } from "./file-identity.js";
import { EventJournal } from "./journal.js";
import { OutboxRepository } from "./outbox.js";
import { PassageRepository } from "./passages.js";
import { PassRepository } from "./passes.js";
import { ReadingRepository } from "./readings.js";
import { ScanRepository } from "./scans.js";
import {
  countDay,
  type DailyCheckpointSummary,
  type DeviceDowntime,
  deletePersonalData,
  devicesDowntime,
  lastReportedSummary,
  oldestPersonalMs,
  recordSummaryReport,
  storeDailyCounts,
  storedDailyCounts,
  summaryReported,
} from "./summary.js";
import { UpstreamConnectionsRepository } from "./upstream-connections.js";

/** The local store: one SQLite file and the repositories over it. Only `store/` sees SQLite. */
export class Store {
  readonly journal: EventJournal;
  readonly readings: ReadingRepository;
  readonly scans: ScanRepository;
  readonly deviceStatus: DeviceStatusRepository;
  readonly accounts: AccountRepository;
  readonly passes: PassRepository;
  readonly passages: PassageRepository;
  readonly alerts: AlertRepository;
  readonly outbox: OutboxRepository;
  readonly audit: AuditRepository;
  readonly decisionState: DecisionStateRepository;
  readonly brokerSessions: BrokerSessionsRepository;
  readonly upstreamConnections: UpstreamConnectionsRepository;
  /** The last write that failed, until one succeeds again. */
  private writeFailure: { message: string; atMs: number } | null = null;

  private constructor(
    private readonly db: Db,
    gatewayId: string,
    private readonly file: FileIdentity,
  ) {
    this.journal = new EventJournal(db, gatewayId);
    this.readings = new ReadingRepository(db, this.journal);
    this.scans = new ScanRepository(db, this.journal);
    this.deviceStatus = new DeviceStatusRepository(db, this.journal);
    this.accounts = new AccountRepository(db);
    this.passes = new PassRepository(db);
    this.passages = new PassageRepository(db, this.journal);
    this.alerts = new AlertRepository(db, this.journal);
    this.outbox = new OutboxRepository(db);
    this.audit = new AuditRepository(db);
    this.decisionState = new DecisionStateRepository(db);
    this.brokerSessions = new BrokerSessionsRepository(db);
    this.upstreamConnections = new UpstreamConnectionsRepository(db);
  }

  static open(path: string, gatewayId: string): Store {
    const db = openDatabase(path);
    return new Store(db, gatewayId, new FileIdentity(path));
  }

  /**
   * Runs `write` in one transaction (the journal's: see journal.ts). If it throws, nothing of
   * it is stored and the seq numbers it took are not reused (a gap is harmless, a repeat is not).
   * A database file that is gone or replaced refuses the write: committing into it would
   * acknowledge what the next start cannot see.
   */
  writeBatch<T>(write: () => T): T {
    try {
      const problem = this.file.problem();
      if (problem) throw new Error(`${problem}: nothing is stored until the gateway is restarted`);
      const result = this.journal.transaction(write);
      this.writeFailure = null;
      return result;
    } catch (error) {
      if (isStorageFailure(error))
        this.writeFailure = { message: messageOf(error), atMs: Date.now() };
      throw error;
    }
  }

  /** Whether writes succeed: the last write's failure (until one succeeds), or the file's fate. */
  writeHealth(): { ok: boolean; error: string | null } {
    const problem = this.file.problem();
    if (problem) return { ok: false, error: problem };
    if (this.writeFailure) return { ok: false, error: this.writeFailure.message };
    return { ok: true, error: null };
  }

  /**
   * Copies the database to `target` through the gateway's own connection, a few hundred pages at
   * a time between its other work: its own writes meanwhile go into the copy as it is made (a
   * second connection's backup would start over at each of the gateway's commits), and no step
   * holds the gateway up for long. The copy is one consistent moment.
   */
  async backupTo(target: string): Promise<void> {
    await this.db.backup(target, { progress: () => 500 });
  }

  countsSince(fromMs: number): CheckpointCounts[] {
    return countsSince(this.db, fromMs);
  }

  /** A day's counts per checkpoint: kept aggregates for days retention has cleared, else counted. */
  dailySummary(date: string, timeZone: string): DailyCheckpointSummary[] {
    const stored = storedDailyCounts(this.db, date);
    if (stored) return stored;
    return countDay(this.db, ...dayBounds(date, timeZone));
  }

  /** Each device's downtime in [fromMs, toMs), by checkpoint id. */
  devicesDowntime(fromMs: number, toMs: number): Map<string, DeviceDowntime[]> {
    return devicesDowntime(this.db, fromMs, toMs);
  }

  /** Whether `date`'s summary has been queued upstream. */
  summaryReported(date: string): boolean {
    return summaryReported(this.db, date);
  }

  /** The newest date whose summary was queued upstream, or null. */
  lastReportedSummary(): string | null {
    return lastReportedSummary(this.db);
  }

  /**
   * Queues a day's summary upstream (docs/contract.md#upstream-the-district kind `summary`) and records that it was, in one
   * transaction. It takes a seq like any event, so its id `<gateway_id>:<seq>` is unique.
   */
  queueSummary(
    date: string,
    priority: number,
    nowMs: number,
    payload: (id: string, seq: number) => object,
  ): void {
    this.journal.transaction(() => {
      const seq = this.journal.nextSeq();
      recordSummaryReport(this.db, date, seq, nowMs);
      this.outbox.add(seq, "summary", priority, payload(this.journal.eventId(seq), seq), nowMs);
    });
  }

  /**
   * Retention: keeps each day's counts before personal data older than `cutoffMs` (a local
   * midnight) is deleted, all in one transaction.
   */
  applyRetention(
    cutoffMs: number,
    timeZone: string,
  ): { aggregated: string[]; deleted: Record<string, number> } {
    const result = this.db.transaction(() => {
      const aggregated: string[] = [];
      const oldest = oldestPersonalMs(this.db);
      if (oldest !== null && oldest < cutoffMs) {
        for (let day = localDate(oldest, timeZone); dayStartMs(day, timeZone) < cutoffMs; ) {
          storeDailyCounts(this.db, day, this.dailySummary(day, timeZone));
          aggregated.push(day);
          day = nextDate(day, timeZone);
        }
      }
      return { aggregated, deleted: deletePersonalData(this.db, cutoffMs) };
    })();
    // A day's deletions change the tables' shape; the daily run keeps the planner's view fresh.
    refreshPlannerStatistics(this.db);
    return result;
  }

  isHealthy(): boolean {
    try {
      return this.db.prepare("SELECT 1").pluck().get() === 1 && this.writeHealth().ok;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
