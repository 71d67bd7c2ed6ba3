import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import busboy from "busboy";
import { type Request, type Response, Router } from "express";
import { sameSecret } from "../auth/secrets.js";
import type { TerminalConfig } from "../config/schema.js";
import { parseDahuaUpload } from "../devices/dahua-http/event.js";
import { parseHikvisionNotification } from "../devices/hikvision-isapi/event.js";
import type {
  TerminalEvent,
  TerminalNotification,
  TerminalProblem,
} from "../devices/terminal-event.js";
import type { ReadingInput, ScanInput } from "../domain/types.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { DeviceClock } from "../pipeline/device-clock.js";
import type { DeviceRegistry } from "../pipeline/devices.js";
import type { Ingest } from "../pipeline/ingest.js";
import { digestValid } from "./digest.js";
import type { TerminalPresence } from "./presence.js";

export interface TerminalIngestContext {
  devices: DeviceRegistry;
  ingest: Ingest;
  presence: TerminalPresence;
  /** An event's time: the terminal's if its clock is near enough (as for MQTT devices). */
  clock: DeviceClock;
  /** Where kept pictures go (a terminal's `keep_pictures`). */
  picturesDir: string;
  metrics: Metrics;
  log: Logger;
  /** Told of every event a terminal delivered, for the gap fill. */
  delivered?: (deviceId: string, events: readonly TerminalEvent[]) => void;
}

/** The largest JSON notification, and the largest picture part (a terminal's JPEG). */
export const TERMINAL_LIMITS = { jsonBytes: 64 * 1024, pictureBytes: 1024 * 1024, parts: 12 };

const PROTOCOL_OF_PATH = { hikvision: "hikvision-isapi", dahua: "dahua-http" } as const;

/**
 * `POST /ingest/<hikvision|dahua>/<device_id>` (SPEC 3a): a terminal's notification, checked
 * against the device's password (HTTP Basic, the device id as username), read as JSON or as
 * multipart (the JSON part, then pictures: dropped unless `keep_pictures`, an oversized one
 * dropped and said), and answered 200 only once every event in it is committed; 503 otherwise, so
 * the terminal sends it again. A repeated serial number is stored once.
 */
export function terminalIngestRouter(ctx: TerminalIngestContext): Router {
  const router = Router();
  router.post("/:vendor/:deviceId", (req, res) => {
    void receive(ctx, req, res).catch((error: Error) => {
      ctx.log.error({ err: error.message }, "terminal notification failed");
      if (!res.headersSent) res.status(500).json({ error: "internal error" });
    });
  });
  return router;
}

async function receive(ctx: TerminalIngestContext, req: Request, res: Response): Promise<void> {
  const vendor = req.params.vendor as keyof typeof PROTOCOL_OF_PATH;
  const deviceId = req.params.deviceId as string;
  const device = ctx.devices.device(deviceId);
  if (device?.transport !== "http" || PROTOCOL_OF_PATH[vendor] !== device.protocol) {
    req.resume();
    res.status(404).json({ error: `no ${vendor} terminal ${deviceId}` });
    return;
  }
  if (!authorized(req, device)) {
    req.resume();
    // A first request without credentials is how Digest starts: only a wrong answer is said.
    if (req.get("authorization")) {
      ctx.metrics.badRequests.inc({ reason: "terminal_credentials" });
      ctx.log.warn(
        { device: deviceId, address: req.ip },
        `terminal ${deviceId}: wrong credentials, refused`,
      );
    }
    res.setHeader("WWW-Authenticate", [
      `Basic realm="${REALM}", charset="UTF-8"`,
      `Digest realm="${REALM}", qop="auth", algorithm=MD5, nonce="${NONCES.issue()}"`,
    ]);
    res.status(401).json({ error: "wrong credentials" });
    return;
  }
  let body: string;
  try {
    body = await readNotification(ctx, req, device);
  } catch (error) {
    const tooLarge = (error as { status?: number }).status === 413;
    res.status(tooLarge ? 413 : 400).json({ error: (error as Error).message });
    return;
  }
  const notifications: (TerminalNotification | TerminalProblem)[] =
    device.protocol === "hikvision-isapi"
      ? [parseHikvisionNotification(body)]
      : parseDahuaUpload(body);
  ctx.presence.seen(deviceId, "posted");
  const problems = notifications.filter((n): n is TerminalProblem => n.kind === "problem");
  for (const problem of problems) {
    ctx.metrics.badPayloads.inc({ device: deviceId, reason: problem.reason });
    ctx.log.warn(
      { device: deviceId, reason: problem.reason },
      `terminal ${deviceId}: ${problem.detail}; dropped`,
    );
  }
  const events = notifications.filter((n): n is TerminalEvent => n.kind === "event");
  if (events.length === 0) {
    res
      .status(problems.length > 0 ? 400 : 200)
      .json(problems.length > 0 ? { error: problems[0]?.detail } : { ok: true });
    return;
  }
  const results = await Promise.all(
    events.map((event) => submitTerminalEvent(ctx, deviceId, event)),
  );
  const failed = results.find((error) => error !== null);
  if (failed) {
    res.setHeader("Retry-After", "5");
    res.status(503).json({ error: `not stored, send it again: ${failed.message}` });
    return;
  }
  ctx.delivered?.(deviceId, events);
  res.status(200).json({ ok: true, events: events.length });
}

