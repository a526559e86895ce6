import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startWorker } from "../../dev/worker.ts";
import { startTestEngines } from "./engines.ts";

/** globalSetup of the `e2e` project: engines plus the built Worker in Miniflare, black-box. */
export default async function setup(project: TestProject) {
  const { info, stateDir, cleanup } = await startTestEngines();
  try {
    const worker = await startWorker({
      vars: info.vars,
      outDir: join(stateDir, "build"),
      stateDir: join(stateDir, "wrangler"),
    });
    project.provide("engines", info);
    project.provide("workerUrl", worker.url);
    return async () => {
      await worker.stop();
      await cleanup();
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
