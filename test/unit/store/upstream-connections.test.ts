import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Store } from "../../../gateway/store/store.js";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("the number of each connection to the district's broker", () => {
  it("rises with every connection: with the clock, past a clock set back, and across a restart", () => {
    dir = mkdtempSync(join(tmpdir(), "cg-connections-"));
    const path = join(dir, "gateway.db");
    const T = 1_764_766_486_000;
    let store = Store.open(path, "gw-1");
    const numbers = [store.upstreamConnections.next(T), store.upstreamConnections.next(T)];
    // The clock is set back an hour.
    numbers.push(store.upstreamConnections.next(T - 3_600_000));
    store.close();
    store = Store.open(path, "gw-1");
    numbers.push(store.upstreamConnections.next(T - 3_600_000));
    numbers.push(store.upstreamConnections.next(T + 60_000));
    store.close();
    expect(numbers).toEqual([T, T + 1, T + 2, T + 3, T + 60_000]);
  });
});
