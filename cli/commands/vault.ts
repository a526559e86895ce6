/**
 * `proxygate vault | vault open | deposit | withdraw`: the wallet's USDC vault on Solana. These
 * commands sign with the wallet's keypair and talk to a Solana RPC themselves (--rpc,
 * PROXYGATE_RPC_URL, the one stored at login, or the public endpoint of a known USDC mint).
 */
import { type Address, address, type Signature } from "@solana/kit";
import { type CommandSpec, str } from "../args.ts";
import type { Context, SolanaRpc } from "../context.ts";
import { CliError, describeFailure, EXIT, usageError } from "../errors.ts";
import { signAndSend, transferUsdc, usdcAccount, waitForSignature } from "../lib/chain.ts";
import { GatewayError } from "../lib/http.ts";
import { formatUsdc, parsePositiveUsdc } from "../lib/money.ts";
import { keyValues, printJson, spinner } from "../output.ts";
import type { Balance } from "./account.ts";

export interface VaultView {
  vault: string;
  multisig: string;
  status: string;
  mint: string;
  coSigner: string;
  delegate: string;
  onChain: { status: string; amount?: string; slot: number; problems?: string[] };
  deposit: { address: string; mint: string; decimals: number; howTo: string };
}

const KEYPAIR = {
  type: "string",
  value: "<file>",
  description: "the wallet's Solana CLI keypair (default: the one used at login)",
} as const;
const RPC = { type: "string", value: "<url>", description: "Solana RPC URL (env PROXYGATE_RPC_URL)" } as const;

/** How long to keep asking the gateway to verify a landed transaction (it wants `finalized`). */
const VERIFY_TIMEOUT_MS = 120_000;

/**
 * Calls `fn` again while the gateway answers 409 with a Retry-After (a transaction it cannot see
 * at the commitment it needs yet), until `timeoutMs`.
 */
export async function whileNotYet<T>(fn: () => Promise<T>, timeoutMs = VERIFY_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const notYet = err instanceof GatewayError && err.status === 409 && err.retryAfter !== null;
      if (!notYet || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(err.retryAfter ?? 1, 5) * 1000));
    }
  }
}

/** A positive USDC amount argument, or a usage error (exit 2) before anything is sent. */
function amountArg(text: string): bigint {
  try {
    return parsePositiveUsdc(text);
  } catch (err) {
    throw usageError(`amount: ${(err as Error).message}`);
  }
}

export function formatVault(v: VaultView): string {
  const onChain =
    v.onChain.status === "ok"
      ? `${formatUsdc(v.onChain.amount ?? "0")} USDC (slot ${v.onChain.slot})`
      : v.onChain.status === "missing"
        ? "not on chain yet"
        : `UNSAFE: ${(v.onChain.problems ?? []).join("; ")}`;
  return keyValues([
    ["vault", v.vault],
    ["status", v.status],
    ["on chain", onChain],
    ["mint", v.mint],
    ["multisig", `${v.multisig} (2-of-2: you + co-signer ${v.coSigner})`],
    ["delegate", `${v.delegate} (settlement)`],
    ["deposit", `proxygate deposit <amount>, or send USDC to ${v.deposit.address} and report it`],
  ]);
}

async function myVault(ctx: Context): Promise<VaultView> {
  try {
    return await ctx.call<VaultView>("/v1/vault");
  } catch (err) {
    if (err instanceof GatewayError && err.status === 404) {
      throw new CliError("no_vault", `${ctx.wallet()} has no vault yet: run "proxygate vault open"`);
    }
    throw err;
  }
}

/** Sends a transaction and waits for it to land, with a spinner on a TTY. */
async function landed(
  ctx: Context,
  rpc: SolanaRpc,
  what: string,
  signature: Signature,
  options: { commitment: "confirmed" | "finalized"; lastValidBlockHeight?: bigint },
): Promise<bigint> {
  const spin = spinner(ctx.io, `${what}: waiting for ${signature.slice(0, 8)}… to be ${options.commitment}`, !ctx.json);
  try {
    const result = await waitForSignature(rpc, signature, options);
    if (result.status === "failed")
      throw new CliError("transaction_failed", `${what} failed on chain: ${result.error}`);
    if (result.status === "expired") {
      throw new CliError("transaction_expired", `${what} did not land in time (signature ${signature})`);
    }
    return result.slot;
  } finally {
    spin.stop();
  }
}

