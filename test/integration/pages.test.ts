import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../helpers/gateway.js";

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw?.close();
});

/** A raw GET (fetch would decompress and hide what was sent). */
function get(
  path: string,
  acceptEncoding?: string,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, gw.httpUrl);
    const req = request(
      url,
      { headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("the pages' files", () => {
  it("are sent as brotli, gzip or plain as the browser takes them, the same bytes inside", async () => {
    const plain = await get("/kiosk");
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    const script = /src="(\/ui\/assets\/kiosk-[^"]+\.js)"/.exec(plain.body.toString())?.[1];
    expect(script).toBeDefined();
    for (const path of ["/kiosk", script as string]) {
      const identity = await get(path);
      const br = await get(path, "gzip, deflate, br");
      const gz = await get(path, "gzip");
      expect(br.headers["content-encoding"], path).toBe("br");
      expect(gz.headers["content-encoding"], path).toBe("gzip");
      expect(br.headers.vary, path).toMatch(/Accept-Encoding/i);
      expect(br.headers["content-type"], path).toBe(identity.headers["content-type"]);
      expect(brotliDecompressSync(br.body).equals(identity.body), path).toBe(true);
      expect(gunzipSync(gz.body).equals(identity.body), path).toBe(true);
      expect(br.body.length, path).toBeLessThan(identity.body.length);
    }
  });

  it("serve the voice prompts and a favicon, and nothing outside the pages' folder", async () => {
    const voice = await get("/ui/voice/fever.zh.ogg", "gzip, br");
    expect(voice.status).toBe(200);
    expect(voice.headers["content-encoding"]).toBeUndefined();
    expect(voice.body.subarray(0, 4).toString("latin1")).toBe("OggS");
    const icon = await get("/favicon.ico");
    expect(icon.status).toBe(200);
    expect(icon.headers["content-type"]).toMatch(/^image\/svg\+xml/);
    for (const path of ["/ui/../package.json", "/ui/%2e%2e/package.json", "/ui/..%2fpackage.json"])
      expect((await get(path, "br")).status, path).toBe(404);
  });
});
