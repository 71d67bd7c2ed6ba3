import { describe, expect, it } from "vitest";
import { DigestNonces, NONCE_LIMITS } from "../../../gateway/terminals/nonces.js";

/** A clock the test moves. */
function clock(startMs = 1_800_000_000_000) {
  let now = startMs;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("the Digest nonces of one gateway", () => {
  it("knows only the nonces it issued itself: another gateway's, or a changed one, is stale", () => {
    const one = new DigestNonces();
    const other = new DigestNonces();
    const nonce = one.issue();
    expect(one.issuedAt(nonce)).not.toBeNull();
    expect(other.issuedAt(nonce)).toBeNull();
    expect(other.accept("hik-1", nonce, "00000001")).toBe("stale");
    const [stamp, salt, mac] = nonce.split(".");
    for (const forged of [
      `${(Number.parseInt(stamp ?? "", 36) + 1).toString(36)}.${salt}.${mac}`,
      `${stamp}.${salt}x.${mac}`,
      `${stamp}.${salt}`,
      `${nonce}.x`,
      "0".repeat(32),
      "",
    ])
      expect(one.accept("hik-1", forged, "00000001"), forged).toBe("stale");
  });

  it.each([
    ["the first count", ["00000001"], "ok"],
    ["a higher count", ["00000001", "00000002"], "ok"],
    ["a jump in the count", ["00000001", "0000000a"], "ok"],
    ["the same count again (a replay)", ["00000001", "00000001"], "replay"],
    ["a lower count", ["00000005", "00000002"], "replay"],
    ["a count of zero", ["00000000"], "replay"],
    ["a count that is not hexadecimal", ["zz"], "replay"],
    ["no count", [""], "replay"],
  ])("%s with one nonce: %s", (_name, counts, verdict) => {
    const nonces = new DigestNonces();
    const nonce = nonces.issue();
    const verdicts = counts.map((nc) => nonces.accept("hik-1", nonce, nc));
    expect(verdicts.at(-1)).toBe(verdict);
  });

  it("counts each terminal's use of a nonce apart", () => {
    const nonces = new DigestNonces();
    const nonce = nonces.issue();
    expect(nonces.accept("hik-1", nonce, "00000001")).toBe("ok");
    expect(nonces.accept("hik-2", nonce, "00000001")).toBe("ok");
    expect(nonces.accept("hik-1", nonce, "00000001")).toBe("replay");
  });

  it("a nonce is stale after ten minutes, whatever its count", () => {
    const time = clock();
    const nonces = new DigestNonces(time.now);
    const nonce = nonces.issue();
    expect(nonces.accept("hik-1", nonce, "00000001")).toBe("ok");
    time.advance(NONCE_LIMITS.ms + 1);
    expect(nonces.accept("hik-1", nonce, "00000002")).toBe("stale");
    expect(nonces.accept("hik-1", nonces.issue(), "00000001")).toBe("ok");
  });

  it("a flood of challenges keeps nothing, so a terminal's nonce is never pushed out", () => {
    const nonces = new DigestNonces();
    const terminals = nonces.issue();
    for (let i = 0; i < 100_000; i++) nonces.issue();
    expect(nonces.accept("hik-1", terminals, "00000001")).toBe("ok");
  });

  it("keeps the counts of 64 nonces per terminal; an older nonce than those forgotten is stale, not a replay", () => {
    const time = clock();
    const nonces = new DigestNonces(time.now);
    const unused = nonces.issue();
    time.advance(1);
    const used = Array.from({ length: NONCE_LIMITS.usedPerDevice + 1 }, () => {
      time.advance(1);
      const nonce = nonces.issue();
      expect(nonces.accept("hik-1", nonce, "00000001")).toBe("ok");
      return nonce;
    });
    // The first used one was forgotten: its next count cannot be told from a replay.
    expect(nonces.accept("hik-1", used[0] ?? "", "00000002")).toBe("stale");
    expect(nonces.accept("hik-1", unused, "00000001")).toBe("stale");
    expect(nonces.accept("hik-1", used[1] ?? "", "00000002")).toBe("ok");
    expect(nonces.accept("hik-1", used[1] ?? "", "00000002")).toBe("replay");
  });
});
