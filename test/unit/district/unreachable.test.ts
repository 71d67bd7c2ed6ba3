import { describe, expect, it } from "vitest";
import { isUnreachable } from "../../../district/store/unreachable.js";

const withCode = (code: string, message = "x") => Object.assign(new Error(message), { code });

describe("isUnreachable: the database out of reach, or something about the rows", () => {
  it.each([
    ["a refused connection", withCode("ECONNREFUSED"), true],
    ["a reset connection", withCode("ECONNRESET"), true],
    ["a connection exception (08006)", withCode("08006"), true],
    ["the server shutting down (57P01)", withCode("57P01"), true],
    ["the server starting (57P03)", withCode("57P03"), true],
    ["too many connections (53300)", withCode("53300"), true],
    ["pg's own terminated connection", new Error("Connection terminated unexpectedly"), true],
    ["a NUL in text (22P05)", withCode("22P05"), false],
    ["a value out of range (22008)", withCode("22008"), false],
    ["a constraint (23505)", withCode("23505"), false],
    ["no partition for a row (23514)", withCode("23514"), false],
    ["a JavaScript date error", new RangeError("Invalid time value"), false],
    ["anything else thrown", "a string", false],
  ])("%s: %s", (_, error, unreachable) => {
    expect(isUnreachable(error)).toBe(unreachable);
  });
});
