import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { engineInfo, startHermeticEngines } from "../../dev/engines-main.ts";
import { RELAXED_LIMITS } from "../../dev/limits.ts";
import { startWorker } from "../../dev/worker.ts";
import "./engines.ts";

/** globalSetup of the `e2e` project: hermetic engines plus the built Worker in Miniflare, black-box. */
export default async function setup(project: TestProject) {
  const { engines, stateDir, cleanup } = await startHermeticEngines();
  try {
    const worker = await startWorker({
      vars: { ...engines.vars, ...RELAXED_LIMITS },
      outDir: join(stateDir, "build"),
      stateDir: join(stateDir, "wrangler"),
    });
    project.provide("engines", engineInfo(engines));
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
