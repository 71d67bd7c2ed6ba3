import type { Transform } from "node:stream";
import type { DeviceConfig } from "../config/schema.js";
import type { ReadingInput, ScanInput } from "../domain/types.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { DeviceRegistry } from "../pipeline/devices.js";
import type { Committed, Ingest } from "../pipeline/ingest.js";
import { debounceScan, type SeenPasses } from "./debounce.js";
import { DROP_EVENT, type FrameDrop } from "./frame-result.js";
import {
  COMMAND_CONTINUOUS,
  COMMAND_READ_ONCE,
  type Gy90614Frame,
  Gy90614Parser,
} from "./gy-mcu90614/index.js";
import { EMPTY, observe, type PresenceState } from "./presence.js";
import { type QrFrame, QrLineParser } from "./qr-line/index.js";
import { type Rdm6300Frame, Rdm6300Parser } from "./rdm6300/index.js";
import { type Backoff, type OpenPort, SerialLink } from "./serial-link.js";
import { compilePattern, type TextLineFrame, TextLineParser } from "./text-line/index.js";

export interface SerialDeviceContext {
  ingest: Ingest;
  devices: DeviceRegistry;
  metrics: Metrics;
  log: Logger;
  openPort: OpenPort;
  backoff?: Backoff;
  now?: () => number;
}

/** How long a serial reading that failed to commit is kept and retried before it is given up. */
const COMMIT_RETRIES = 10;
const COMMIT_RETRY_MS = 1000;
/** A module in continuous mode sends about 10 frames a second; this long without one means it forgot. */
const CONTINUOUS_SILENCE_MS = 2000;

/**
 * One serial device: its port (SerialLink), its protocol's parser, and what its frames mean:
 * readings for thermometers, scans for readers, both handed to the same ingest pipeline as
 * MQTT devices use. Bad frames are counted per device; the port's life is reported as the
 * device's status.
 */
export class SerialDevice {
  private readonly link: SerialLink;
  private readonly parser: Transform;
  private readonly now: () => number;
  private presence: PresenceState = EMPTY;
  private seenPasses: SeenPasses = new Map();
  private pollTimer: NodeJS.Timeout | undefined;
  private lastFrameMs = 0;
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(
    readonly config: DeviceConfig,
    private readonly ctx: SerialDeviceContext,
  ) {
    this.now = ctx.now ?? Date.now;
    this.parser = this.createParser();
    this.parser.on("data", (frame: unknown) => this.onFrame(frame));
    this.parser.on(DROP_EVENT, (drop: FrameDrop) => {
      ctx.metrics.badFrames.inc({ device: config.id, reason: drop.reason }, 1);
      ctx.log.debug(
        { device: config.id, reason: drop.reason, bytes: drop.bytes },
        `dropped ${drop.bytes} bytes: ${drop.detail}`,
      );
    });
    this.link = new SerialLink({
      path: config.path ?? "",
      baudRate: config.baud_rate,
      openPort: ctx.openPort,
      log: ctx.log,
      backoff: ctx.backoff,
      onOpen: () => this.onOpen(),
      onData: (chunk) => this.parser.write(chunk),
      onLost: (reason) => this.onLost(reason),
    });
  }

  start(): void {
    this.link.start();
  }

  async stop(): Promise<void> {
    clearInterval(this.pollTimer);
    for (const timer of this.retryTimers) clearTimeout(timer);
    await this.link.stop();
  }

  private createParser(): Transform {
    switch (this.config.protocol) {
      case "gy-mcu90614":
        return new Gy90614Parser();
      case "text-line":
        return new TextLineParser(compilePattern(this.config.pattern));
      case "rdm6300":
        return new Rdm6300Parser();
      case "qr-line":
        return new QrLineParser(this.config.idle_ms);
      default:
        throw new Error(`device ${this.config.id}: no serial protocol`);
    }
  }

