/**
 * The CLI's core: resolve the command, parse its arguments, run it, and turn any failure into one
 * line on stderr and an exit code. No process globals here (see bin.ts), so tests drive it whole.
 */
import { type CommandSpec, commandHelp, overviewHelp, parse, resolve } from "./args.ts";
import { accountCommands } from "./commands/account.ts";
import { apisCommand } from "./commands/apis.ts";
import { keyCommands } from "./commands/keys.ts";
import { listingCommands } from "./commands/listings.ts";
import { loginCommands } from "./commands/login.ts";
import { proxyCommand } from "./commands/proxy.ts";
import { receiptCommands } from "./commands/receipt.ts";
import { taskCommands } from "./commands/tasks.ts";
import { vaultCommands } from "./commands/vault.ts";
import { Context } from "./context.ts";
import { describeFailure, EXIT, type ExitCode, formatFailure } from "./errors.ts";
import type { Io } from "./output.ts";
import { VERSION } from "./version.ts";

export const COMMANDS: CommandSpec<Context>[] = [
  ...loginCommands,
  apisCommand,
  proxyCommand,
  ...accountCommands,
  ...vaultCommands,
  ...receiptCommands,
  ...keyCommands,
  ...listingCommands,
  ...taskCommands,
];

/** Runs one command line; returns the exit code. */
export async function main(argv: string[], io: Io): Promise<ExitCode> {
  const json = argv.includes("--json");
  try {
    const resolved = resolve(argv, COMMANDS);
    const all = COMMANDS as CommandSpec<unknown>[];
    if (resolved.kind === "version") {
      await io.out(`${VERSION}\n`);
      return EXIT.ok;
    }
    if (resolved.kind === "help") {
      await io.out(
        resolved.command ? commandHelp(resolved.command as CommandSpec<unknown>) : overviewHelp(all, resolved.group),
      );
      return EXIT.ok;
    }
    const parsed = parse(resolved.command as CommandSpec<unknown>, resolved.argv);
    const ctx = await Context.create(io, parsed.values);
    await resolved.command.run(ctx, parsed);
    return EXIT.ok;
  } catch (err) {
    const failure = describeFailure(err);
    io.err(json ? JSON.stringify({ error: failure }) : formatFailure(failure));
    return failure.exitCode;
  }
}
