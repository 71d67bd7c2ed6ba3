import { describe, expect, it } from "vitest";
import {
  deviceTopic,
  parseDeviceTopic,
  scanPayloadSchema,
  statusPayloadSchema,
  temperaturePayloadSchema,
} from "../../../gateway/mqtt/contract.js";

describe("device topics", () => {
  it("builds and parses a device's topics", () => {
    expect(deviceTopic("thermo-1", "temperature")).toBe("checkpoint/devices/thermo-1/temperature");
    expect(parseDeviceTopic("checkpoint/devices/thermo-1/temperature")).toEqual({
      deviceId: "thermo-1",
      kind: "temperature",
    });
    expect(parseDeviceTopic("checkpoint/devices/reader-1/scan")).toEqual({
      deviceId: "reader-1",
      kind: "scan",
    });
  });

  it.each([
    "checkpoint/devices/thermo-1",
    "checkpoint/devices/thermo-1/temperature/extra",
    "checkpoint/devices//temperature",
    "checkpoint/devices/thermo-1/humidity",
    "other/devices/thermo-1/temperature",
    "checkpoint/gateway/gw/events/reading",
    "",
  ])("rejects %j", (topic) => {
    expect(parseDeviceTopic(topic)).toBeNull();
  });
});

describe("temperature payloads", () => {
  it.each([
    [{ temp_c: 36.6 }],
    [{ temp_c: 36.6, ambient_c: 21.5, ts: 1700000000000, msg_id: "m-1" }],
    [{ temp_c: 28 }],
    [{ temp_c: 36.6, ambient_c: null }],
    [{ temp_c: 36.6, firmware: "1.2" }],
  ])("accepts %j", (payload) => {
    expect(temperaturePayloadSchema.safeParse(payload).success).toBe(true);
  });

  it.each([
    [{}, "temp_c"],
    [{ temp_c: "36.6" }, "temp_c"],
    [{ temp_c: null }, "temp_c"],
    [{ temp_c: 1e300 }, "temp_c"],
    [{ temp_c: 36.6, ts: 1.5 }, "ts"],
    [{ temp_c: 36.6, ts: -1 }, "ts"],
    [{ temp_c: 36.6, msg_id: "" }, "msg_id"],
    [{ temp_c: 36.6, msg_id: "x".repeat(129) }, "msg_id"],
    [{ temp_c: 36.6, ambient_c: "warm" }, "ambient_c"],
    [[36.6], ""],
    [null, ""],
  ])("rejects %j at %s", (payload, field) => {
    const result = temperaturePayloadSchema.safeParse(payload);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join(".")).toBe(field);
  });
});

describe("scan and status payloads", () => {
  it("accepts a card and a QR scan and refuses an unknown method", () => {
    expect(scanPayloadSchema.safeParse({ pass_id: "0012345678", method: "card" }).success).toBe(
      true,
    );
    expect(
      scanPayloadSchema.safeParse({ pass_id: "RES-7F3A-2291", method: "qr", msg_id: "s1" }).success,
    ).toBe(true);
    expect(scanPayloadSchema.safeParse({ pass_id: "0012345678", method: "face" }).success).toBe(
      false,
    );
    expect(scanPayloadSchema.safeParse({ pass_id: "", method: "card" }).success).toBe(false);
  });

  it("needs a boolean online flag", () => {
    expect(statusPayloadSchema.safeParse({ online: false }).success).toBe(true);
    expect(statusPayloadSchema.safeParse({ online: "no" }).success).toBe(false);
  });
});
