/**
 * Command specs, argument parsing (node:util parseArgs) and help text. Pure: no I/O, so the whole
 * command line surface is unit-tested. A command is named by one or two words (`balance`,
 * `vault open`); global options may appear anywhere.
 */
import { type ParseArgsOptionDescriptor, parseArgs } from "node:util";
import { usageError } from "./errors.ts";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help, e.g. `<file>`. */
  value?: string;
  description: string;
}

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Parsed {
  values: OptionValues;
  positionals: string[];
}

export interface CommandSpec<C = unknown> {
  /** The words that name it: `["vault", "open"]`. */
  path: string[];
  summary: string;
  /** Positional arguments as shown in usage, e.g. `<listing|service> <path>`. */
  args?: string;
  minArgs?: number;
  maxArgs?: number;
  options?: Record<string, OptionSpec>;
  /** Left out of the command overview (aliases such as `keys list`). */
  hidden?: boolean;
  /** More text for `--help`: examples, notes. */
  details?: string;
  run(ctx: C, parsed: Parsed): Promise<void>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: { type: "string", value: "<url>", description: "gateway URL (env PROXYGATE_URL; default: the signed-in one)" },
  key: { type: "string", value: "<api key>", description: "API key (env PROXYGATE_KEY; default: the stored one)" },
  json: { type: "boolean", description: "machine-readable output (JSON on stdout; errors as JSON on stderr)" },
  help: { type: "boolean", short: "h", description: "show help" },
};

export type Resolution<C> =
  | { kind: "command"; command: CommandSpec<C>; argv: string[] }
  | { kind: "help"; command?: CommandSpec<C>; group?: string }
  | { kind: "version" };

/**
 * Finds the command named by the leading words of `argv` (skipping global options and their
 * values) and returns the remaining arguments for `parse`.
 */
export function resolve<C>(argv: string[], commands: CommandSpec<C>[]): Resolution<C> {
  const words: { word: string; index: number }[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const arg = argv[i] as string;
    if (arg === "--") break;
    if (arg.startsWith("-")) {
      // Only global string options are known before the command is: skip their value.
      const name = arg.replace(/^--?/, "");
      if (!arg.includes("=") && GLOBAL_OPTIONS[name]?.type === "string") i++;
      continue;
    }
    words.push({ word: arg, index: i });
  }
  const wantsHelp = argv.includes("--help") || argv.includes("-h");
  const first = words[0]?.word;
  if (first === undefined) {
    if (argv.includes("--version") || argv.includes("-v")) return { kind: "version" };
    return { kind: "help" };
  }
  if (first === "help") {
    const rest = argv.filter((a, i) => i !== words[0]?.index && !a.startsWith("-"));
    const named = findCommand(rest, commands);
    if (named) return { kind: "help", command: named.command };
    if (rest[0] && commands.some((c) => c.path[0] === rest[0])) return { kind: "help", group: rest[0] };
    if (rest[0]) throw usageError(`unknown command "${rest[0]}"; see proxygate --help`);
    return { kind: "help" };
  }
  const found = findCommand(
    words.map((w) => w.word),
    commands,
  );
  if (!found) {
    if (commands.some((c) => c.path[0] === first)) {
      if (wantsHelp) return { kind: "help", group: first };
      throw usageError(`unknown command "${words.map((w) => w.word).join(" ")}"; see proxygate ${first} --help`);
    }
    throw usageError(`unknown command "${first}"; see proxygate --help`);
  }
  const used = new Set(words.slice(0, found.command.path.length).map((w) => w.index));
  if (wantsHelp) return { kind: "help", command: found.command };
  return { kind: "command", command: found.command, argv: argv.filter((_, i) => !used.has(i)) };
}

function findCommand<C>(words: string[], commands: CommandSpec<C>[]): { command: CommandSpec<C> } | null {
  for (const length of [2, 1]) {
    const path = words.slice(0, length);
    if (path.length < length) continue;
    const command = commands.find((c) => c.path.length === length && c.path.every((p, i) => p === path[i]));
    if (command) return { command };
  }
  return null;
}

/** Parses a command's arguments strictly; any problem is a usage error (exit 2). */
export function parse(command: CommandSpec<unknown>, argv: string[]): Parsed {
  const specs = { ...GLOBAL_OPTIONS, ...command.options };
  const options: Record<string, ParseArgsOptionDescriptor> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  let result: { values: OptionValues; positionals: string[] };
  try {
    result = parseArgs({ args: argv, options, strict: true, allowPositionals: true, allowNegative: false });
  } catch (err) {
    const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw usageError(`${message}; see proxygate ${command.path.join(" ")} --help`);
  }
  const min = command.minArgs ?? 0;
  const max = command.maxArgs ?? min;
  const name = command.path.join(" ");
  if (result.positionals.length < min) {
    throw usageError(`missing argument: proxygate ${name} ${command.args ?? ""}`.trim());
  }
  if (result.positionals.length > max) {
    throw usageError(`unexpected argument "${result.positionals[max]}" for proxygate ${name}`);
  }
  return { values: { ...result.values }, positionals: result.positionals };
}

/** A string option's value, if given. */
export function str(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

export function bool(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

export function list(values: OptionValues, name: string): string[] {
  const value = values[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return typeof value === "string" ? [value] : [];
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.value ? ` ${spec.value}` : ""}`;
    return [flag, spec.description + (spec.multiple ? " (repeatable)" : "")] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`);
}

/** `proxygate <cmd> --help`. */
export function commandHelp(command: CommandSpec<unknown>): string {
  const lines = [
    `proxygate ${command.path.join(" ")}${command.args ? ` ${command.args}` : ""} [options]`,
    "",
    command.summary,
  ];
  if (command.options && Object.keys(command.options).length > 0) {
    lines.push("", "Options:", ...optionLines(command.options));
  }
  lines.push("", "Global options:", ...optionLines(GLOBAL_OPTIONS));
  if (command.details) lines.push("", command.details.trimEnd());
  return `${lines.join("\n")}\n`;
}

/** `proxygate --help` (all commands) or `proxygate <group> --help` (one group). */
export function overviewHelp(commands: CommandSpec<unknown>[], group?: string): string {
  const shown = commands.filter((c) => !c.hidden && (!group || c.path[0] === group));
  const rows = shown.map((c) => [`${c.path.join(" ")}${c.args ? ` ${c.args}` : ""}`, c.summary] as const);
  const width = Math.max(...rows.map(([usage]) => usage.length));
  const lines = [
    group ? `proxygate ${group} <command> [options]` : "proxygate <command> [options]",
    "",
    ...(group
      ? []
      : ["The proxygate CLI: buy API calls per request, paid in USDC on Solana; sell your API capacity.", ""]),
    "Commands:",
    ...rows.map(([usage, summary]) => `  ${usage.padEnd(width)}  ${summary}`),
    "",
    "Global options:",
    ...optionLines(GLOBAL_OPTIONS),
    "",
    `Run "proxygate <command> --help" for a command's options.`,
  ];
  if (!group) {
    lines.push(
      "",
      "Exit codes: 0 ok · 1 refused by the gateway or the chain · 2 bad arguments · 3 not signed in / key refused · 4 network",
      "Amounts are USDC decimals (1.5); --json prints the gateway's own JSON (micro-USDC strings).",
    );
  }
  return `${lines.join("\n")}\n`;
}
