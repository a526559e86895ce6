/** `proxygate keys [list] | keys create | keys revoke <id>`: the wallet's API keys. */
import type { CommandSpec } from "../args.ts";
import type { Context } from "../context.ts";
import { printJson, shortTime, table } from "../output.ts";

interface KeySummary {
  id: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  current: boolean;
}

export function formatKeys(keys: KeySummary[]): string {
  return table(
    ["ID", "PREFIX", "CREATED", "LAST USED", "REVOKED", ""],
    keys.map((k) => [
      k.id,
      k.prefix,
      shortTime(k.createdAt),
      shortTime(k.lastUsedAt),
      k.revokedAt ? shortTime(k.revokedAt) : "–",
      k.current ? "(this key)" : "",
    ]),
  );
}

const listCommand: CommandSpec<Context> = {
  path: ["keys"],
  summary: "List your API keys (prefixes and dates)",
  async run(ctx) {
    const { keys } = await ctx.call<{ keys: KeySummary[] }>("/v1/keys");
    if (ctx.json) return printJson(ctx.io, { keys });
    await ctx.io.out(formatKeys(keys));
  },
};

const listAlias: CommandSpec<Context> = { ...listCommand, path: ["keys", "list"], hidden: true };

const createCommand: CommandSpec<Context> = {
  path: ["keys", "create"],
  summary: "Mint another API key (printed once, on stdout; not stored)",
  details: "For an agent or a server: hand it the key as PROXYGATE_KEY. Revoke it with proxygate keys revoke <id>.",
  async run(ctx) {
    const issued = await ctx.call<{ apiKey: string; keyId: string; prefix: string; wallet: string }>("/v1/keys", {
      body: {},
    });
    if (ctx.json) return printJson(ctx.io, issued);
    await ctx.io.out(`${issued.apiKey}\n`);
    ctx.io.err(`proxygate: key ${issued.keyId} (${issued.prefix}) created; it is shown only this once`);
  },
};

const revokeCommand: CommandSpec<Context> = {
  path: ["keys", "revoke"],
  summary: "Revoke an API key at once (it may be the one in use)",
  args: "<id>",
  minArgs: 1,
  async run(ctx, { positionals }) {
    const [id] = positionals as [string];
    const revoked = await ctx.call<{ id: string; prefix: string; revokedAt: string }>(
      `/v1/keys/${encodeURIComponent(id)}`,
      { method: "DELETE" },
    );
    // The stored key is dead now: forget it, so the next command says "not signed in".
    if (ctx.profile.keyId === revoked.id) await ctx.saveProfile(({ apiKey: _k, keyId: _i, ...rest }) => rest, false);
    if (ctx.json) return printJson(ctx.io, revoked);
    await ctx.io.out(`Revoked ${revoked.prefix} (${revoked.id}).\n`);
  },
};

export const keyCommands = [listCommand, listAlias, createCommand, revokeCommand];
