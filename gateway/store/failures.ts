/**
 * A failure of the storage itself (disk full, I/O error, the file gone, the database closed or
 * locked too long), as opposed to a write that cannot be made (a conflict, a constraint, a bug):
 * the first makes every write fail alike and is what health reports; the second concerns one
 * message or request.
 */
export function isStorageFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === "string" &&
    /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|CORRUPT|NOTADB)/.test(code)
  )
    return true;
  return /database file|database connection is not open/.test(error.message);
}
