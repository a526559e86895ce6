import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, resolve } from "../../cli/args.ts";
import {
  createTaskBody,
  formatDuration,
  formatTask,
  formatTasks,
  parseDuration,
  type Task,
  taskQuery,
  workReference,
} from "../../cli/commands/tasks.ts";
import { CliError, EXIT } from "../../cli/errors.ts";
import { COMMANDS, main } from "../../cli/main.ts";
import type { Io } from "../../cli/output.ts";

const ME = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";
const OTHER = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";
const me = () => ME;

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(EXIT.usage);
    return (err as CliError).message;
  }
  throw new Error("expected a usage error");
}

async function usageAsync(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CliError);
  expect((err as CliError).exitCode).toBe(EXIT.usage);
  return (err as CliError).message;
}

function io(stdin = ""): Io {
  return {
    out: async () => {},
    err: () => {},
    errRaw: () => {},
    interactive: false,
    env: { PROXYGATE_CONFIG: "/nonexistent/proxygate.json" },
    stdin: async () => stdin,
  };
}

const task: Task = {
  id: "0b6f0c2e-5a5e-4c8f-9a57-3b1f3c7d2e10",
  poster: ME,
  title: "Translate the README",
  description: "German,\nplease",
  reward: "2500000",
  holdAmount: "2625000",
  solverPayout: "2375000",
  status: "submitted",
  solver: OTHER,
  submission: { kind: "url", value: "https://example.com/readme.de.md" },
  reviewWindowSeconds: 86_400,
  deadline: null,
  reviewDeadline: "2026-11-24T10:00:00.000Z",
  claimedAt: "2026-11-23T09:00:00.000Z",
  submittedAt: "2026-11-23T10:00:00.000Z",
  resolvedAt: null,
  disputedBy: null,
  disputeReason: null,
  createdAt: "2026-11-23T08:00:00.000Z",
  updatedAt: "2026-11-23T10:00:00.000Z",
};

describe("proxygate tasks: command resolution and parsing", () => {
  it("resolves every subcommand, `tasks` and `tasks list` to the list", () => {
    for (const verb of ["show", "create", "claim", "submit", "approve", "reject", "cancel", "dispute"]) {
      const r = resolve(["tasks", verb, task.id, "--json"], COMMANDS);
      expect(r.kind === "command" && r.command.path).toEqual(["tasks", verb]);
    }
    const list = resolve(["tasks", "--status", "open"], COMMANDS);
    expect(list.kind === "command" && list.command.path).toEqual(["tasks"]);
    const alias = resolve(["tasks", "list"], COMMANDS);
    expect(alias.kind === "command" && alias.command.path).toEqual(["tasks", "list"]);
    // An unknown verb is the list with a stray argument: refused by the parser.
    const stray = resolve(["tasks", "steal", task.id], COMMANDS);
    expect(stray.kind).toBe("command");
    if (stray.kind === "command") {
      expect(usage(() => parse(stray.command, stray.argv))).toMatch(/unexpected argument "steal"/);
    }
  });

  it("transitions take exactly one id; options are strict", () => {
    const claim = COMMANDS.find((c) => c.path.join(" ") === "tasks claim")!;
    expect(parse(claim, [task.id]).positionals).toEqual([task.id]);
    expect(usage(() => parse(claim, []))).toMatch(/missing argument: proxygate tasks claim <id>/);
    expect(usage(() => parse(claim, [task.id, "x"]))).toMatch(/unexpected argument "x"/);
    expect(usage(() => parse(claim, [task.id, "--reward", "1"]))).toMatch(/reward/);
  });

  it("no command option shadows a global one (--url is the gateway, everywhere)", () => {
    for (const command of COMMANDS) {
      for (const name of Object.keys(command.options ?? {})) {
        expect(["url", "key", "json", "help"], `${command.path.join(" ")} --${name}`).not.toContain(name);
      }
    }
  });

  it("a malformed id is a usage error before any request (exit 2)", async () => {
    const errors: string[] = [];
    const code = await main(["tasks", "approve", "../v1/keys"], { ...io(), err: (l) => errors.push(l) });
    expect(code).toBe(EXIT.usage);
    expect(errors).toEqual(['proxygate: "../v1/keys" is not a task id (a UUID) (usage)']);
  });
});

