import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { engineInfo, startHermeticEngines } from "../../dev/engines-main.ts";
import { openCapture } from "../../dev/lib/capture.ts";
import { startRecordingProxy } from "../../dev/lib/recording-proxy.ts";
import { RELAXED_LIMITS } from "../../dev/limits.ts";
import { startWorker } from "../../dev/worker.ts";
import "./engines.ts";

/**
 * globalSetup of the `e2e` and `browser` projects: hermetic engines plus the built Worker in
 * Miniflare, black-box. Tests reach the Worker through a recording proxy, and the Worker's console
 * lines are kept too: the secrets scan (test/scan/secrets.test.ts) searches what the clients saw.
 */
export default async function setup(project: TestProject) {
  const { engines, stateDir, cleanup } = await startHermeticEngines();
  const vars = { ...engines.vars, ...RELAXED_LIMITS };
  const capture = openCapture({
    name: project.name,
    vars,
    upstreamApiKey: engines.upstreamApiKey,
    upstreamControlToken: engines.upstreamControlToken,
  });
  const stopAll = async () => {
    await cleanup();
    capture?.remove();
  };
  try {
    const worker = await startWorker({
      vars,
      outDir: join(stateDir, "build"),
      stateDir: join(stateDir, "wrangler"),
      ...(capture ? { onLog: (line: string) => capture.logs([line]) } : {}),
    });
    const proxy = capture ? await startRecordingProxy(worker.url, (r) => capture.responses([r])) : undefined;
    project.provide("engines", engineInfo(engines));
    project.provide("workerUrl", proxy?.url ?? worker.url);
    return async () => {
      await proxy?.close();
      await worker.stop();
      await stopAll();
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
