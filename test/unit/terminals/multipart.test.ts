import { describe, expect, it } from "vitest";
import { boundaryOf, jsonPart, splitMultipart } from "../../../gateway/terminals/multipart.js";
import { capture } from "../../helpers/captures.js";

const LINE_ENDS = [
  ["LF", "\n"],
  ["CRLF", "\r\n"],
] as const;

describe("boundaryOf", () => {
  it.each([
    ["multipart/form-data; boundary=mime_boundary", "mime_boundary"],
    ['multipart/mixed; boundary="MIME_boundary"', "MIME_boundary"],
    ["multipart/x-mixed-replace;boundary=myboundary", "myboundary"],
    ["multipart/form-data", null],
    [undefined, null],
  ])("%s -> %s", (header, boundary) => {
    expect(boundaryOf(header)).toBe(boundary);
  });
});

describe("splitMultipart on real captures (test/fixtures/terminals)", () => {
  describe.each(LINE_ENDS)("with %s", (_name, end) => {
    const alertStream = Buffer.from(
      capture("terminals/hik-alertstream-ds-k1t342mwx-multipart.txt", end),
    );

    // The DS-K1T342MWX's stream; the push of a DS-K1T323 declares the boundary in lower case.
    it.each(["MIME_boundary", "mime_boundary", "wrong_boundary", null])(
      "a Hikvision alertStream, declared boundary %s: every part, its JSON whole",
      (declared) => {
        const parts = splitMultipart(alertStream, declared);
        const events = parts.map((part) => JSON.parse(part.body.toString("utf8")));
        expect(events.map((e) => e.AccessControllerEvent.serialNo)).toEqual([1, 2, 3, 10, 16, 18]);
        expect(parts.every((p) => p.contentType === "application/json")).toBe(true);
        // Content-Length is the device's, not the body's (652 declared for a shorter body).
        expect(parts[0]?.headers["content-length"]).toBe("652");
      },
    );

    it("a Dahua eventManager attach stream: heartbeats and Code= lines", () => {
      const parts = splitMultipart(
        Buffer.from(capture("terminals/dahua-eventmanager-attach-heartbeat.txt", end)),
        "myboundary",
      );
      const bodies = parts.map((p) => p.body.toString("utf8").trim());
      expect(bodies[0]).toBe("Heartbeat");
      expect(bodies[1]).toBe("Code=VideoMotionInfo;action=State;index=0");
      expect(bodies.filter((b) => b === "Heartbeat").length).toBeGreaterThanOrEqual(2);
      expect(parts.every((p) => p.headers["content-type"] === "text/plain")).toBe(true);
    });
  });
});

describe("splitMultipart: what terminals do beside the RFC", () => {
  const jpeg = Buffer.from([0xff, 0xd8, 0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0x00, 0xff, 0xd9]);
  const json = '{\n\t"eventType":\t"heartBeat"\n}';
  const body = (...pieces: (string | Buffer)[]) =>
    Buffer.concat(pieces.map((p) => (typeof p === "string" ? Buffer.from(p) : p)));

  it("keeps a picture's bytes exact, NULs, CR LF and '--' inside it included", () => {
    const parts = splitMultipart(
      body(
        "--b\r\nContent-Type: application/json\r\n\r\n",
        json,
        '\r\n--b\r\nContent-Disposition: form-data; name="Picture"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n',
        jpeg,
        "\r\n--b--\r\n",
      ),
      "b",
    );
    expect(parts).toHaveLength(2);
    expect(parts[1]?.body.equals(jpeg)).toBe(true);
    expect(parts[1]).toMatchObject({ name: "Picture", contentType: "image/jpeg" });
  });

  it.each([
    ["no closing delimiter", `--b\nContent-Type: application/json\n\n${json}\n`],
    ["a preamble and an epilogue", `junk\r\n--b\r\n\r\n${json}\r\n--b--\r\nafter`],
    [
      "padding after the delimiter",
      `--b  \r\nContent-Type: application/json\r\n\r\n${json}\r\n--b-- \r\n`,
    ],
    [
      "a stray other boundary after the JSON",
      `--b\r\nContent-Type: application/json\r\n\r\n${json}\r\n--other\r\n--b--\r\n`,
    ],
    ["a part with no headers", `--b\n${json}\n--b--`],
    ["Content-Length larger than the part", `--b\nContent-Length: 9999\n\n${json}\n--b--`],
  ])("%s: the JSON part is found and parses", (_name, text) => {
    const found = jsonPart(splitMultipart(Buffer.from(text), "b"));
    expect(JSON.parse(found?.text ?? "null")).toEqual({ eventType: "heartBeat" });
  });

  it.each([
    ["no delimiter at all", json],
    ["empty", ""],
    ["only a closing delimiter", "--b--\r\n"],
  ])("%s: no parts", (_name, text) => {
    expect(splitMultipart(Buffer.from(text), "b")).toEqual([]);
  });

  it("finds the JSON part by name when it is not typed, after a picture", () => {
    const parts = splitMultipart(
      body(
        "--b\r\nContent-Type: image/jpeg\r\n\r\n",
        jpeg,
        '\r\n--b\r\nContent-Disposition: form-data; name="event_log"\r\n\r\n',
        json,
        "\r\n--b--",
      ),
      "b",
    );
    expect(jsonPart(parts)?.part.name).toBe("event_log");
  });
});

describe("splitMultipart on anything", () => {
  it("never throws, and every part lies within the body", async () => {
    const { default: fc } = await import("fast-check");
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
      fc
        .constantFrom(
          "--b",
          "--B--",
          "\r\n",
          "\n",
          "\r",
          "Content-Type: image/jpeg",
          "{",
          "}",
          "--",
        )
        .map((t) => Buffer.from(t)),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 30 }),
        fc.option(fc.constantFrom("b", "B", "x", "")),
        (pieces, declared) => {
          const body = Buffer.concat(pieces);
          const parts = splitMultipart(body, declared);
          for (const part of parts) expect(part.body.length).toBeLessThanOrEqual(body.length);
          jsonPart(parts);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
