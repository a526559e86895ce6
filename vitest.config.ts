import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { RELAXED_LIMITS } from "./dev/limits.ts";
import type { EngineInfo } from "./test/setup/engines.ts";

/** The default order, except that the secrets scan runs after every other file (it scans what they left). */
class ScanLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isScan = (f: TestSpecification) => f.moduleId.endsWith("secrets-scan.serial.test.ts");
    return [...sorted.filter((f) => !isScan(f)), ...sorted.filter(isScan)];
  }
}

/** A project whose tests run inside workerd against engines of its own (started in globalSetup). */
function workersProject(name: string, include: string[], exclude: string[], groupOrder: number, parallel = true) {
  return {
    plugins: [
      cloudflareTest(({ inject }) => {
        const engines = inject<EngineInfo>("engines");
        return {
          wrangler: { configPath: "./wrangler.toml" },
          miniflare: { bindings: { ...engines.vars, ...RELAXED_LIMITS } },
        };
      }),
    ],
    test: {
      name,
      include,
      exclude,
      sequence: { groupOrder },
      fileParallelism: parallel,
      globalSetup: ["test/setup/workers.ts"],
      setupFiles: ["test/setup/workers-globals.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
}

export default defineConfig({
  test: {
    sequence: { sequencer: ScanLastSequencer },
    projects: [
      {
        // The Worker imports its Lua scripts as text (wrangler's Text rule); so do the unit tests.
        plugins: [
          {
            name: "lua-as-text",
            transform(code: string, id: string) {
              return id.endsWith(".lua") ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined;
            },
          },
        ],
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/setup/e2e.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          // The same stack as e2e: hermetic engines plus the built Worker, which serves the dashboard.
          globalSetup: ["test/setup/e2e.ts"],
          // One Chromium at a time: the machines have two cores.
          fileParallelism: false,
          // Generous: ledger entries and the catalog cache land seconds after a call, more under load.
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      workersProject("workers", ["test/workers/**/*.test.ts"], ["test/workers/**/*.serial.test.ts"], 0),
      // Tests that take a shared engine down (e.g. stop Postgres) run alone, after the others.
      // One file at a time, too: one file's outage must not hit another's run.
      workersProject("workers-serial", ["test/workers/**/*.serial.test.ts"], [], 1, false),
    ],
  },
});
