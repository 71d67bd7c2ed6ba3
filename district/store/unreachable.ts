/**
 * The database is out of reach (no connection, the server going down or refusing connections),
 * as opposed to anything about the rows: then nothing is acknowledged and the batch waits. A
 * socket's error (ECONNREFUSED ...) has a `code` that is no SQLSTATE; SQLSTATE class 08 is a
 * connection exception, 57P01-57P03 the server shutting down or starting, 53300 too many
 * connections; pg's own "Connection terminated" has no code. Everything else (a data exception,
 * a constraint, a JavaScript error on a strange value) is about the batch's rows.
 */
export function isUnreachable(error: unknown): boolean {
  const code = typeof error === "object" && error !== null && "code" in error ? error.code : null;
  if (typeof code === "string")
    return /^E[A-Z]+$/.test(code) || /^08/.test(code) || /^(57P01|57P02|57P03|53300)$/.test(code);
  return (
    error instanceof Error &&
    /Connection terminated|connection timeout|not queryable/i.test(error.message)
  );
}
