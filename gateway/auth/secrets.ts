import { createHash, timingSafeEqual } from "node:crypto";

/** Compares a password without leaking its length or content through timing. */
export function sameSecret(given: Buffer | string, expected: string): boolean {
  const digest = (value: Buffer | string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
