/**
 * What a test run captured, for the one secrets canary scan (test/scan/secrets.test.ts): every stack
 * a test project started registers itself (its bindings: the secrets it used and how to reach its
 * Postgres) and appends every response the gateway gave and every console line it printed, as they
 * happen, to files in the run's capture folder. The folder's path comes from vitest.config.ts in
 * `PROXYGATE_CAPTURE_DIR`; without it (npm start, benchmarks) nothing is recorded.
 *
 * Files per stack `<name>`: `<name>.stack.json`, `<name>.logs.ndjson` (one JSON string per line),
 * `<name>.responses.ndjson` (one {@link CapturedResponse} per line). The stack removes its own files
 * when it stops, which Vitest does after every project's tests, the scan's included.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { WorkerVars } from "../worker.ts";

export const CAPTURE_DIR_ENV = "PROXYGATE_CAPTURE_DIR";

/** Bodies beyond this are cut: the gateway's responses are small; a dashboard bundle is the largest. */
const MAX_BODY_CHARS = 1 << 20;

export interface CapturedResponse {
  method: string;
  url: string;
  status: number;
  headers: [string, string][];
  body: string;
}

export interface CapturedStack {
  name: string;
  vars: WorkerVars;
  /** The demo upstream's provider key and control token: secrets the suite used, not Worker bindings. */
  upstreamApiKey: string;
  upstreamControlToken: string;
}

export function captureDir(): string | undefined {
  return process.env[CAPTURE_DIR_ENV] || undefined;
}

/** One stack's recorder; `undefined` from {@link openCapture} when the run records nothing. */
export interface CaptureSink {
  logs(lines: readonly string[]): void;
  responses(responses: readonly CapturedResponse[]): void;
  /** Removes this stack's files (and the folder, once it is empty). */
  remove(): void;
}

export function openCapture(stack: CapturedStack): CaptureSink | undefined {
  const dir = captureDir();
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (kind: string) => join(dir, `${stack.name}.${kind}`);
  writeFileSync(file("stack.json"), JSON.stringify(stack), { mode: 0o600 });
  const append = (kind: string, items: readonly unknown[]) => {
    if (items.length > 0) appendFileSync(file(kind), `${items.map((i) => JSON.stringify(i)).join("\n")}\n`);
  };
  return {
    logs: (lines) => append("logs.ndjson", lines),
    responses: (responses) =>
      append(
        "responses.ndjson",
        responses.map((r) => ({ ...r, body: r.body.slice(0, MAX_BODY_CHARS) })),
      ),
    remove() {
      for (const kind of ["stack.json", "logs.ndjson", "responses.ndjson"]) rmSync(file(kind), { force: true });
      try {
        rmdirSync(dir);
      } catch {
        // Another stack of the run still has files here; the last one removes the folder.
      }
    },
  };
}

export interface CaptureRecord {
  stack: CapturedStack;
  logs: string[];
  responses: CapturedResponse[];
}

/** Everything the run's stacks recorded so far (read by the scan, after every other project). */
export function readCaptures(dir: string): CaptureRecord[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const lines = (file: string) => {
    try {
      return readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean);
    } catch {
      return [];
    }
  };
  return names
    .filter((f) => f.endsWith(".stack.json"))
    .map((f) => {
      const stack = JSON.parse(readFileSync(join(dir, f), "utf8")) as CapturedStack;
      return {
        stack,
        logs: lines(`${stack.name}.logs.ndjson`).map((l) => JSON.parse(l) as string),
        responses: lines(`${stack.name}.responses.ndjson`).map((l) => JSON.parse(l) as CapturedResponse),
      };
    });
}
