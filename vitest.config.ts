import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { CAPTURE_DIR_ENV } from "./dev/lib/capture.ts";
import { RELAXED_LIMITS } from "./dev/limits.ts";
import type { EngineInfo } from "./test/setup/engines.ts";

// Where this run's stacks record what they answered and printed (dev/lib/capture.ts), for the
// secrets scan at the end of the run; each stack removes its own files when it stops.
process.env[CAPTURE_DIR_ENV] ||= join(tmpdir(), `proxygate-capture-${process.pid}-${Date.now()}`);

/**
 * The order the projects run in (Vitest's sequence.groupOrder): one group after the other, files
 * within a group in parallel as far as each project allows. Not 0: Vitest moves group-0 projects
 * whose files run one at a time (2-core machines) to the very end, after the scan. Projects that
 * run one file at a time get a group of their own (a group's projects must agree on maxWorkers).
 */
const GROUP = { parallel: 1, browser: 2, serial: 3, scan: 4 } as const;

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
          sequence: { groupOrder: GROUP.parallel },
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "e2e",
          sequence: { groupOrder: GROUP.parallel },
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
          sequence: { groupOrder: GROUP.browser },
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
      workersProject("workers", ["test/workers/**/*.test.ts"], ["test/workers/**/*.serial.test.ts"], GROUP.parallel),
      // Tests that take a shared engine down (e.g. stop Postgres) run alone, after the others.
      // One file at a time, too: one file's outage must not hit another's run.
      workersProject("workers-serial", ["test/workers/**/*.serial.test.ts"], [], GROUP.serial, false),
      {
        // The secrets canary scan, after every other project: it reads what they all captured.
        test: {
          name: "scan",
          include: ["test/scan/**/*.test.ts"],
          environment: "node",
          sequence: { groupOrder: GROUP.scan },
          testTimeout: 60_000,
        },
      },
    ],
  },
});
