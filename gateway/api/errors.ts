import type { ErrorRequestHandler, RequestHandler } from "express";
import { type Logger, messageOf } from "../../common/log.js";
import { isStorageFailure } from "../store/failures.js";

/** An error with an HTTP status whose message is safe to show the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, `no such path: ${req.method} ${req.path}`));
};

/** What a request that could not be written is told while the disk is full or failing. */
export const STORAGE_UNAVAILABLE =
  "存储暂不可写（磁盘已满或故障），未做任何更改，请稍后重试 / The gateway cannot write to its disk (full or failing); nothing was changed, try again shortly";

/** Seconds a client is asked to wait before trying a write again (`Retry-After`). */
export const STORAGE_RETRY_AFTER_S = 5;

/**
 * The last middleware: answers `{"error": "..."}`. Client mistakes keep their message; a
 * write the storage could not take is 503 with Retry-After (nothing changed: the transaction
 * rolled back, health says why); any other error is logged with its stack and answered with a
 * bare 500, never the stack.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (isStorageFailure(error)) {
      log.warn({ path: req.path, err: messageOf(error) }, "request not written: storage");
      res.setHeader("Retry-After", String(STORAGE_RETRY_AFTER_S));
      res.status(503).json({ error: STORAGE_UNAVAILABLE });
      return;
    }
    const status = statusOf(error);
    if (status >= 500) log.error({ err: error, path: req.path }, "request failed");
    const message = status >= 500 ? "internal error" : messageOf(error);
    res.status(status).json({ error: message });
  };
}

function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  // body-parser's errors (too large, bad JSON) carry their own 4xx status.
  const status = (error as { status?: unknown; expose?: unknown }).status;
  if (typeof status === "number" && status >= 400 && status < 500) return status;
  return 500;
}
