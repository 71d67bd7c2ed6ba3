import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** How long a nonce is good for, and how many used nonces each terminal keeps counts of. */
export const NONCE_LIMITS = { ms: 600_000, usedPerDevice: 64 };

/** What a right Digest answer's nonce and count say: go on, ask again (stale), or a replay. */
export type NonceVerdict = "ok" | "stale" | "replay";

interface Used {
  /** The highest `nc` the terminal used with this nonce. */
  nc: number;
  issuedMs: number;
}

/**
 * The Digest nonces of one gateway (RFC 7616 §3.3, its own suggestion of a nonce: a time stamp
 * and a keyed hash of it). Issuing keeps nothing, so no flood of anonymous challenges can push out
 * the nonce a terminal is about to answer (1,001 challenges once did, and the terminal got 401 on
 * 19 of 20 posts). State is kept only for nonces a terminal answered rightly: per terminal, the
 * highest `nc` of each (a repeat or a lower count is a replay), bounded; a nonce older than the
 * ones forgotten, or older than NONCE_LIMITS.ms, is stale: the terminal is asked again with
 * `stale=true`, which is not a wrong password. One instance per gateway: another gateway's
 * nonces (another key) are not its own.
 */
export class DigestNonces {
  private readonly key = randomBytes(32);
  private readonly used = new Map<
    string,
    { nonces: Map<string, Used>; forgottenBeforeMs: number }
  >();

  constructor(private readonly now: () => number = Date.now) {}

  /** `<time>.<salt>.<mac>`: the salt keeps two challenges of one millisecond apart. */
  issue(): string {
    const signed = `${this.now().toString(36)}.${randomBytes(6).toString("base64url")}`;
    return `${signed}.${this.sign(signed)}`;
  }

  /** When this gateway issued the nonce, or null for one it did not. */
  issuedAt(nonce: string): number | null {
    const [stamp, salt, mac, rest] = nonce.split(".");
    if (!stamp || !salt || !mac || rest !== undefined || !/^[0-9a-z]{1,12}$/.test(stamp))
      return null;
    const expected = Buffer.from(this.sign(`${stamp}.${salt}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return Number.parseInt(stamp, 36);
  }

  /**
   * A right answer of `deviceId` with this nonce and count (`nc`, hexadecimal as sent): counted
   * only when "ok". Call only after the response hash is checked.
   */
  accept(deviceId: string, nonce: string, ncText: string): NonceVerdict {
    const issuedMs = this.issuedAt(nonce);
    const nc = /^[0-9a-f]{1,8}$/i.test(ncText) ? Number.parseInt(ncText, 16) : Number.NaN;
    if (issuedMs === null || this.now() - issuedMs > NONCE_LIMITS.ms) return "stale";
    if (!Number.isInteger(nc) || nc < 1) return "replay";
    let device = this.used.get(deviceId);
    if (!device) {
      device = { nonces: new Map(), forgottenBeforeMs: 0 };
      this.used.set(deviceId, device);
    }
    const seen = device.nonces.get(nonce);
    if (seen) {
      if (nc <= seen.nc) return "replay";
      seen.nc = nc;
      return "ok";
    }
    // Its count was forgotten: a replay could not be told, so it is asked again.
    if (issuedMs <= device.forgottenBeforeMs) return "stale";
    device.nonces.set(nonce, { nc, issuedMs });
    for (const [old, entry] of device.nonces) {
      if (device.nonces.size <= NONCE_LIMITS.usedPerDevice) break;
      device.nonces.delete(old);
      device.forgottenBeforeMs = Math.max(device.forgottenBeforeMs, entry.issuedMs);
    }
    return "ok";
  }

  private sign(signed: string): string {
    return createHmac("sha256", this.key).update(signed).digest("base64url").slice(0, 32);
  }
}