/** Queues one event; resolves with null once it is committed, or with the error. */
export function submitTerminalEvent(
  ctx: Pick<TerminalIngestContext, "ingest" | "clock">,
  deviceId: string,
  event: TerminalEvent,
): Promise<Error | null> {
  const time = ctx.clock.timeOf(deviceId, event.tsMs ?? undefined);
  // The serial number and the event's own time: a resend repeats both (stored once), while a
  // terminal whose counter starts again (a reset, a replacement) makes new ones, never dropped.
  const msgId =
    event.serial === null
      ? null
      : `sn:${event.serial}${event.tsMs === null ? "" : `@${event.tsMs}`}`;
  const reading: ReadingInput | null =
    event.tempC === null
      ? null
      : {
          device_id: deviceId,
          raw_c: event.tempC,
          ambient_c: null,
          ...time,
          msg_id: msgId,
          terminal_verdict: event.verdict,
        };
  const scan: ScanInput | null =
    event.passId === null
      ? null
      : {
          device_id: deviceId,
          pass_id: event.passId,
          method: event.method ?? "card",
          ...time,
          msg_id: msgId,
        };
  return new Promise((resolve) =>
    ctx.ingest.submitTerminalEvent(deviceId, reading, scan, (error) => resolve(error)),
  );
}

const REALM = "Checkpoint Gateway";

/** Digest nonces handed out lately (a terminal answers the newest): a bounded, expiring set. */
class Nonces {
  private readonly issued = new Map<string, number>();

  issue(): string {
    const nonce = randomBytes(16).toString("hex");
    this.issued.set(nonce, Date.now());
    // Oldest first in a Map: keep the newest 1,000, none older than 10 minutes.
    for (const [old, at] of this.issued) {
      if (this.issued.size <= 1000 && Date.now() - at < 600_000) break;
      this.issued.delete(old);
    }
    return nonce;
  }

  has(nonce: string): boolean {
    const at = this.issued.get(nonce);
    return at !== undefined && Date.now() - at < 600_000;
  }
}
const NONCES = new Nonces();

/** HTTP Basic with the device id and its password, or Digest where the terminal only does that. */
function authorized(req: Request, device: TerminalConfig): boolean {
  const header = req.get("authorization") ?? "";
  if (/^Digest\s/i.test(header))
    return digestValid(header, REALM, NONCES, device.id, device.password, req.method);
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match) return false;
  const decoded = Buffer.from(match[1] as string, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  return (
    decoded.slice(0, colon) === device.id && sameSecret(decoded.slice(colon + 1), device.password)
  );
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The notification's JSON text: the body, or the JSON part of a multipart body. */
function readNotification(
  ctx: TerminalIngestContext,
  req: Request,
  device: TerminalConfig,
): Promise<string> {
  if (!req.is("multipart/form-data")) return readLimited(req, TERMINAL_LIMITS.jsonBytes);
  return new Promise((resolve, reject) => {
    let json: string | undefined;
    let pictures = 0;
    const parser = busboy({
      headers: req.headers,
      limits: {
        fileSize: TERMINAL_LIMITS.pictureBytes,
        fieldSize: TERMINAL_LIMITS.jsonBytes,
        parts: TERMINAL_LIMITS.parts,
      },
    });
    parser.on("field", (_name, value, info) => {
      if (info.valueTruncated) reject(new BodyError(413, "the JSON part is larger than 64 kB"));
      else json ??= value;
    });
    parser.on("file", (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("limit", () => {
        ctx.metrics.badPayloads.inc({ device: device.id, reason: "picture_too_large" });
        ctx.log.warn(
          { device: device.id, part: name },
          `terminal ${device.id}: a picture over 1 MB, dropped`,
        );
      });
      stream.on("end", () => {
        const bytes = Buffer.concat(chunks);
        if (info.mimeType === "application/json" || (json === undefined && bytes[0] === 0x7b)) {
          json ??= bytes.toString("utf8");
          return;
        }
        if (!device.keep_pictures || (stream as { truncated?: boolean }).truncated) return;
        pictures += 1;
        const folder = join(ctx.picturesDir, device.id);
        mkdirSync(folder, { recursive: true });
        writeFileSync(join(folder, `${Date.now()}-${pictures}.jpg`), bytes);
      });
    });
    parser.on("partsLimit", () => reject(new BodyError(413, "too many parts")));
    parser.on("error", (error: Error) =>
      reject(new BodyError(400, `not a readable multipart body: ${error.message}`)),
    );
    parser.on("close", () => {
      if (json === undefined) reject(new BodyError(400, "no JSON part in the multipart body"));
      else resolve(json);
    });
    req.pipe(parser);
  });
}

function readLimited(req: Request, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and thrown away, so the answer still reaches the terminal.
      if (size > limit)
        reject(new BodyError(413, `the notification is larger than ${limit / 1024} kB`));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", (error) => reject(new BodyError(400, error.message)));
  });
}
