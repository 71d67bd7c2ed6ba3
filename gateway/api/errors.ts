import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "../log.js";

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

/**
 * The last middleware: answers `{"error": "..."}`. Client mistakes keep their message; any
 * other error is logged with its stack and answered with a bare 500, never the stack.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const status = statusOf(error);
    if (status >= 500) log.error({ err: error, path: req.path }, "request failed");
    const message = status >= 500 ? "internal error" : (error as Error).message;
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
