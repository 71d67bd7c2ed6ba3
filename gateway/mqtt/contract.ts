import { z } from "zod";

/**
 * The MQTT contract with devices (docs/contract.md#devices-over-mqtt): topics and payloads, written once and imported by
 * the gateway and the simulator alike.
 */

export const DEVICE_TOPIC_ROOT = "checkpoint/devices";
export const DEVICE_MESSAGE_KINDS = ["temperature", "scan", "status", "command"] as const;
export type DeviceMessageKind = (typeof DEVICE_MESSAGE_KINDS)[number];

export function deviceTopic(deviceId: string, kind: DeviceMessageKind): string {
  return `${DEVICE_TOPIC_ROOT}/${deviceId}/${kind}`;
}

/** `checkpoint/devices/<id>/<kind>` -> its parts; anything else -> null. */
export function parseDeviceTopic(
  topic: string,
): { deviceId: string; kind: DeviceMessageKind } | null {
  const parts = topic.split("/");
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== DEVICE_TOPIC_ROOT) return null;
  const [, , deviceId, kind] = parts;
  const known = DEVICE_MESSAGE_KINDS.find((k) => k === kind);
  if (!deviceId || known === undefined) return null;
  return { deviceId, kind: known };
}

/** Where the gateway publishes its own events for local integrations (not retained). */
export function gatewayEventTopic(gatewayId: string, kind: string): string {
  return `checkpoint/gateway/${gatewayId}/events/${kind}`;
}

const deviceTime = z
  .number()
  .int("must be whole milliseconds since the epoch")
  .positive()
  .max(8_640_000_000_000_000)
  .describe("Device time in ms since the epoch; gateway time if absent.");

const messageId = z
  .string()
  .min(1)
  .max(128)
  .describe("The device's id for this message: a repeat of it is stored once.");

export const temperaturePayloadSchema = z.object({
  temp_c: z
    .number()
    .min(-100)
    .max(200)
    .describe("Measured temperature, °C, before calibration offset."),
  ambient_c: z.number().min(-100).max(200).nullish().describe("Ambient temperature, °C."),
  ts: deviceTime.optional(),
  msg_id: messageId.optional(),
});

export const scanPayloadSchema = z.object({
  pass_id: z.string().min(1).max(512).describe("Card number or QR code text."),
  method: z.enum(["card", "qr"]).describe("How the pass was read."),
  ts: deviceTime.optional(),
  msg_id: messageId.optional(),
});

export const statusPayloadSchema = z.object({
  online: z.boolean().describe("false is the device's last will."),
});

export type TemperaturePayload = z.input<typeof temperaturePayloadSchema>;
export type ScanPayload = z.input<typeof scanPayloadSchema>;
export type StatusPayload = z.input<typeof statusPayloadSchema>;

/** What the gateway tells a door controller on `checkpoint/devices/<id>/command` (QoS 1). */
export interface DoorCommand {
  action: "open";
  passage_id: string;
  checkpoint_id: string;
}
