import type { Logger } from "../../common/log.js";
import type { ReadingInput, ScanInput } from "../domain/types.js";
import type { Metrics } from "../metrics.js";
import type { DeviceRegistry } from "../pipeline/devices.js";
import type { Committed, Ingest } from "../pipeline/ingest.js";
import { DROP_EVENT, type FrameDrop } from "./frame-result.js";
import { type SerialDeviceConfig, serialDriver } from "./protocols.js";
import type { SerialDriver, SerialInput } from "./serial-driver.js";
import { type Backoff, type OpenPort, SerialLink } from "./serial-link.js";

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

/**
 * One serial device: its port (SerialLink) and its protocol's driver (the protocol folder's
 * parser and the meaning of its frames), whose readings and scans go to the same write path as
 * MQTT devices'. Bad frames are counted per device; the port's life is reported as the
 * device's status.
 */
export class SerialDevice {
  private readonly link: SerialLink;
  private readonly driver: SerialDriver;
  private readonly now: () => number;
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(
    readonly config: SerialDeviceConfig,
    private readonly ctx: SerialDeviceContext,
  ) {
    this.now = ctx.now ?? Date.now;
    this.driver = serialDriver(config, { emit: (input) => this.submit(input), now: this.now });
    this.driver.parser.on("data", () => ctx.devices.markSeen(config.id, this.now()));
    this.driver.parser.on(DROP_EVENT, (drop: FrameDrop) => {
      ctx.metrics.badFrames.inc({ device: config.id, reason: drop.reason }, 1);
      ctx.log.debug(
        { device: config.id, reason: drop.reason, bytes: drop.bytes },
        `dropped ${drop.bytes} bytes: ${drop.detail}`,
      );
    });
    this.link = new SerialLink({
      path: config.path,
      baudRate: config.baud_rate,
      openPort: ctx.openPort,
      log: ctx.log,
      backoff: ctx.backoff,
      onOpen: () => this.onOpen(),
      onData: (chunk) => this.driver.parser.write(chunk),
      onLost: (reason) => this.onLost(reason),
    });
  }

  start(): void {
    this.link.start();
  }

  async stop(): Promise<void> {
    this.driver.closed?.();
    for (const timer of this.retryTimers) clearTimeout(timer);
    await this.link.stop();
  }

  private onOpen(): void {
    this.ctx.ingest.setDeviceOnline(this.config.id, true, "port open");
    this.ctx.devices.markSeen(this.config.id, this.now());
    this.driver.opened?.((bytes) => this.link.write(bytes));
  }

  private onLost(reason: string): void {
    this.driver.closed?.();
    this.ctx.metrics.serialReopens.inc({ device: this.config.id });
    this.ctx.ingest.setDeviceOnline(this.config.id, false, reason);
  }

  /** A frame's meaning, as domain input of this device, to the write path. */
  private submit(input: SerialInput): void {
    const device_id = this.config.id;
    if (input.kind === "reading") {
      const reading: ReadingInput = {
        device_id,
        raw_c: input.raw_c,
        ambient_c: input.ambient_c,
        ts_ms: input.ts_ms,
        msg_id: null,
      };
      this.retrying((committed) => this.ctx.ingest.submitReading(reading, committed), 0);
    } else {
      const scan: ScanInput = {
        device_id,
        pass_id: input.pass_id,
        method: input.method,
        ts_ms: input.ts_ms,
        msg_id: null,
      };
      this.retrying((committed) => this.ctx.ingest.submitScan(scan, committed), 0);
    }
  }

  /**
   * A serial device cannot resend, so a message whose commit failed (disk full, database
   * locked) is kept and tried again, and only given up, loudly, after several attempts.
   */
  private retrying(send: (committed: Committed) => void, attempt: number): void {
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
        this.retrying(send, attempt + 1);
      }, COMMIT_RETRY_MS);
      this.retryTimers.add(timer);
    });
  }
}

/** Every serial device of the config, started together; one that never opens stops nothing. */
export class SerialDevices {
  private readonly devices: SerialDevice[];

  constructor(
    configs: readonly ({ transport: string } | SerialDeviceConfig)[],
    ctx: SerialDeviceContext,
  ) {
    this.devices = configs
      .filter((device): device is SerialDeviceConfig => device.transport === "serial")
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
