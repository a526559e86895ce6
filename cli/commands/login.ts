/** `proxygate login | logout | whoami`: sign in with a Solana keypair; the API key lives in the config file. */
import { bool, type CommandSpec, str } from "../args.ts";
import { fileMode } from "../config.ts";
import type { Context } from "../context.ts";
import { signIn } from "../lib/chain.ts";
import { GatewayError } from "../lib/http.ts";
import { keyValues, printJson } from "../output.ts";

const loginCommand: CommandSpec<Context> = {
  path: ["login"],
  summary: "Sign in with a Solana keypair; stores an API key for this gateway",
  options: {
    keypair: {
      type: "string",
      value: "<file>",
      description: "Solana CLI keypair JSON (default: PROXYGATE_KEYPAIR, then ~/.config/solana/id.json)",
    },
    rpc: {
      type: "string",
      value: "<url>",
      description: "Solana RPC URL to remember for deposit / withdraw / vault open",
    },
  },
  details: `Signs the gateway's challenge (Sign-In-With-Solana, single-use nonce) with the keypair and stores
the issued API key with the keypair's path in the config file ($PROXYGATE_CONFIG, else
$XDG_CONFIG_HOME/proxygate/config.json), mode 0600. The key itself is never printed.`,
  async run(ctx, { values }) {
    const { signer, path } = await ctx.signer(str(values, "keypair"));
    const issued = await signIn(ctx.url, signer);
    const rpc = str(values, "rpc");
    await ctx.saveProfile((p) => ({
      ...p,
      wallet: issued.wallet,
      apiKey: issued.apiKey,
      keyId: issued.keyId,
      keypair: path,
      ...(rpc ? { rpcUrl: rpc } : {}),
    }));
    const mode = await fileMode(ctx.configFile);
    const result = {
      url: ctx.url,
      wallet: issued.wallet,
      keyId: issued.keyId,
      prefix: issued.prefix,
      config: ctx.configFile,
    };
    if (ctx.json) return printJson(ctx.io, result);
    await ctx.io.out(`Signed in to ${ctx.url} as ${issued.wallet}.\n`);
    await ctx.io.out(
      `API key ${issued.prefix} stored in ${ctx.configFile} (mode ${mode === null ? "?" : mode.toString(8).padStart(4, "0")}).\n`,
    );
  },
};

const logoutCommand: CommandSpec<Context> = {
  path: ["logout"],
  summary: "Revoke the stored API key and forget it",
  options: { "keep-key": { type: "boolean", description: "forget the key locally without revoking it" } },
  async run(ctx, { values }) {
    const { apiKey, keyId } = ctx.profile;
    let revoked = false;
    if (apiKey && keyId && !bool(values, "keep-key")) {
      try {
        await ctx.callPublic(`/v1/keys/${keyId}`, { method: "DELETE", headers: { authorization: `Bearer ${apiKey}` } });
        revoked = true;
      } catch (err) {
        // Already revoked or unknown: it cannot be used any more either way.
        if (!(err instanceof GatewayError && (err.status === 401 || err.status === 404))) throw err;
      }
    }
    await ctx.saveProfile(({ apiKey: _key, keyId: _id, ...rest }) => rest, false);
    const result = { url: ctx.url, revoked, forgotten: apiKey !== undefined };
    if (ctx.json) return printJson(ctx.io, result);
    await ctx.io.out(
      apiKey ? `Signed out of ${ctx.url}${revoked ? " (key revoked)" : ""}.\n` : `Not signed in to ${ctx.url}.\n`,
    );
  },
};

const whoamiCommand: CommandSpec<Context> = {
  path: ["whoami"],
  summary: "Show the gateway, wallet and config in use",
  async run(ctx) {
    const key = ctx.keySource();
    const result = {
      url: ctx.url,
      wallet: key ? ctx.wallet() : null,
      keySource: key,
      keypair: ctx.profile.keypair ?? null,
      rpcUrl: ctx.profile.rpcUrl ?? null,
      config: ctx.configFile,
    };
    if (ctx.json) return printJson(ctx.io, result);
    await ctx.io.out(
      keyValues([
        ["gateway", result.url],
        ["wallet", result.wallet ?? "(not signed in)"],
        ["key from", result.keySource],
        ["keypair", result.keypair],
        ["rpc", result.rpcUrl],
        ["config", result.config],
      ]),
    );
  },
};

export const loginCommands = [loginCommand, logoutCommand, whoamiCommand];
