import busboy from "busboy";
import type { Request } from "express";

/** The largest JSON notification, and the largest picture part (a terminal's JPEG). */
export const TERMINAL_LIMITS = { jsonBytes: 64 * 1024, pictureBytes: 1024 * 1024, parts: 12 };

/** Where the pictures of a multipart body go: kept, or said too large. */
export interface PictureSink {
  keep(bytes: Buffer): void;
  tooLarge(part: string): void;
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
 * The notification's JSON text: the body, or the JSON part of a multipart body (by its content
 * type, or the first part that starts as JSON), pictures handed to the sink. Rejects with a
 * BodyError.
 */
export function readNotification(req: Request, pictures: PictureSink): Promise<string> {
  if (!req.is("multipart/form-data")) return readLimited(req, TERMINAL_LIMITS.jsonBytes);
  return new Promise((resolve, reject) => {
    let json: string | undefined;
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
      let truncated = false;
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("limit", () => {
        truncated = true;
        pictures.tooLarge(name);
      });
      stream.on("end", () => {
        const bytes = Buffer.concat(chunks);
        if (info.mimeType === "application/json" || (json === undefined && bytes[0] === 0x7b)) {
          json ??= bytes.toString("utf8");
          return;
        }
        if (!truncated) pictures.keep(bytes);
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
