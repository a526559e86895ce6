import type { TestProject } from "vitest/node";
import { startTestEngines } from "./engines.ts";

/** globalSetup of the `workers` project: engines for tests that run inside workerd. */
export default async function setup(project: TestProject) {
  const { info, cleanup } = await startTestEngines();
  project.provide("engines", info);
  return cleanup;
}
