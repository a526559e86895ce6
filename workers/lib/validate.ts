import type { ValidationTargets } from "hono";
import { validator } from "hono/validator";
import type { z } from "zod";
import { ApiError } from "../errors.ts";

/** Turns zod issues into one readable line: `amount: expected a positive integer; wallet: required`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
    .join("; ");
}

/**
 * Validates one part of the request with a zod schema; a failure is a 400 `invalid_request` in the
 * one error envelope (never zod's raw output). Handlers read the parsed value with `c.req.valid()`.
 *
 * @example
 * app.post("/v1/deposits", validate("json", DepositBody), (c) => c.json(c.req.valid("json")));
 */
export function validate<T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return validator(target, async (value) => {
    const parsed = await schema.safeParseAsync(value);
    if (!parsed.success) throw new ApiError("invalid_request", `Invalid ${target}: ${describeIssues(parsed.error)}`);
    return parsed.data as z.output<T>;
  });
}
