/**
 * `proxygate tasks …`: the bounty board. List and show tasks; post one (its reward plus the buyer
 * fee is held from your balance); claim, submit work, approve, reject, cancel, dispute. Rewards
 * are typed in USDC and sent as micro-USDC; the gateway decides who may do what (409/403).
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type CommandSpec, type OptionValues, str } from "../args.ts";
import type { Context } from "../context.ts";
import { usageError } from "../errors.ts";
import { formatUsdc, parsePositiveUsdc, parseUsdc } from "../lib/money.ts";
import type { Io } from "../output.ts";
import { keyValues, printJson, shortTime, table } from "../output.ts";

export const TASK_STATUSES = ["open", "claimed", "submitted", "approved", "released", "cancelled", "disputed"] as const;

export interface WorkReference {
  kind: "url" | "text" | "hash";
  value: string;
}

export interface Task {
  id: string;
  poster: string;
  title: string;
  description: string;
  reward: string;
  holdAmount: string;
  solverPayout: string;
  status: string;
  solver: string | null;
  submission: WorkReference | null;
  reviewWindowSeconds: number;
  deadline: string | null;
  reviewDeadline: string | null;
  claimedAt: string | null;
  submittedAt: string | null;
  resolvedAt: string | null;
  disputedBy: string | null;
  disputeReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TaskPage {
  tasks: Task[];
  nextCursor: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90" / "90s" / "30m" / "2h" / "3d" → seconds. */
export function parseDuration(text: string): number {
  const match = /^([0-9]{1,9})([smhd]?)$/.exec(text.trim());
  if (!match) throw usageError(`"${text}" is not a duration (e.g. 3600, 30m, 2h, 3d)`);
  const seconds = Number(match[1]) * (UNITS[match[2] || "s"] ?? 1);
  if (seconds < 1) throw usageError(`"${text}" must be at least 1 second`);
  return seconds;
}

/** Seconds as the largest whole unit: 86400 → "1d", 5400 → "90m". */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

function taskId(text: string): string {
  if (!UUID.test(text)) throw usageError(`"${text}" is not a task id (a UUID)`);
  return text.toLowerCase();
}

function usdcOption(values: OptionValues, name: string, positive: boolean): string | undefined {
  const text = str(values, name);
  if (text === undefined) return undefined;
  try {
    return (positive ? parsePositiveUsdc(text) : parseUsdc(text)).toString();
  } catch (err) {
    throw usageError(`--${name}: ${(err as Error).message}`);
  }
}

/** `poster`/`solver` filters: a wallet address, or "me" for the signed-in wallet. */
function walletOption(values: OptionValues, name: string, me: () => string): string | undefined {
  const text = str(values, name);
  if (text === undefined) return undefined;
  if (text === "me") return me();
  if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(text)) throw usageError(`--${name}: "${text}" is not a wallet address`);
  return text;
}

/** The `GET /v1/tasks` query string for the list filters. `me` resolves `--poster me`. */
export function taskQuery(values: OptionValues, me: () => string): string {
  const query = new URLSearchParams();
  const status = str(values, "status");
  if (status !== undefined) {
    if (!(TASK_STATUSES as readonly string[]).includes(status)) {
      throw usageError(`--status must be one of ${TASK_STATUSES.join(", ")}`);
    }
    query.set("status", status);
  }
  const min = usdcOption(values, "min-reward", false);
  if (min !== undefined) query.set("minReward", min);
  const max = usdcOption(values, "max-reward", false);
  if (max !== undefined) query.set("maxReward", max);
  if (min !== undefined && max !== undefined && BigInt(min) > BigInt(max)) {
    throw usageError("--min-reward must not exceed --max-reward");
  }
  const poster = walletOption(values, "poster", me);
  if (poster !== undefined) query.set("poster", poster);
  const solver = walletOption(values, "solver", me);
  if (solver !== undefined) query.set("solver", solver);
  const limit = str(values, "limit");
  if (limit !== undefined) {
    if (!/^[1-9][0-9]*$/.test(limit) || Number(limit) > 100) throw usageError("--limit must be 1–100");
    query.set("limit", limit);
  }
  const cursor = str(values, "cursor");
  if (cursor !== undefined) query.set("cursor", cursor);
  return query.size ? `?${query}` : "";
}

