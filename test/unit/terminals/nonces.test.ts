import { afterEach, describe, expect, it, vi } from "vitest";
import { DigestNonces } from "../../../gateway/terminals/nonces.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("the Digest nonces of one gateway", () => {
  it("knows only the nonces it issued itself: another gateway's set is its own", () => {
    const one = new DigestNonces();
    const other = new DigestNonces();
    const nonce = one.issue();
    expect(one.has(nonce)).toBe(true);
    expect(other.has(nonce)).toBe(false);
    expect(one.has("0".repeat(32))).toBe(false);
  });

  it("keeps the newest 1,000 and forgets a nonce after ten minutes", () => {
    vi.useFakeTimers();
    const nonces = new DigestNonces();
    const first = nonces.issue();
    const issued = Array.from({ length: 1000 }, () => nonces.issue());
    expect(nonces.has(first)).toBe(false);
    expect(issued.every((n) => nonces.has(n))).toBe(true);
    vi.advanceTimersByTime(600_001);
    expect(nonces.has(issued.at(-1) ?? "")).toBe(false);
  });
});
