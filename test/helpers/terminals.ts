/** The site of the terminal tests: one gate, and Hikvision terminals posting to the gateway. */
export const TERMINAL_PASSWORD = "hik-terminal-pass";

export function hikvisionDevice(id: string, extra: object = {}): object {
  return {
    id,
    checkpoint: "gate-1",
    transport: "http",
    protocol: "hikvision-isapi",
    password: TERMINAL_PASSWORD,
    ...extra,
  };
}

export function oneGateSite(devices: object[]): { checkpoints: object[]; devices: object[] } {
  return {
    checkpoints: [{ id: "gate-1", name: "North gate / 北门", mode: "temperature_only" }],
    devices,
  };
}

/** A terminal's POST of `body` to its route, with HTTP Basic as the terminals send it. */
export async function terminalPost(
  httpPort: number,
  deviceId: string,
  body: string | Buffer,
  contentType = "application/json",
): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/ingest/hikvision/${deviceId}`, {
    method: "POST",
    headers: {
      "content-type": contentType,
      authorization: `Basic ${Buffer.from(`${deviceId}:${TERMINAL_PASSWORD}`).toString("base64")}`,
    },
    body,
  });
  return { status: response.status, text: await response.text() };
}
