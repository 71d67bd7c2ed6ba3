import { type Request, type Response, Router } from "express";
import type { Logger } from "../../common/log.js";
import type { TerminalConfig } from "../config/schema.js";
import { TERMINALS } from "../devices/protocols.js";
import type { TerminalEvent, TerminalProblem } from "../devices/terminal-event.js";
import type { TerminalProtocol } from "../devices/terminal-protocol.js";
import type { Metrics } from "../metrics.js";
import type { DeviceClock } from "../pipeline/device-clock.js";
import type { DeviceRegistry } from "../pipeline/devices.js";
import type { Ingest } from "../pipeline/ingest.js";
import type { TerminalAuthenticator } from "./authorize.js";
import type { PictureStore } from "./pictures.js";
import type { TerminalPresence } from "./presence.js";
import { BodyError, type Notification, readNotification } from "./read-body.js";
import { type Submitted, submitTerminalEvent } from "./submit.js";

export interface TerminalIngestContext {
  devices: DeviceRegistry;
  ingest: Ingest;
  presence: TerminalPresence;
  /** An event's time: the terminal's if its clock is near enough (as for MQTT devices). */
  clock: DeviceClock;
  /** The terminals' credentials: checked, throttled, Digest nonces. */
  auth: TerminalAuthenticator;
  /** Where kept pictures go (a terminal's `keep_pictures`). */
  pictures: PictureStore;
  metrics: Metrics;
  log: Logger;
  /** Told of every event a terminal delivered, for the gap fill. */
  delivered?: (deviceId: string, events: readonly TerminalEvent[]) => void;
}

/** A request that got its answer at a step: the later steps do not run. */
const ANSWERED = Symbol("answered");
type Step<T> = T | typeof ANSWERED;

/**
 * `POST /ingest/<hikvision|dahua>/<device_id>` (docs/contract.md#network-terminals-over-http): a terminal's notification, handled in
 * steps as aedes' `publishActions` are, each of which can answer early: find the terminal ->
 * authorize (HTTP Basic or Digest, the device id as username) -> read (JSON, or multipart: the
 * JSON part, pictures dropped unless `keep_pictures`) -> parse (the protocol folder's step) ->
 * submit (each event committed) -> answer 200 only once every event is committed; 503
 * otherwise, so the terminal sends it again. A repeated serial number is stored once.
 */
export function terminalIngestRouter(ctx: TerminalIngestContext): Router {
  const router = Router();
  router.post("/:vendor/:deviceId", (req, res) => {
    void receive(ctx, req, res).catch((error: unknown) => {
      ctx.log.error(
        { err: error instanceof Error ? error.message : String(error) },
        "terminal notification failed",
      );
      if (!res.headersSent) res.status(500).json({ error: "internal error" });
    });
  });
  return router;
}

async function receive(ctx: TerminalIngestContext, req: Request, res: Response): Promise<void> {
  const found = findTerminal(ctx, req, res);
  if (found === ANSWERED) return;
  const { device, protocol } = found;
  if ((await authorize(ctx, req, res, device)) === ANSWERED) return;
  const body = await read(ctx, req, res, device);
  if (body === ANSWERED) return;
  const events = parse(ctx, res, device, protocol, body.json);
  if (events === ANSWERED) return;
  const results = await Promise.all(
    events.map((event) => submitTerminalEvent(ctx, device.id, event)),
  );
  if ((await keepPictures(ctx, res, device, body, results)) === ANSWERED) return;
  answer(ctx, res, device.id, events, results);
}

/** The configured terminal of this path's protocol, or 404. */
function findTerminal(
  ctx: TerminalIngestContext,
  req: Request,
  res: Response,
): Step<{ device: TerminalConfig; protocol: TerminalProtocol }> {
  const param = (name: string) => {
    const value = req.params[name];
    return typeof value === "string" ? value : "";
  };
  const vendor = param("vendor");
  const deviceId = param("deviceId");
  const protocol = TERMINALS.find((t) => t.path === vendor);
  const device = ctx.devices.device(deviceId);
  if (device?.transport !== "http" || protocol?.protocol !== device.protocol) {
    req.resume();
    res.status(404).json({ error: `no ${vendor} terminal ${deviceId}` });
    return ANSWERED;
  }
  return { device, protocol };
}

