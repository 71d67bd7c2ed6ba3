import { randomBytes } from "node:crypto";

/** How many nonces are kept, and for how long: a terminal answers the newest challenge. */
const KEEP = { count: 1000, ms: 600_000 };

/**
 * The Digest nonces one gateway handed out lately (RFC 7616 §3.3): a bounded, expiring set,
 * one per gateway instance (two gateways in one process do not share it).
 */
export class DigestNonces {
  private readonly issued = new Map<string, number>();

  issue(): string {
    const nonce = randomBytes(16).toString("hex");
    const now = Date.now();
    this.issued.set(nonce, now);
    // Oldest first in a Map: keep the newest ones, none older than KEEP.ms.
    for (const [old, at] of this.issued) {
      if (this.issued.size <= KEEP.count && now - at < KEEP.ms) break;
      this.issued.delete(old);
    }
    return nonce;
  }

  has(nonce: string): boolean {
    const at = this.issued.get(nonce);
    return at !== undefined && Date.now() - at < KEEP.ms;
  }
}
