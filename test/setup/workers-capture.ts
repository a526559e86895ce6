/**
 * What one test file of a workers project captured — console lines (test/setup/workers-globals.ts)
 * and the Worker's responses (test/workers/self.ts) — until it is drained after the file and handed
 * to the engines' control server for the secrets scan (test/scan/secrets.test.ts).
 */
import type { CapturedResponse } from "../../dev/lib/capture.ts";

/** How long the drain waits for the copy of a response the test left unread. */
const DRAIN_MS = 5_000;

// Kept on globalThis: the setup file and the test file may each load their own copy of this module.
const holder = globalThis as { __proxygateCaptured?: Store };
holder.__proxygateCaptured ??= { logs: [], responses: [], pending: new Set() };
const { logs, responses, pending } = holder.__proxygateCaptured;

interface Store {
  logs: string[];
  responses: CapturedResponse[];
  pending: Set<Promise<void>>;
}

export const captured = {
  logs,
  /** Records a response now and its body once `body` (a copy being read) settles. */
  response(entry: CapturedResponse, body?: Promise<string>): void {
    responses.push(entry);
    if (!body) return;
    const read = body
      .then(
        (text) => {
          entry.body = text;
        },
        (err: unknown) => {
          entry.body = `<unreadable: ${String(err)}>`;
        },
      )
      .finally(() => pending.delete(read));
    pending.add(read);
  },
  /** Waits (a bounded time) for the copies still being read, then hands over and empties. */
  async drain(): Promise<{ logs: string[]; responses: CapturedResponse[] }> {
    await Promise.race([Promise.allSettled([...pending]), new Promise((r) => setTimeout(r, DRAIN_MS))]);
    return { logs: logs.splice(0), responses: responses.splice(0) };
  },
};
