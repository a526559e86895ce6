import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { TestProject } from "vitest/node";
import type { EngineInfo } from "./engines.ts";

/**
 * globalSetup of the `workers` project. This project's modules resolve for workerd, so the
 * engines (Node code: LiteSVM, child processes) run in a child Node process of their own
 * (dev/engines-main.ts); it is stopped by PID on teardown.
 */
export default async function setup(project: TestProject) {
  const child = spawn(process.execPath, [join(import.meta.dirname, "..", "..", "dev", "engines-main.ts")], {
    stdio: ["pipe", "pipe", "inherit"],
    // The name its captures go by, for the secrets scan (dev/lib/capture.ts).
    env: { ...process.env, PROXYGATE_CAPTURE_NAME: project.name },
  });
  const exited = once(child, "exit");
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise<EngineInfo>((resolve, reject) => {
    lines.on("line", (line) => {
      if (line.startsWith("READY ")) resolve(JSON.parse(line.slice("READY ".length)) as EngineInfo);
    });
    child.once("exit", (code) => reject(new Error(`engines exited with code ${code} before they were ready`)));
  });
  project.provide("engines", info);
  return async () => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGTERM");
    await exited;
  };
}
