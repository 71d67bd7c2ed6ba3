import { describe, expect, it } from "vitest";
import { dahuaUpload } from "../../../gateway/devices/dahua-http/encode.js";
import { parseDahuaUpload } from "../../../gateway/devices/dahua-http/event.js";
import {
  hikvisionHeartbeat,
  hikvisionNotification,
} from "../../../gateway/devices/hikvision-isapi/encode.js";
import { parseHikvisionNotification } from "../../../gateway/devices/hikvision-isapi/event.js";

/** A notification as a Hikvision MinMoe terminal posts it (fields as its firmware spells them). */
const HIK_LITERAL = `{
  "ipAddress": "10.0.0.21",
  "portNo": 80,
  "protocol": "HTTP",
  "dateTime": "2026-12-01T08:30:05+08:00",
  "activePostCount": 1,
  "eventType": "AccessControllerEvent",
  "eventState": "active",
  "eventDescription": "Access Controller Event",
  "AccessControllerEvent": {
    "deviceName": "Access Controller",
    "majorEventType": 5,
    "subEventType": 1,
    "cardNo": "0012345678",
    "cardType": 1,
    "serialNo": 1287,
    "currTemperature": 36.7,
    "isAbnomalTemperature": false,
    "thermometryUnit": "celsius",
    "mask": "yes"
  }
}`;

describe("Hikvision ISAPI notifications", () => {
  it("reads a card event with its temperature, serial, time and verdicts", () => {
    expect(parseHikvisionNotification(HIK_LITERAL)).toEqual({
      kind: "event",
      serial: "1287",
      tsMs: Date.parse("2026-12-01T08:30:05+08:00"),
      tempC: 36.7,
      passId: "0012345678",
      method: "card",
      verdict: { over_temperature: false, mask: "yes" },
    });
  });

  it.each([
    ["°F converted", { currTemperature: 100.4, thermometryUnit: "fahrenheit" }, { tempC: 38 }],
    [
      "a face match (person id, no card)",
      { cardNo: undefined, employeeNoString: "E1001" },
      { passId: "E1001", method: "face" },
    ],
    [
      "a measurement without a pass",
      { cardNo: undefined },
      { passId: null, method: null, tempC: 36.7 },
    ],
    [
      "a pass without a measurement",
      { currTemperature: undefined },
      { tempC: null, passId: "0012345678" },
    ],
    ["no serial number", { serialNo: undefined }, { serial: null }],
    [
      "a verdict it does not know",
      { mask: "maybe", isAbnomalTemperature: "no" },
      { verdict: { mask: null, over_temperature: null } },
    ],
  ])("%s", (_, change, expected) => {
    const body = JSON.parse(HIK_LITERAL);
    Object.assign(body.AccessControllerEvent, change);
    expect(parseHikvisionNotification(JSON.stringify(body))).toMatchObject(expected);
  });

  it.each([
    ["garbage", "\u0000\u00ffnot json", "not_json"],
    ["a JSON array", "[1,2]", "not_json"],
    ["another event type", '{"eventType":"videoloss"}', "not_an_event"],
    ["an event without its member", '{"eventType":"AccessControllerEvent"}', "not_an_event"],
    [
      "neither a measurement nor a pass",
      '{"eventType":"AccessControllerEvent","AccessControllerEvent":{"serialNo":3}}',
      "no_measurement_or_pass",
    ],
    [
      "a temperature as text",
      '{"eventType":"AccessControllerEvent","AccessControllerEvent":{"currTemperature":"36.5"}}',
      "bad_field",
    ],
  ])("says what is wrong with %s", (_, text, reason) => {
    expect(parseHikvisionNotification(text)).toMatchObject({ kind: "problem", reason });
  });

  it("knows a heartbeat, and reads back what the simulator's terminals send", () => {
    expect(parseHikvisionNotification(hikvisionHeartbeat("2026-12-01T08:30:05+08:00"))).toEqual({
      kind: "heartbeat",
    });
    const sent = hikvisionNotification({
      serialNo: 9,
      dateTime: "2026-12-01T08:31:00+08:00",
      tempC: 38.2,
      fahrenheit: true,
      employeeNoString: "E7",
    });
    const read = parseHikvisionNotification(sent);
    // °F travels with one decimal (100.8), so °C comes back within a few hundredths.
    expect(read.kind === "event" && read.tempC).toBeCloseTo(38.2, 1);
    expect(read).toMatchObject({
      serial: "9",
      passId: "E7",
      method: "face",
      verdict: { over_temperature: true },
    });
  });

  // A DS-K1T323 in production (as reported; no capture of it is public): tab-indented JSON,
  // booleans as strings, temperatures with six decimals.
  it.each([
    ["true", true],
    ["false", false],
    ["yes", null],
  ])('takes isAbnomalTemperature "%s" as %s, and 36.600000 as 36.6', (text, verdict) => {
    const sent = `{\n\t"dateTime":\t"2026-12-01T08:31:00+08:00",\n\t"eventType":\t"AccessControllerEvent",\n\t"AccessControllerEvent":\t{\n\t\t"serialNo":\t12,\n\t\t"currTemperature":\t36.600000,\n\t\t"isAbnomalTemperature":\t"${text}",\n\t\t"employeeNoString":\t"E7"\n\t}\n}`;
    expect(parseHikvisionNotification(sent)).toMatchObject({
      kind: "event",
      serial: "12",
      tempC: 36.6,
      verdict: { over_temperature: verdict },
    });
  });
});