  private onOpen(): void {
    this.ctx.ingest.setDeviceOnline(this.config.id, true, "port open");
    this.ctx.devices.markSeen(this.config.id, this.now());
    if (this.config.protocol !== "gy-mcu90614") return;
    // The module only talks when asked (datasheet): continuous output, or one reading per poll.
    // A module that was reset (a power blip, replugged before we reopened) forgets that it was
    // asked, so the continuous command is repeated whenever frames stop coming.
    clearInterval(this.pollTimer);
    if (this.config.read_mode === "continuous") {
      this.link.write(COMMAND_CONTINUOUS);
      this.pollTimer = setInterval(() => {
        if (this.now() - this.lastFrameMs > CONTINUOUS_SILENCE_MS)
          this.link.write(COMMAND_CONTINUOUS);
      }, CONTINUOUS_SILENCE_MS);
    } else {
      this.pollTimer = setInterval(
        () => this.link.write(COMMAND_READ_ONCE),
        this.config.poll_interval_ms,
      );
    }
  }

  private onLost(reason: string): void {
    clearInterval(this.pollTimer);
    this.ctx.metrics.serialReopens.inc({ device: this.config.id });
    this.ctx.ingest.setDeviceOnline(this.config.id, false, reason);
  }

  private onFrame(frame: unknown): void {
    const nowMs = this.now();
    this.lastFrameMs = nowMs;
    this.ctx.devices.markSeen(this.config.id, nowMs);
    switch (this.config.protocol) {
      case "gy-mcu90614": {
        const sample = frame as Gy90614Frame;
        const result = observe(
          this.presence,
          { objectC: sample.objectC, ambientC: sample.ambientC, tsMs: nowMs },
          {
            presenceAboveC: this.config.presence_above_c,
            maxMs: this.config.presence_max_ms,
          },
        );
        this.presence = result.state;
        if (result.reading) {
          this.reading({
            raw_c: result.reading.objectC,
            ambient_c: result.reading.ambientC,
            ts_ms: result.reading.tsMs,
          });
        }
        return;
      }
      case "text-line":
        this.reading({ raw_c: (frame as TextLineFrame).tempC, ambient_c: null, ts_ms: nowMs });
        return;
      case "rdm6300":
        this.scan((frame as Rdm6300Frame).passId, "card", nowMs);
        return;
      case "qr-line":
        this.scan((frame as QrFrame).code, "qr", nowMs);
        return;
    }
  }

  private reading(values: Pick<ReadingInput, "raw_c" | "ambient_c" | "ts_ms">): void {
    const input: ReadingInput = { ...values, device_id: this.config.id, msg_id: null };
    this.submit((committed) => this.ctx.ingest.submitReading(input, committed), 0);
  }

  private scan(passId: string, method: ScanInput["method"], nowMs: number): void {
    const result = debounceScan(this.seenPasses, passId, nowMs, this.config.debounce_s * 1000);
    this.seenPasses = result.seen;
    if (!result.isNewScan) return;
    const input: ScanInput = {
      device_id: this.config.id,
      pass_id: passId,
      method,
      ts_ms: nowMs,
      msg_id: null,
    };
    this.submit((committed) => this.ctx.ingest.submitScan(input, committed), 0);
  }

  /**
   * A serial device cannot resend, so a message whose commit failed (disk full, database
   * locked) is kept and tried again, and only given up, loudly, after several attempts.
   */
  private submit(send: (committed: Committed) => void, attempt: number): void {
    send((error) => {
      if (!error) return;
      if (attempt + 1 >= COMMIT_RETRIES) {
        this.ctx.log.error(
          { device: this.config.id, err: error.message },
          `message from ${this.config.id} given up after ${COMMIT_RETRIES} failed commits`,
        );
        return;
      }
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        this.submit(send, attempt + 1);
      }, COMMIT_RETRY_MS);
      this.retryTimers.add(timer);
    });
  }
}

/** Every serial device of the config, started together; one that never opens stops nothing. */
export class SerialDevices {
  private readonly devices: SerialDevice[];

  constructor(configs: DeviceConfig[], ctx: SerialDeviceContext) {
    this.devices = configs
      .filter((device) => device.transport === "serial")
      .map(
        (device) => new SerialDevice(device, { ...ctx, log: ctx.log.child({ device: device.id }) }),
      );
  }

  start(): void {
    for (const device of this.devices) device.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.devices.map((device) => device.stop()));
  }
}
