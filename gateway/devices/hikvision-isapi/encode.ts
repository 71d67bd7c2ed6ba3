import { randomBytes } from "node:crypto";
import { celsiusToFahrenheit } from "../terminal-event.js";
import { HIKVISION } from "./constants.js";

/**
 * Hikvision notifications as a terminal builds them: for the simulator's virtual terminals and
 * the tests, made from the same field names the parser reads, so the two cannot drift.
 */
export interface HikvisionEventInput {
  serialNo: number;
  dateTime: string;
  tempC?: number;
  fahrenheit?: boolean;
  overTemperature?: boolean;
  mask?: "yes" | "no" | "unknown";
  cardNo?: string;
  employeeNoString?: string;
}

/** The `AccessControllerEvent` member (also what an `AcsEvent` search lists). */
export function hikvisionAccessEvent(input: HikvisionEventInput): Record<string, unknown> {
  const f = HIKVISION.fields;
  return {
    [f.major]: 5,
    [f.minor]: input.cardNo !== undefined ? 1 : 75,
    [f.serial]: input.serialNo,
    ...(input.tempC !== undefined
      ? {
          [f.temperature]: input.fahrenheit ? celsiusToFahrenheit(input.tempC) : input.tempC,
          [f.unit]: input.fahrenheit ? "fahrenheit" : "celsius",
          [f.overTemperature]: input.overTemperature ?? input.tempC > 37.3,
        }
      : {}),
    [f.mask]: input.mask ?? "unknown",
    ...(input.cardNo !== undefined ? { [f.card]: input.cardNo } : {}),
    ...(input.employeeNoString !== undefined ? { [f.person]: input.employeeNoString } : {}),
  };
}

export function hikvisionNotification(input: HikvisionEventInput, ipAddress = "10.0.0.21"): string {
  return JSON.stringify({
    ipAddress,
    dateTime: input.dateTime,
    activePostCount: 1,
    eventType: HIKVISION.accessEvent,
    [HIKVISION.accessEvent]: hikvisionAccessEvent(input),
  });
}

export function hikvisionHeartbeat(dateTime: string, ipAddress = "10.0.0.21"): string {
  return JSON.stringify({
    ipAddress,
    dateTime,
    activePostCount: 1,
    eventType: HIKVISION.heartbeat,
  });
}

/**
 * A notification as `multipart/form-data`: the JSON first (as the terminals name it), then each
 * picture as a JPEG part.
 */
export function hikvisionMultipart(
  json: string,
  pictures: readonly Buffer[],
): { body: Buffer; contentType: string } {
  const boundary = `----checkpoint${randomBytes(8).toString("hex")}`;
  const parts: Buffer[] = [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${HIKVISION.accessEvent}"\r\nContent-Type: application/json\r\n\r\n${json}\r\n`,
    ),
  ];
  pictures.forEach((picture, i) => {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="Picture"; filename="picture${i + 1}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
      ),
      picture,
      Buffer.from("\r\n"),
    );
  });
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
