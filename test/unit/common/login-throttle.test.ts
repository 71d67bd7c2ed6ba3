import { describe, expect, it } from "vitest";
import { LOGIN_LIMITS, LoginThrottle, SLOWED_MS } from "../../../common/login-throttle.js";

/** Failed attempts, each `[account, address]`, then what the next attempt gets. */
function after(failures: [string, string][], next: [string, string]) {
  const throttle = new LoginThrottle(() => 1_000_000);
  for (const [account, address] of failures) throttle.check(account, address);
  const verdict = throttle.check(...next);
  return verdict.go ? { go: true, slowMs: verdict.slowMs } : { go: false };
}
const times = (n: number, f: (i: number) => [string, string]) =>
  Array.from({ length: n }, (_, i) => f(i));

describe("login throttling: guessers are stopped, the real owner elsewhere is not", () => {
  it.each([
    ["a first attempt", [], ["admin", "10.0.0.1"], { go: true, slowMs: 0 }],
    [
      "five wrong guesses at one address: that account there is refused",
      times(LOGIN_LIMITS.accountAtAddress, () => ["admin", "10.0.0.1"]),
      ["admin", "10.0.0.1"],
      { go: false },
    ],
    [
      "five wrong guesses at one address: the right person at another goes ahead at once",
      times(LOGIN_LIMITS.accountAtAddress, () => ["admin", "10.0.0.1"]),
      ["admin", "10.0.0.2"],
      { go: true, slowMs: 0 },
    ],
    [
      "thirty guesses from one address over many accounts: that address is refused",
      times(LOGIN_LIMITS.address, (i) => [`user-${i}`, "10.0.0.1"]),
      ["someone-else", "10.0.0.1"],
      { go: false },
    ],
    [
      "a hundred guesses at one account from a hundred addresses: slowed, never refused",
      times(LOGIN_LIMITS.account, (i) => ["admin", `10.0.1.${i}`]),
      ["admin", "10.0.9.9"],
      { go: true, slowMs: SLOWED_MS },
    ],
  ] as const)("%s", (_name, failures, next, expected) => {
    expect(after([...failures] as [string, string][], [...next] as [string, string])).toEqual(
      expected,
    );
  });

  it("forgets an account's failures at an address once its right password is given there", () => {
    const throttle = new LoginThrottle(() => 1_000_000);
    for (let i = 0; i < LOGIN_LIMITS.accountAtAddress - 1; i++) throttle.check("admin", "10.0.0.1");
    const right = throttle.check("admin", "10.0.0.1");
    if (!right.go) throw new Error("refused before the limit");
    throttle.succeeded("admin", "10.0.0.1", right.counted);
    for (let i = 0; i < LOGIN_LIMITS.accountAtAddress - 1; i++) throttle.check("admin", "10.0.0.1");
    expect(throttle.check("admin", "10.0.0.1").go).toBe(true);
  });
});