const vaultShowCommand: CommandSpec<Context> = {
  path: ["vault"],
  summary: "Show your vault: address, status, on-chain balance",
  async run(ctx) {
    const vault = await myVault(ctx);
    if (ctx.json) return printJson(ctx.io, vault);
    await ctx.io.out(formatVault(vault));
  },
};

const vaultOpenCommand: CommandSpec<Context> = {
  path: ["vault", "open"],
  summary: "Create your vault (a USDC account owned by a 2-of-2 multisig [you, platform])",
  options: { keypair: KEYPAIR, rpc: RPC },
  details: `The gateway builds and co-signs the creation transaction; you sign it (and pay its fee and rent
in SOL) and it is sent. Safe to run again: an open vault is just shown.`,
  async run(ctx, { values }) {
    const signer = await ctx.walletSigner(str(values, "keypair"));
    let opened: { vault: string; mint: string; transaction: string; lastValidBlockHeight: string } | null = null;
    try {
      opened = await ctx.call("/v1/vault", { body: {} });
    } catch (err) {
      // Already on chain (active, or landed but not yet activated): reading it activates it.
      if (!(err instanceof GatewayError && err.status === 409)) throw err;
    }
    let signature: string | null = null;
    if (opened) {
      const rpc = ctx.rpc(str(values, "rpc"), opened.mint);
      signature = await signAndSend(rpc, opened.transaction, signer);
      await landed(ctx, rpc, "vault creation", signature as Signature, {
        commitment: "confirmed",
        lastValidBlockHeight: BigInt(opened.lastValidBlockHeight),
      });
    }
    let vault = await myVault(ctx);
    for (let i = 0; i < 20 && vault.status !== "active"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      vault = await myVault(ctx);
    }
    if (vault.status !== "active") throw new CliError("vault_pending", `the vault ${vault.vault} is not active yet`);
    if (ctx.json) return printJson(ctx.io, { ...vault, signature, created: opened !== null });
    await ctx.io.out(opened ? `Vault opened (signature ${signature}).\n` : "Your vault is already open.\n");
    await ctx.io.out(formatVault(vault));
  },
};

const depositCommand: CommandSpec<Context> = {
  path: ["deposit"],
  summary: "Transfer USDC from your wallet into your vault and credit it",
  args: "<amount>",
  minArgs: 0,
  maxArgs: 1,
  options: {
    keypair: KEYPAIR,
    rpc: RPC,
    signature: {
      type: "string",
      value: "<sig>",
      description: "only report a transfer already made (e.g. from an exchange) instead of sending one",
    },
  },
  details: `<amount> is in USDC (e.g. 1.5). The transfer is signed with your keypair and sent; once it is
finalized the gateway verifies it on chain (the amount is read from the chain) and credits it.`,
  async run(ctx, { values, positionals }) {
    const reported = str(values, "signature");
    const [amountText] = positionals;
    if ((amountText === undefined) === (reported === undefined)) {
      throw usageError("give an amount (proxygate deposit 1.5) or --signature <sig> of a transfer already made");
    }
    const amount = amountText === undefined ? null : amountArg(amountText);
    const vault = await myVault(ctx);
    if (vault.status !== "active") {
      throw new CliError("vault_pending", `the vault is ${vault.status}: run "proxygate vault open"`);
    }
    let signature = reported;
    if (amount !== null) {
      const signer = await ctx.walletSigner(str(values, "keypair"));
      const rpc = ctx.rpc(str(values, "rpc"), vault.mint);
      const mint = address(vault.mint);
      await ensureFunds(rpc, signer.address, mint, amount);
      signature = await transferUsdc(rpc, signer, address(vault.vault), mint, amount);
      await landed(ctx, rpc, "deposit", signature as Signature, { commitment: "finalized" });
    }
    const spin = spinner(ctx.io, "the gateway is verifying the deposit", !ctx.json);
    let deposit: { id: string; signature: string; amount: string; slot: number; vault: string };
    try {
      deposit = await whileNotYet(() => ctx.call("/v1/deposits", { body: { signature } }));
    } finally {
      spin.stop();
    }
    const balance = await ctx.call<Balance>("/v1/balance");
    if (ctx.json) return printJson(ctx.io, { deposit, balance });
    await ctx.io.out(
      `Deposited ${formatUsdc(deposit.amount)} USDC into ${deposit.vault} (slot ${deposit.slot}, signature ${deposit.signature}).\n`,
    );
    await ctx.io.out(`Available: ${formatUsdc(balance.available)} USDC.\n`);
  },
};