/**
 * The terminal's own credentials, or 401 with the challenges (`stale=true` after a right
 * answer to an old nonce), or 429 while its attempts are throttled.
 */
async function authorize(
  ctx: TerminalIngestContext,
  req: Request,
  res: Response,
  device: TerminalConfig,
): Promise<Step<true>> {
  const auth = await ctx.auth.check(req, device);
  if (auth.outcome === "ok") return true;
  req.resume();
  if (auth.outcome === "throttled") {
    res.setHeader("Retry-After", String(auth.retryAfterS));
    res.status(429).json({ error: "too many wrong credentials: try again later" });
    return ANSWERED;
  }
  res.setHeader("WWW-Authenticate", ctx.auth.challenges(auth.outcome === "stale"));
  res.status(401).json({ error: auth.outcome === "stale" ? "stale nonce" : "wrong credentials" });
  return ANSWERED;
}

/** The notification's JSON text and pictures, or 400/413. */
async function read(
  ctx: TerminalIngestContext,
  req: Request,
  res: Response,
  device: TerminalConfig,
): Promise<Step<Notification>> {
  const tooLarge = (part: string) => {
    ctx.metrics.badPayloads.inc({ device: device.id, reason: "picture_too_large" });
    ctx.log.warn(
      { device: device.id, part },
      `terminal ${device.id}: a picture over 1 MB, dropped`,
    );
  };
  try {
    return await readNotification(req, tooLarge);
  } catch (error) {
    const status = error instanceof BodyError ? error.status : 400;
    res.status(status).json({ error: error instanceof Error ? error.message : String(error) });
    return ANSWERED;
  }
}

/**
 * The events the notification holds (the terminal is present either way); a heartbeat is
 * answered 200, a notification with only problems 400, each problem said and counted.
 */
function parse(
  ctx: TerminalIngestContext,
  res: Response,
  device: TerminalConfig,
  protocol: TerminalProtocol,
  body: string,
): Step<TerminalEvent[]> {
  const notifications = protocol.parse(body);
  ctx.presence.seen(device.id, "posted");
  const problems = notifications.filter((n): n is TerminalProblem => n.kind === "problem");
  for (const problem of problems) {
    ctx.metrics.badPayloads.inc({ device: device.id, reason: problem.reason });
    ctx.log.warn(
      { device: device.id, reason: problem.reason },
      `terminal ${device.id}: ${problem.detail}; dropped`,
    );
  }
  const events = notifications.filter((n): n is TerminalEvent => n.kind === "event");
  if (events.length > 0) return events;
  if (problems.length > 0) res.status(400).json({ error: problems[0]?.detail });
  else res.status(200).json({ ok: true });
  return ANSWERED;
}

/**
 * The pictures of a stored event, when the terminal's are kept (after the commit: never for a
 * heartbeat, a refused notification or a repeat); 503 when they cannot be written, so the
 * terminal sends it again (the event is then a repeat, stored once).
 */
async function keepPictures(
  ctx: TerminalIngestContext,
  res: Response,
  device: TerminalConfig,
  body: Notification,
  results: Submitted[],
): Promise<Step<true>> {
  const first = results[0];
  if (!device.keep_pictures || body.pictures.length === 0 || first?.error !== null) return true;
  if (first.seq === null) return true;
  const error = await ctx.pictures.keep(device.id, first.seq, body.pictures);
  if (!error) return true;
  res.setHeader("Retry-After", "30");
  res.status(503).json({ error: `the pictures cannot be kept: ${error.message}` });
  return ANSWERED;
}

/** 200 once every event is committed (and the gap fill told); 503 to have it sent again. */
function answer(
  ctx: TerminalIngestContext,
  res: Response,
  deviceId: string,
  events: TerminalEvent[],
  results: Submitted[],
): void {
  const failed = results.find((r) => r.error !== null)?.error;
  if (failed) {
    res.setHeader("Retry-After", "5");
    res.status(503).json({ error: `not stored, send it again: ${failed.message}` });
    return;
  }
  ctx.delivered?.(deviceId, events);
  res.status(200).json({ ok: true, events: events.length });
}
