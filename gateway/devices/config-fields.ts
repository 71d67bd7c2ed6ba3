import { z } from "zod";

/**
 * Config fields that several serial protocols share (each protocol folder's config.ts takes
 * what it needs): the device kind a protocol implies, and the pass readers' debounce.
 */

/** The kind a protocol's device is: may be left out, and a wrong one says which it must be. */
export function kindOf<K extends "thermometer" | "pass_reader">(kind: K, protocol: string) {
  return z
    .literal(kind, {
      error: (issue) =>
        `${protocol} is a ${kind} protocol, but the device is a ${String(issue.input)}`,
    })
    .default(kind)
    .describe(`What the device is: a ${protocol} device is a ${kind}.`);
}

export const debounceField = z
  .number()
  .min(0)
  .default(3)
  .describe("A pass reader reporting the same card again within this many seconds is one scan.");
