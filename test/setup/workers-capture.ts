/**
 * What one test file of a workers project captured — console lines (test/setup/workers-globals.ts)
 * and the Worker's responses (test/workers/self.ts) — until it is drained after the file and handed
 * to the engines' control server for the secrets scan (test/scan/secrets.test.ts).
 */
import type { CapturedResponse } from "../../dev/lib/capture.ts";

interface Store {
  logs: string[];
  responses: CapturedResponse[];
}

// Kept on globalThis: the setup file and the test file may each load their own copy of this module.
const holder = globalThis as { __proxygateCaptured?: Store };
holder.__proxygateCaptured ??= { logs: [], responses: [] };
const { logs, responses } = holder.__proxygateCaptured;

export const captured = {
  logs,
  /** Records a response; its `body` grows as the test reads it (test/workers/self.ts). */
  response(entry: CapturedResponse): void {
    responses.push(entry);
  },
  /** Hands over what this file captured, and empties. A body the test never read was never received. */
  drain(): { logs: string[]; responses: CapturedResponse[] } {
    return { logs: logs.splice(0), responses: responses.splice(0) };
  },
};
