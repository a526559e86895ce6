/** Canary-test helpers: everything written to the console during a test file, and whole responses as text. */
import { afterAll, beforeAll, vi } from "vitest";

/**
 * Records every console line (log, info, warn, error, debug) of the calling test file, still
 * printing it. Call at module level; the returned array fills as the tests run.
 */
export function captureLogs(): string[] {
  const logged: string[] = [];
  beforeAll(() => {
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      const original = console[method].bind(console);
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logged.push(args.map((a) => (typeof a === "string" ? a : (JSON.stringify(a) ?? String(a)))).join(" "));
        original(...args);
      });
    }
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });
  return logged;
}

/** A response as one searchable string: status, every header, body. */
export async function dump(res: Response): Promise<string> {
  return `${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}`;
}
