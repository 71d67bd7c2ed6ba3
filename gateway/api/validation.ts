import type { z } from "zod";
import { HttpError } from "./errors.js";

/** Validates request input; a failure is a 400 naming every bad field as `where.path: message`. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = [where, ...issue.path].join(".");
    return `${path}: ${issue.message}`;
  });
  throw new HttpError(400, problems.join("; "));
}