/** An upload as a Dahua terminal posts it, one live event and one it stored while offline. */
const DAHUA_LITERAL = `{"Events":[
  {"Code":"AccessControl","Action":"Pulse","Index":0,"Data":{"CardNo":"0087654321","UserID":"2","CurrentTemperature":37.9,"IsOverTemperature":true,"TemperatureUnit":0,"UTC":1796085005,"SN":441,"Mask":1}},
  {"Code":"AccessControl","Action":"Pulse","Index":0,"Data":{"UserID":"15","CurrentTemperature":97.7,"IsOverTemperature":false,"TemperatureUnit":1,"UTC":1796085010,"SN":442},"DataSource":"Offline"},
  {"Code":"DoorStatus","Action":"Pulse","Index":0,"Data":{"Status":"Open"}}
]}`;

describe("Dahua HTTP uploads", () => {
  it("reads each access event, offline ones alike, and skips other codes", () => {
    expect(parseDahuaUpload(DAHUA_LITERAL)).toEqual([
      {
        kind: "event",
        serial: "441",
        tsMs: 1796085005000,
        tempC: 37.9,
        passId: "0087654321",
        method: "card",
        verdict: { over_temperature: true, mask: "yes" },
      },
      {
        kind: "event",
        serial: "442",
        tsMs: 1796085010000,
        tempC: 36.5,
        passId: "15",
        method: "face",
        verdict: { over_temperature: false, mask: null },
      },
    ]);
  });

  it.each([
    ["garbage", "<xml/>", [{ kind: "problem", reason: "not_json" }]],
    ["Events not a list", '{"Events":{}}', [{ kind: "problem", reason: "not_an_event" }]],
    ["an empty upload (a heartbeat)", '{"Events":[]}', [{ kind: "heartbeat" }]],
    [
      "an event without Data",
      '{"Events":[{"Code":"AccessControl"}]}',
      [{ kind: "problem", reason: "bad_field" }],
    ],
  ])("%s", (_, text, expected) => {
    expect(parseDahuaUpload(text)).toMatchObject(expected);
  });

  it("reads back what the simulator's terminals send", () => {
    const sent = dahuaUpload([
      { sn: 7, utcSeconds: 1796085000, tempC: 38.4, fahrenheit: true, cardNo: "0012345678" },
    ]);
    const [read] = parseDahuaUpload(sent);
    expect(read?.kind === "event" && read.tempC).toBeCloseTo(38.4, 1);
    expect(read).toMatchObject({
      serial: "7",
      passId: "0012345678",
      verdict: { over_temperature: true },
    });
  });
});
