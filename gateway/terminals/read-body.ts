import type { Request } from "express";
import { boundaryOf, jsonPart, splitMultipart } from "./multipart.js";

/** The largest JSON notification, the largest picture part (a terminal's JPEG), the most parts. */
export const TERMINAL_LIMITS = {
  jsonBytes: 64 * 1024,
  pictureBytes: 1024 * 1024,
  parts: 12,
  /** A whole multipart body (read before it is split): the JSON and a few pictures. */
  multipartBytes: 4 * 1024 * 1024,
};

/** A notification as read: its JSON text and the pictures it carried (JPEG parts). */
export interface Notification {
  json: string;
  pictures: Buffer[];
}

/** A body that cannot be read, with the status it is answered with (400, 413). */
export class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The notification: the body, or the JSON part of a multipart body (multipart.ts: split as real
 * terminals write it) and its pictures; a picture over the limit is handed to `tooLarge` and left
 * out. Rejects with a BodyError.
 */
export async function readNotification(
  req: Request,
  tooLarge: (part: string) => void,
): Promise<Notification> {
  if (!req.is("multipart/*"))
    return { json: await readLimited(req, TERMINAL_LIMITS.jsonBytes), pictures: [] };
  const limit = TERMINAL_LIMITS.multipartBytes;
  const body = await readLimitedBytes(
    req,
    limit,
    `the multipart body is larger than ${limit / 1024 / 1024} MB`,
  );
  const parts = splitMultipart(body, boundaryOf(req.get("content-type")));
  if (parts.length === 0)
    throw new BodyError(400, "not a readable multipart body: no boundary line");
  if (parts.length > TERMINAL_LIMITS.parts) throw new BodyError(413, "too many parts");
  const json = jsonPart(parts);
  if (!json) throw new BodyError(400, "no JSON part in the multipart body");
  if (Buffer.byteLength(json.text) > TERMINAL_LIMITS.jsonBytes)
    throw new BodyError(413, "the JSON part is larger than 64 kB");
  const pictures: Buffer[] = [];
  for (const [n, part] of parts.entries()) {
    if (part === json.part) continue;
    if (part.body.length > TERMINAL_LIMITS.pictureBytes) tooLarge(part.name ?? `part ${n + 1}`);
    else if (part.contentType?.startsWith("image/") || part.body[0] === 0xff)
      pictures.push(part.body);
  }
  return { json: json.text, pictures };
}

function readLimited(req: Request, limit: number): Promise<string> {
  return readLimitedBytes(req, limit, `the notification is larger than ${limit / 1024} kB`).then(
    (bytes) => bytes.toString("utf8"),
  );
}

function readLimitedBytes(req: Request, limit: number, tooLarge: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and thrown away, so the answer still reaches the terminal.
      if (size > limit) reject(new BodyError(413, tooLarge));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", (error) => reject(new BodyError(400, error.message)));
  });
}
