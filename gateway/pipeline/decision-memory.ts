import type { LowsByPass } from "../domain/alert-rules.js";
import { NO_PENDING, type PairingState } from "../domain/pairing.js";
import type { DecisionStateRepository } from "../store/decision-state.js";

/**
 * What the decisions remember between messages: per checkpoint the halves waiting for their
 * partner and the current run of lows, and the recent lows per pass. Values are immutable, so
 * a change is a `set` of a new value.
 *
 * Durability: this state is *stored in the transaction* of the message that changed it
 * (`saveChanged` runs inside the batch's transaction, see recorder.ts) and loaded at start, so
 * after a crash it is exactly the state after the last committed message. When a transaction
 * fails, `undo` puts memory back as it was before it, which is again what the disk holds.
 */
export class DecisionMemory {
  private readonly values: Map<string, unknown>;
  /** Keys changed since the last save. */
  private readonly dirty = new Set<string>();
  /** For each key changed since `mark()`, its value before the first change. */
  private undoLog = new Map<string, unknown>();

  constructor(private readonly repository: DecisionStateRepository) {
    this.values = repository.load();
  }

  pairing(checkpointId: string): PairingState {
    return (this.values.get(`pairing:${checkpointId}`) as PairingState | undefined) ?? NO_PENDING;
  }

  setPairing(checkpointId: string, state: PairingState): void {
    const empty = state.readings.length === 0 && state.scans.length === 0;
    this.set(`pairing:${checkpointId}`, empty ? undefined : state);
  }

  /** Checkpoints with halves waiting for their partner. */
  waitingCheckpoints(): string[] {
    return [...this.values.keys()]
      .filter((key) => key.startsWith("pairing:"))
      .map((key) => key.slice("pairing:".length));
  }

  lowsInARow(checkpointId: string): number {
    return (this.values.get(`low_in_a_row:${checkpointId}`) as number | undefined) ?? 0;
  }

  setLowsInARow(checkpointId: string, count: number): void {
    this.set(`low_in_a_row:${checkpointId}`, count === 0 ? undefined : count);
  }

  lowsByPass(): LowsByPass {
    return (this.values.get("low_by_pass") as LowsByPass | undefined) ?? {};
  }

  setLowsByPass(lows: LowsByPass): void {
    this.set("low_by_pass", Object.keys(lows).length === 0 ? undefined : lows);
  }

  /** Times of a reader's recent unknown codes (see alert-rules.ts `unknownCodeAlert`). */
  unknownCodes(deviceId: string): readonly number[] {
    return (this.values.get(`unknown_codes:${deviceId}`) as number[] | undefined) ?? [];
  }

  setUnknownCodes(deviceId: string, times: readonly number[]): void {
    this.set(`unknown_codes:${deviceId}`, times.length === 0 ? undefined : times);
  }

  /** Starts a new undo point (before a transaction). */
  mark(): void {
    this.undoLog = new Map();
  }

  /** Puts back every value changed since `mark()`. */
  undo(): void {
    for (const [key, value] of this.undoLog) {
      if (value === undefined) this.values.delete(key);
      else this.values.set(key, value);
      this.dirty.delete(key);
    }
    this.undoLog = new Map();
  }

  /** Writes every changed key; call inside the transaction that changed them. */
  saveChanged(): void {
    for (const key of this.dirty) this.repository.save(key, this.values.get(key));
    this.dirty.clear();
  }

  private set(key: string, value: unknown): void {
    // Most arrivals change nothing here (a temperature_only gate keeps no halves, most readings
    // are no lows): no undo entry, no write.
    if (value === undefined ? !this.values.has(key) : this.values.get(key) === value) return;
    if (!this.undoLog.has(key)) this.undoLog.set(key, this.values.get(key));
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
    this.dirty.add(key);
  }
}