/** Text from a value flag, or from its `-file` twin (a path, or "-" for stdin). */
async function textOrFile(io: Io, values: OptionValues, name: string): Promise<string | undefined> {
  const inline = str(values, name);
  const file = str(values, `${name}-file`);
  if (inline !== undefined && file !== undefined) throw usageError(`--${name} and --${name}-file exclude each other`);
  if (file === undefined) return inline;
  if (file === "-") return io.stdin();
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw usageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The `POST /v1/tasks` body from the flags (description already read). */
export function createTaskBody(values: OptionValues, description: string | undefined): Record<string, unknown> {
  const title = str(values, "title");
  if (title === undefined || title.trim() === "") throw usageError("--title is required");
  const reward = usdcOption(values, "reward", true);
  if (reward === undefined) throw usageError("--reward is required (USDC, e.g. 2.5)");
  const window = str(values, "review-window") ?? "1d";
  const body: Record<string, unknown> = { title, reward, reviewWindowSeconds: parseDuration(window) };
  if (description !== undefined) body.description = description;
  const deadline = str(values, "deadline");
  if (deadline !== undefined) {
    const at = /^\+/.test(deadline)
      ? new Date(Date.now() + parseDuration(deadline.slice(1)) * 1000)
      : new Date(deadline);
    if (Number.isNaN(at.getTime())) throw usageError(`--deadline: "${deadline}" is not a date (ISO 8601) or +duration`);
    body.deadline = at.toISOString();
  }
  return body;
}

/** The work reference from exactly one of --link, --text / --text-file, --hash, --file. */
export async function workReference(io: Io, values: OptionValues): Promise<WorkReference> {
  const text = await textOrFile(io, values, "text");
  const url = str(values, "link");
  const hash = str(values, "hash");
  const file = str(values, "file");
  const given = [url, text, hash, file].filter((v) => v !== undefined).length;
  if (given !== 1) throw usageError("give the work as exactly one of --link, --text, --text-file, --hash, --file");
  if (url !== undefined) return { kind: "url", value: url };
  if (text !== undefined) return { kind: "text", value: text };
  if (hash !== undefined) {
    const value = hash.startsWith("sha256:") ? hash : `sha256:${hash}`;
    if (!/^sha256:[0-9a-f]{64}$/.test(value)) throw usageError("--hash must be sha256:<64 lowercase hex digits>");
    return { kind: "hash", value };
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(file as string);
  } catch (err) {
    throw usageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { kind: "hash", value: `sha256:${createHash("sha256").update(bytes).digest("hex")}` };
}

function shortWallet(address: string | null, me: string | null): string {
  if (address === null) return "–";
  if (address === me) return "you";
  return `${address.slice(0, 4)}…${address.slice(-4)}`;
}

export function formatTasks(tasks: Task[], me: string | null): string {
  if (tasks.length === 0) return 'No tasks match: post one with "proxygate tasks create --help".\n';
  return table(
    ["ID", "STATUS", "REWARD (USDC)", "POSTER", "SOLVER", "CREATED (UTC)", "TITLE"],
    tasks.map((t) => [
      t.id,
      t.status,
      formatUsdc(t.reward),
      shortWallet(t.poster, me),
      shortWallet(t.solver, me),
      shortTime(t.createdAt),
      t.title.length > 48 ? `${t.title.slice(0, 47)}…` : t.title,
    ]),
    ["left", "left", "right", "left", "left", "left", "left"],
  );
}

function workText(w: WorkReference): string {
  return w.kind === "text" ? w.value.replace(/\s*\n\s*/g, " ⏎ ") : w.value;
}

export function formatTask(t: Task, me: string | null): string {
  const who = (address: string | null) => (address === null ? null : address === me ? `${address} (you)` : address);
  return keyValues([
    ["id", t.id],
    ["title", t.title],
    ["status", t.status],
    ["reward", `${formatUsdc(t.reward)} USDC (solver receives ${formatUsdc(t.solverPayout)})`],
    ["held", `${formatUsdc(t.holdAmount)} USDC from the poster (reward + fee)`],
    ["poster", who(t.poster)],
    ["solver", who(t.solver)],
    ["review window", formatDuration(t.reviewWindowSeconds)],
    ["deadline", t.deadline ? shortTime(t.deadline) : null],
    ["claimed", t.claimedAt ? shortTime(t.claimedAt) : null],
    ["submitted", t.submittedAt ? shortTime(t.submittedAt) : null],
    ["work", t.submission ? `${t.submission.kind}: ${workText(t.submission)}` : null],
    ["review until", t.reviewDeadline ? shortTime(t.reviewDeadline) : null],
    ["resolved", t.resolvedAt ? shortTime(t.resolvedAt) : null],
    ["disputed by", who(t.disputedBy)],
    ["dispute", t.disputeReason],
    ["created", shortTime(t.createdAt)],
    ["description", t.description ? t.description.replace(/\s*\n\s*/g, " ⏎ ") : null],
  ]);
}

/** The signed-in wallet, or null (formatting marks "you"; never fails a read). */
function meOrNull(ctx: Context): string | null {
  try {
    return ctx.wallet();
  } catch {
    return null;
  }
}

const LIST_OPTIONS = {
  status: { type: "string", value: "<status>", description: TASK_STATUSES.join(" | ") },
  "min-reward": { type: "string", value: "<usdc>", description: "reward at least this (USDC)" },
  "max-reward": { type: "string", value: "<usdc>", description: "reward at most this (USDC)" },
  poster: { type: "string", value: "<wallet|me>", description: "posted by this wallet" },
  solver: { type: "string", value: "<wallet|me>", description: "claimed by this wallet" },
  limit: { type: "string", value: "<n>", description: "tasks per page, 1–100 (default 50)" },
  cursor: { type: "string", value: "<cursor>", description: "the next page, from the previous page's cursor" },
} as const;

const listCommand: CommandSpec<Context> = {
  path: ["tasks"],
  summary: "The bounty board: tasks, newest first (filter by status, reward, poster, solver)",
  options: LIST_OPTIONS,
  details: `Then: tasks show | create | claim | submit | approve | reject | cancel | dispute (each with --help).

Examples:
  proxygate tasks --status open --min-reward 1
  proxygate tasks --poster me`,
  async run(ctx, { values }) {
    const page = await ctx.call<TaskPage>(`/v1/tasks${taskQuery(values, () => ctx.wallet())}`);
    if (ctx.json) return printJson(ctx.io, page);
    await ctx.io.out(formatTasks(page.tasks, meOrNull(ctx)));
    if (page.nextCursor) ctx.io.err(`proxygate: more tasks: add --cursor ${page.nextCursor}`);
  },
};

const listAlias: CommandSpec<Context> = { ...listCommand, path: ["tasks", "list"], hidden: true };

const showCommand: CommandSpec<Context> = {
  path: ["tasks", "show"],
  summary: "Show one task (the work and a dispute reason only to its poster and solver)",
  args: "<id>",
  minArgs: 1,
  async run(ctx, { positionals }) {
    const task = await ctx.call<Task>(`/v1/tasks/${taskId(positionals[0] as string)}`);
    if (ctx.json) return printJson(ctx.io, task);
    await ctx.io.out(formatTask(task, meOrNull(ctx)));
  },
};

const createCommand: CommandSpec<Context> = {
  path: ["tasks", "create"],
  summary: "Post a task: its reward + the 5% buyer fee is held from your balance until it ends",
  options: {
    title: { type: "string", value: "<text>", description: "what is to be done (required)" },
    reward: { type: "string", value: "<usdc>", description: "the reward in USDC (required), e.g. 2.5" },
    description: { type: "string", value: "<text>", description: "details, acceptance criteria" },
    "description-file": { type: "string", value: "<file|->", description: "the description from a file or stdin" },
    "review-window": {
      type: "string",
      value: "<duration>",
      description: "time you have to review a submission before it is paid anyway (default 1d; 90s, 30m, 2h, 3d)",
    },
    deadline: { type: "string", value: "<iso|+duration>", description: "the work is due by then, e.g. +2d" },
  },
  details: `Example:
  proxygate tasks create --title "Translate the README to German" --reward 5 --review-window 2d \\
    --description-file brief.md`,
  async run(ctx, { values }) {
    const body = createTaskBody(values, await textOrFile(ctx.io, values, "description"));
    const task = await ctx.call<Task>("/v1/tasks", { body });
    if (ctx.json) return printJson(ctx.io, task);
    await ctx.io.out(formatTask(task, meOrNull(ctx)));
    ctx.io.err(`proxygate: posted; ${formatUsdc(task.holdAmount)} USDC held from your balance`);
  },
};

/** What each plain transition says when it succeeded. */
const DONE: Record<string, (t: Task) => string> = {
  claim: (t) => `Claimed task ${t.id}: submit your work with proxygate tasks submit ${t.id} --link|--text|--file …`,
  approve: (t) =>
    `Approved task ${t.id}: the solver is paid ${formatUsdc(t.solverPayout)} USDC in the next settlement.`,
  reject: (t) => `Rejected the work on task ${t.id}: it is ${t.status} again for another solver.`,
  cancel: (t) => `Cancelled task ${t.id}: ${formatUsdc(t.holdAmount)} USDC released to your balance.`,
};

function transitionCommand(verb: "claim" | "approve" | "reject" | "cancel", summary: string): CommandSpec<Context> {
  return {
    path: ["tasks", verb],
    summary,
    args: "<id>",
    minArgs: 1,
    async run(ctx, { positionals }) {
      const id = taskId(positionals[0] as string);
      const task = await ctx.call<Task>(`/v1/tasks/${id}/${verb}`, { method: "POST", body: {} });
      if (ctx.json) return printJson(ctx.io, task);
      await ctx.io.out(`${DONE[verb]?.(task) ?? `Task ${task.id} is ${task.status}.`}\n`);
    },
  };
}

const submitCommand: CommandSpec<Context> = {
  path: ["tasks", "submit"],
  summary: "Submit work for a task you claimed (a URL, text, or a content hash); starts the review window",
  args: "<id>",
  minArgs: 1,
  options: {
    link: { type: "string", value: "<url>", description: "where the work is (http or https)" },
    text: { type: "string", value: "<text>", description: "the work itself, as text (up to 8000 characters)" },
    "text-file": { type: "string", value: "<file|->", description: "the text from a file or stdin" },
    hash: { type: "string", value: "<sha256:hex>", description: "a content hash of work delivered elsewhere" },
    file: { type: "string", value: "<file>", description: "hash this file (sha256) and submit the hash" },
  },
  async run(ctx, { values, positionals }) {
    const id = taskId(positionals[0] as string);
    const work = await workReference(ctx.io, values);
    const task = await ctx.call<Task>(`/v1/tasks/${id}/submit`, { body: { work } });
    if (ctx.json) return printJson(ctx.io, task);
    await ctx.io.out(
      `Submitted work for task ${task.id}; the poster reviews it until ${shortTime(task.reviewDeadline)} UTC (paid automatically after).\n`,
    );
  },
};

const disputeCommand: CommandSpec<Context> = {
  path: ["tasks", "dispute"],
  summary: "Dispute a claimed or submitted task (poster or solver): it is frozen for the platform",
  args: "<id>",
  minArgs: 1,
  options: { reason: { type: "string", value: "<text>", description: "what went wrong (required)" } },
  async run(ctx, { values, positionals }) {
    const id = taskId(positionals[0] as string);
    const reason = str(values, "reason");
    if (reason === undefined || reason.trim() === "") throw usageError("--reason is required");
    const task = await ctx.call<Task>(`/v1/tasks/${id}/dispute`, { body: { reason } });
    if (ctx.json) return printJson(ctx.io, task);
    await ctx.io.out(`Disputed task ${task.id}: it is frozen until the platform resolves it.\n`);
  },
};

export const taskCommands = [
  listCommand,
  listAlias,
  showCommand,
  createCommand,
  transitionCommand("claim", "Claim an open task (one solver wins)"),
  submitCommand,
  transitionCommand("approve", "Approve the submitted work: the solver is paid in the next settlement"),
  transitionCommand("reject", "Reject the submitted work: the task reopens for another solver"),
  transitionCommand("cancel", "Cancel your open task: the whole hold is released"),
  disputeCommand,
];