describe("proxygate tasks: argument values", () => {
  it("durations: seconds or s/m/h/d, at least a second", () => {
    expect(parseDuration("90")).toBe(90);
    expect(parseDuration("30m")).toBe(1800);
    expect(parseDuration("2h")).toBe(7200);
    expect(parseDuration("3d")).toBe(259_200);
    for (const bad of ["0", "1.5h", "-1", "2w", "", "h"]) usage(() => parseDuration(bad));
    expect(formatDuration(86_400)).toBe("1d");
    expect(formatDuration(5400)).toBe("90m");
    expect(formatDuration(61)).toBe("61s");
  });

  it("list filters: rewards in USDC go out as micro-USDC; `me` is the signed-in wallet", () => {
    expect(taskQuery({}, me)).toBe("");
    expect(
      taskQuery(
        { status: "open", "min-reward": "0.5", "max-reward": "2", poster: "me", solver: OTHER, limit: "10" },
        me,
      ),
    ).toBe(`?status=open&minReward=500000&maxReward=2000000&poster=${ME}&solver=${OTHER}&limit=10`);
    expect(usage(() => taskQuery({ status: "done" }, me))).toMatch(/--status must be one of open/);
    expect(usage(() => taskQuery({ "min-reward": "2", "max-reward": "1" }, me))).toMatch(/must not exceed/);
    usage(() => taskQuery({ "min-reward": "-1" }, me));
    usage(() => taskQuery({ poster: "not-a-wallet!" }, me));
    usage(() => taskQuery({ limit: "101" }, me));
  });

  it("create: title and reward required, reward in micro-USDC, review window default 1 day", () => {
    expect(createTaskBody({ title: "Fix it", reward: "2.5" }, undefined)).toEqual({
      title: "Fix it",
      reward: "2500000",
      reviewWindowSeconds: 86_400,
    });
    expect(
      createTaskBody(
        { title: "Fix it", reward: "0.000001", "review-window": "90s", deadline: "2030-01-01T00:00:00Z" },
        "details",
      ),
    ).toEqual({
      title: "Fix it",
      reward: "1",
      reviewWindowSeconds: 90,
      description: "details",
      deadline: "2030-01-01T00:00:00.000Z",
    });
    const relative = createTaskBody({ title: "t", reward: "1", deadline: "+1h" }, undefined);
    const ms = new Date(relative.deadline as string).getTime() - Date.now();
    expect(ms).toBeGreaterThan(3_500_000);
    expect(ms).toBeLessThanOrEqual(3_600_000);
    expect(usage(() => createTaskBody({ reward: "1" }, undefined))).toMatch(/--title/);
    expect(usage(() => createTaskBody({ title: "t" }, undefined))).toMatch(/--reward/);
    expect(usage(() => createTaskBody({ title: "t", reward: "0" }, undefined))).toMatch(/more than 0/);
    expect(usage(() => createTaskBody({ title: "t", reward: "1.0000001" }, undefined))).toMatch(/6 decimals/);
    expect(usage(() => createTaskBody({ title: "t", reward: "1", deadline: "soon" }, undefined))).toMatch(/deadline/);
  });

  it("submit: exactly one work reference; --file submits the file's sha256", async () => {
    expect(await workReference(io(), { link: "https://x.test/a" })).toEqual({ kind: "url", value: "https://x.test/a" });
    expect(await workReference(io("piped\n"), { "text-file": "-" })).toEqual({ kind: "text", value: "piped\n" });
    const hex = "a".repeat(64);
    expect(await workReference(io(), { hash: hex })).toEqual({ kind: "hash", value: `sha256:${hex}` });
    const dir = mkdtempSync(join(tmpdir(), "cli-tasks-"));
    writeFileSync(join(dir, "work.txt"), "abc");
    expect(await workReference(io(), { file: join(dir, "work.txt") })).toEqual({
      kind: "hash",
      value: "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    });
    expect(await usageAsync(workReference(io(), {}))).toMatch(/exactly one of/);
    expect(await usageAsync(workReference(io(), { link: "https://x", text: "y" }))).toMatch(/exactly one of/);
    expect(await usageAsync(workReference(io(), { text: "a", "text-file": "-" }))).toMatch(/exclude each other/);
    expect(await usageAsync(workReference(io(), { hash: "sha256:ABC" }))).toMatch(/64 lowercase hex/);
    expect(await usageAsync(workReference(io(), { file: join(dir, "missing") }))).toMatch(/ENOENT/);
  });
});

describe("proxygate tasks: output", () => {
  it("the table shows rewards in USDC and marks the signed-in wallet as you", () => {
    const text = formatTasks([task], ME);
    expect(text.split("\n")[0]).toMatch(/^ID\s+STATUS\s+REWARD \(USDC\)\s+POSTER\s+SOLVER/);
    expect(text).toContain("2.50");
    expect(text).toMatch(/submitted\s+2\.50\s+you\s+4Nd1…DB4T/);
    expect(formatTasks([], ME)).toMatch(/No tasks match/);
  });

  it("one task: reward, payout, hold, work and review deadline", () => {
    const text = formatTask(task, OTHER);
    expect(text).toMatch(/reward\s+2\.50 USDC \(solver receives 2\.375\)/);
    expect(text).toMatch(/held\s+2\.625 USDC/);
    expect(text).toContain(`solver         ${OTHER} (you)`);
    expect(text).toMatch(/work\s+url: https:\/\/example\.com\/readme\.de\.md/);
    expect(text).toMatch(/review until\s+2026-11-24 10:00:00/);
    expect(text).toMatch(/review window\s+1d/);
    expect(text).not.toContain("\nplease");
  });
});