/** Refuses early, with the numbers, when the wallet's USDC account cannot cover `amount`. */
async function ensureFunds(rpc: SolanaRpc, owner: Address, mint: Address, amount: bigint): Promise<void> {
  const account = await usdcAccount(owner, mint);
  let held = 0n;
  try {
    const { value } = await rpc.getTokenAccountBalance(account, { commitment: "confirmed" }).send();
    held = BigInt(value.amount);
  } catch {
    held = 0n;
  }
  if (held < amount) {
    throw new CliError(
      "insufficient_funds",
      `your USDC account ${account} holds ${formatUsdc(held)} USDC, less than ${formatUsdc(amount)}`,
    );
  }
}

const withdrawCommand: CommandSpec<Context> = {
  path: ["withdraw"],
  summary: "Withdraw USDC from your vault back to your wallet (the gateway co-signs)",
  args: "<amount|all>",
  minArgs: 1,
  options: { keypair: KEYPAIR, rpc: RPC },
  details: `The gateway checks amount ≤ available, starts a cooldown (no new calls until the withdrawal lands
or expires, ~2 min at most) and co-signs; you sign, it is sent to your USDC account, and the gateway
verifies it landed. "all" withdraws the whole available balance.`,
  async run(ctx, { values, positionals }) {
    const [amountText] = positionals as [string];
    let amount = amountText === "all" ? null : amountArg(amountText);
    const signer = await ctx.walletSigner(str(values, "keypair"));
    if (amount === null) {
      amount = BigInt((await ctx.call<Balance>("/v1/balance")).available);
      if (amount === 0n) throw new CliError("insufficient_credit", "nothing available to withdraw");
    }
    const vault = await myVault(ctx);
    const rpc = ctx.rpc(str(values, "rpc"), vault.mint);
    const started = await ctx.call<{
      id: string;
      transaction: string;
      lastValidBlockHeight: string;
      destination: string;
    }>("/v1/withdrawals", { body: { amount: amount.toString() } });
    let signature: Signature;
    try {
      signature = await signAndSend(rpc, started.transaction, signer);
    } catch (err) {
      // The gateway holds a cooldown for this withdrawal until its blockhash expires (≤ ~2 min).
      const failure = describeFailure(err);
      throw new CliError(
        "withdrawal_not_sent",
        `the co-signed withdrawal ${started.id} could not be sent (${failure.message}); new calls wait until it expires (~2 min)`,
        failure.exitCode === EXIT.network ? EXIT.network : EXIT.failed,
      );
    }
    await landed(ctx, rpc, "withdrawal", signature, {
      commitment: "confirmed",
      lastValidBlockHeight: BigInt(started.lastValidBlockHeight),
    });
    const spin = spinner(ctx.io, "the gateway is verifying the withdrawal", !ctx.json);
    let withdrawal: { id: string; amount: string; destination: string; status: string; signature: string | null };
    try {
      withdrawal = await whileNotYet(() => ctx.call(`/v1/withdrawals/${started.id}/confirm`, { body: { signature } }));
    } finally {
      spin.stop();
    }
    if (withdrawal.status !== "confirmed") {
      throw new CliError("withdrawal_failed", `the withdrawal is ${withdrawal.status} (signature ${signature})`);
    }
    const balance = await ctx.call<Balance>("/v1/balance");
    if (ctx.json) return printJson(ctx.io, { withdrawal, balance });
    await ctx.io.out(
      `Withdrew ${formatUsdc(withdrawal.amount)} USDC to ${withdrawal.destination} (signature ${signature}).\n`,
    );
    await ctx.io.out(`Available: ${formatUsdc(balance.available)} USDC.\n`);
  },
};

export const vaultCommands = [vaultShowCommand, vaultOpenCommand, depositCommand, withdrawCommand];
