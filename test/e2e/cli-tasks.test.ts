/**
 * `proxygate tasks` as two people run it: the bundled binary (built into this test's own folder)
 * as child processes against the built Worker and the hermetic engines. A poster and a solver,
 * each with their own Solana keypair and config file, both signed in with `proxygate login`. The
 * poster deposits, posts a task (the hold shows in the balance), the solver claims and submits,
 * the poster approves: the hold becomes the poster's unsettled task_reward charge. Refusals along
 * the way are one line and exit 1, and change nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKeyPairSignerFromPrivateKeyBytes, getAddressEncoder } from "@solana/kit";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { faucet } from "../../dev/lib/buyer.ts";
import { type Run, runNode } from "./run-node.ts";

const gateway = inject("workerUrl");
const engines = inject("engines");
const root = join(import.meta.dirname, "..", "..");

interface Person {
  name: string;
  dir: string;
  wallet: string;
  env: Record<string, string>;
}

interface Task {
  id: string;
  status: string;
  poster: string;
  solver: string | null;
  reward: string;
  holdAmount: string;
  solverPayout: string;
  submission: { kind: string; value: string } | null;
  reviewWindowSeconds: number;
}

interface Balance {
  available: string;
  held: string;
  unsettled: string;
}

let dir: string;
let bin: string;
let poster: Person;
let solver: Person;

/** `proxygate <args>` as `who` (their HOME, their config file). */
function cli(who: Person, args: string[], stdin = ""): Promise<Run> {
  return runNode([bin, ...args], { env: who.env, cwd: who.dir, stdin });
}

