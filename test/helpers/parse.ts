import type { Transform } from "node:stream";
import { DROP_EVENT, type FrameDrop } from "../../gateway/devices/frame-result.js";

/** Feeds chunks to a parser and collects what comes out: frames and drops. */
export async function parseChunks<F>(
  parser: Transform,
  chunks: Buffer[],
): Promise<{ frames: F[]; drops: FrameDrop[] }> {
  const frames: F[] = [];
  const drops: FrameDrop[] = [];
  parser.on("data", (frame: F) => frames.push(frame));
  parser.on(DROP_EVENT, (drop: FrameDrop) => drops.push(drop));
  for (const chunk of chunks) parser.write(chunk);
  await new Promise((resolve) => parser.end(resolve));
  return { frames, drops };
}

export function hexBytes(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ""), "hex");
}

/** Every way to cut `bytes` in two. */
export function allSplits(bytes: Buffer): Buffer[][] {
  return Array.from({ length: bytes.length - 1 }, (_, i) => [
    bytes.subarray(0, i + 1),
    bytes.subarray(i + 1),
  ]);
}