async function cliJson<T>(who: Person, args: string[], stdin = ""): Promise<T> {
  const run = await cli(who, [...args, "--json"], stdin);
  expect(run.code, `${who.name}: proxygate ${args.join(" ")}: ${run.stderr}`).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** One error line on stderr, no stack trace, the given exit code. */
function expectOneLineError(run: Run, code: number, pattern: RegExp): void {
  expect(run.code, run.stderr).toBe(code);
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

/** A person with a Solana CLI keypair file and a config of their own, funded by the dev faucet. */
async function person(name: string, usdc: number): Promise<Person> {
  const home = join(dir, name);
  mkdirSync(home);
  const seed = crypto.getRandomValues(new Uint8Array(32));
  const signer = await createKeyPairSignerFromPrivateKeyBytes(seed);
  writeFileSync(join(home, "id.json"), JSON.stringify([...seed, ...getAddressEncoder().encode(signer.address)]));
  await faucet(engines.solanaRpcUrl, signer.address, { sol: 2_000_000_000, usdc });
  return {
    name,
    dir: home,
    wallet: signer.address,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: home,
      PROXYGATE_URL: gateway,
      PROXYGATE_CONFIG: join(home, "config", "proxygate.json"),
      PROXYGATE_RPC_URL: engines.solanaRpcUrl,
    },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "proxygate-cli-tasks-"));
  bin = join(dir, "proxygate.js");
  const build = await runNode([join(root, "cli", "build.ts"), bin], {
    env: { PATH: process.env.PATH ?? "" },
    cwd: root,
  });
  expect(build.code, build.stdout + build.stderr).toBe(0);
  [poster, solver] = await Promise.all([person("poster", 5_000_000), person("solver", 0)]);
  for (const who of [poster, solver]) {
    const login = await cli(who, ["login", "--keypair", "id.json"]);
    expect(login.code, login.stderr).toBe(0);
  }
  expect((await cliJson<{ status: string }>(poster, ["vault", "open"])).status).toBe("active");
  const deposit = await cliJson<{ balance: { available: string } }>(poster, ["deposit", "3"]);
  expect(deposit.balance.available).toBe("3000000");
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("proxygate tasks, poster and solver end to end", { timeout: 120_000 }, () => {
  let task: Task;

  it("the poster posts a task: reward + 5 % is held from the available balance", async () => {
    const human = await cli(
      poster,
      [
        "tasks",
        "create",
        "--title",
        "Summarise the settlement design",
        "--reward",
        "1.2",
        "--review-window",
        "1h",
        "--description-file",
        "-",
      ],
      "Three paragraphs,\nplain English.",
    );
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/reward\s+1\.20 USDC \(solver receives 1\.14\)/);
    expect(human.stdout).toMatch(/held\s+1\.26 USDC/);
    expect(human.stderr).toContain("1.26 USDC held from your balance");
    const id = /^id\s+([0-9a-f-]{36})$/m.exec(human.stdout)?.[1] ?? "";
    task = await cliJson<Task>(poster, ["tasks", "show", id]);
    expect(task).toMatchObject({
      status: "open",
      poster: poster.wallet,
      reward: "1200000",
      holdAmount: "1260000",
      solverPayout: "1140000",
      reviewWindowSeconds: 3600,
    });
    expect(await cliJson<Balance>(poster, ["balance"])).toMatchObject({
      available: "1740000",
      held: "1260000",
      unsettled: "0",
    });
    const shown = await cli(poster, ["balance"]);
    expect(shown.stdout).toMatch(/held\s+1\.26 USDC/);
  });

  it("the solver finds it on the board and claims it; a second claim is refused", async () => {
    const board = await cliJson<{ tasks: Task[] }>(solver, ["tasks", "--status", "open", "--poster", poster.wallet]);
    expect(board.tasks.map((t) => t.id)).toEqual([task.id]);
    const table = await cli(solver, ["tasks", "list", "--status", "open", "--min-reward", "1.2"]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`${task.id}\\s+open\\s+1\\.20`));

    // The poster cannot claim their own task.
    expectOneLineError(
      await cli(poster, ["tasks", "claim", task.id]),
      1,
      /^proxygate: .+ \((forbidden|conflict), request /,
    );
    const claimed = await cli(solver, ["tasks", "claim", task.id]);
    expect(claimed.code, claimed.stderr).toBe(0);
    expect(claimed.stdout).toContain(`Claimed task ${task.id}`);
    expectOneLineError(await cli(solver, ["tasks", "claim", task.id]), 1, /\(conflict, request /);
    expect(await cliJson<Task>(solver, ["tasks", "show", task.id])).toMatchObject({
      status: "claimed",
      solver: solver.wallet,
    });
    const mine = await cliJson<{ tasks: Task[] }>(solver, ["tasks", "--solver", "me"]);
    expect(mine.tasks.map((t) => t.id)).toEqual([task.id]);
  });

  it("only the solver submits; the work is a text reference, shown to the poster", async () => {
    const stranger = await cli(poster, ["tasks", "submit", task.id, "--link", "https://example.com/x"]);
    expectOneLineError(stranger, 1, /\(forbidden, request /);
    expectOneLineError(await cli(solver, ["tasks", "submit", task.id]), 2, /exactly one of --link/);
    const submitted = await cli(
      solver,
      ["tasks", "submit", task.id, "--text-file", "-"],
      "Batches settle every 10 min.",
    );
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(submitted.stdout).toMatch(/Submitted work for task .+ reviews it until \d{4}-\d\d-\d\d /);
    const seen = await cli(poster, ["tasks", "show", task.id]);
    expect(seen.stdout).toMatch(/status\s+submitted/);
    expect(seen.stdout).toMatch(/work\s+text: Batches settle every 10 min\./);
  });

  it("only the poster approves: the hold becomes the poster's unsettled reward charge", async () => {
    expectOneLineError(await cli(solver, ["tasks", "approve", task.id]), 1, /\(forbidden, request /);
    const approved = await cli(poster, ["tasks", "approve", task.id]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain("the solver is paid 1.14 USDC in the next settlement");
    expect(await cliJson<Task>(solver, ["tasks", "show", task.id])).toMatchObject({
      status: "approved",
      solver: solver.wallet,
      solverPayout: "1140000",
    });
    // Held 1.26 is now an unsettled charge of 1.26: available stays where the hold put it.
    expect(await cliJson<Balance>(poster, ["balance"])).toMatchObject({
      available: "1740000",
      held: "0",
      unsettled: "1260000",
    });
    // A finished task cannot be cancelled or approved again; nothing changes.
    expectOneLineError(await cli(poster, ["tasks", "cancel", task.id]), 1, /\(conflict, request /);
    expectOneLineError(await cli(poster, ["tasks", "approve", task.id]), 1, /\(conflict, request /);
    expect((await cliJson<Balance>(poster, ["balance"])).unsettled).toBe("1260000");
  });

  it("the poster's usage lists the reward entry against the task", async () => {
    await expect
      .poll(
        async () => {
          const usage = await cliJson<{ entries: { kind: string; taskId: string | null; charge: string }[] }>(poster, [
            "usage",
          ]);
          return usage.entries.find((e) => e.taskId === task.id) ?? null;
        },
        { timeout: 60_000, interval: 500 },
      )
      .toMatchObject({ kind: "task_reward", charge: "1260000" });
  });

  it("cancel releases an open task's hold in full; a bad reward is exit 2 before any request", async () => {
    const other = await cliJson<Task>(poster, ["tasks", "create", "--title", "Second", "--reward", "0.5"]);
    expect((await cliJson<Balance>(poster, ["balance"])).held).toBe("525000");
    const cancelled = await cli(poster, ["tasks", "cancel", other.id]);
    expect(cancelled.stdout).toContain("0.525 USDC released");
    expect(await cliJson<Balance>(poster, ["balance"])).toMatchObject({ held: "0", available: "1740000" });
    expectOneLineError(await cli(poster, ["tasks", "create", "--title", "x", "--reward", "-1"]), 2, /--reward/);
    // More than the available balance: 402 from the gateway, exit 1, nothing held.
    expectOneLineError(
      await cli(poster, ["tasks", "create", "--title", "Too big", "--reward", "100"]),
      1,
      /\(insufficient_credit, request /,
    );
    expect((await cliJson<Balance>(poster, ["balance"])).held).toBe("0");
  });
});
