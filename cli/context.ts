/**
 * What a command runs with: output, the resolved gateway URL and API key, the config file, the
 * wallet keypair and a Solana RPC. Precedence everywhere: flag > environment > config > default.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, resolve as resolvePath } from "node:path";
import { createKeyPairSignerFromBytes, createSolanaRpc, type KeyPairSigner } from "@solana/kit";
import { parseApiKey } from "../workers/auth/api-key.ts";
import { type OptionValues, str } from "./args.ts";
import { type Config, configPath, type GatewayProfile, loadConfig, normalizeUrl, saveConfig } from "./config.ts";
import { CliError, EXIT, usageError } from "./errors.ts";
import { type ApiInit, api } from "./lib/http.ts";
import { parseKeypairJson } from "./lib/keypair.ts";
import type { Io } from "./output.ts";

export const DEFAULT_URL = "http://127.0.0.1:8787";

/** Public RPC endpoints for the two USDC mints everyone knows; any other mint needs --rpc. */
const RPC_BY_MINT: Record<string, string> = {
  EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v: "https://api.mainnet-beta.solana.com",
  "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU": "https://api.devnet.solana.com",
};

export type SolanaRpc = ReturnType<typeof createSolanaRpc>;

export class Context {
  readonly io: Io;
  readonly json: boolean;
  readonly url: string;
  readonly configFile: string;
  private config: Config;
  private readonly keyFlag: string | undefined;
  private readonly keyFromFlag: boolean;

  private constructor(io: Io, values: OptionValues, configFile: string, config: Config) {
    this.io = io;
    this.json = values.json === true;
    this.configFile = configFile;
    this.config = config;
    this.keyFromFlag = str(values, "key") !== undefined;
    this.keyFlag = str(values, "key") ?? io.env.PROXYGATE_KEY;
    this.url = normalizeUrl(str(values, "url") ?? io.env.PROXYGATE_URL ?? config.current ?? DEFAULT_URL);
  }

  static async create(io: Io, values: OptionValues): Promise<Context> {
    const file = configPath(io.env);
    return new Context(io, values, file, await loadConfig(file));
  }

  /** What the config holds for this gateway. */
  get profile(): GatewayProfile {
    return this.config.gateways[this.url] ?? {};
  }

  /** Updates this gateway's profile (and makes it the current gateway) and writes the file. */
  async saveProfile(update: (p: GatewayProfile) => GatewayProfile, makeCurrent = true): Promise<void> {
    const next = update({ ...this.profile });
    const gateways = { ...this.config.gateways, [this.url]: next };
    this.config = { version: 1, current: makeCurrent ? this.url : this.config.current, gateways };
    await saveConfig(this.configFile, this.config);
  }

  /** Where the API key comes from, if there is one. */
  keySource(): "flag" | "env" | "config" | null {
    if (this.keyFlag !== undefined) return this.keyFromFlag ? "flag" : "env";
    return this.profile.apiKey ? "config" : null;
  }

  /** The API key: --key, PROXYGATE_KEY, or the one stored for this gateway; exit 3 when none. */
  apiKey(): string {
    const key = this.keyFlag ?? this.profile.apiKey;
    if (!key) {
      throw new CliError(
        "auth_missing",
        `not signed in to ${this.url}: run "proxygate login --keypair <file>" or set PROXYGATE_KEY`,
        EXIT.auth,
      );
    }
    return key;
  }

  /** The wallet the API key belongs to. */
  wallet(): string {
    const parsed = parseApiKey(this.apiKey());
    if (!parsed) throw new CliError("auth_missing", "the API key is not a proxygate key (pgk_…)", EXIT.auth);
    return parsed.wallet;
  }

  /** An authenticated API call. */
  call<T>(path: string, init: Omit<ApiInit, "apiKey"> = {}): Promise<T> {
    return api<T>(this.url, path, { ...init, apiKey: this.apiKey() });
  }

  /** A public API call (no key sent). */
  callPublic<T>(path: string, init: Omit<ApiInit, "apiKey"> = {}): Promise<T> {
    return api<T>(this.url, path, init);
  }

  /**
   * The wallet's signer from a Solana CLI keypair file: --keypair, PROXYGATE_KEYPAIR, the one
   * used at login, or the Solana CLI default (~/.config/solana/id.json).
   */
  async signer(flag: string | undefined): Promise<{ signer: KeyPairSigner; path: string }> {
    const given = flag ?? this.io.env.PROXYGATE_KEYPAIR ?? this.profile.keypair;
    const path = absolute(given ?? `${this.io.env.HOME || homedir()}/.config/solana/id.json`);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (!given && code === "ENOENT") {
        throw new CliError("keypair_missing", "no keypair: pass --keypair <file> (a Solana CLI keypair)", EXIT.auth);
      }
      throw usageError(`cannot read keypair ${path}: ${code ?? (err as Error).message}`);
    }
    let bytes: Uint8Array;
    try {
      bytes = parseKeypairJson(text);
    } catch (err) {
      throw usageError(`keypair ${path}: ${(err as Error).message}`);
    }
    try {
      return { signer: await createKeyPairSignerFromBytes(bytes), path };
    } catch {
      throw usageError(`keypair ${path}: its public half does not match its secret half`);
    } finally {
      bytes.fill(0);
    }
  }

  /** The signer, checked to be the wallet the API key acts for (a vault belongs to one wallet). */
  async walletSigner(flag: string | undefined): Promise<KeyPairSigner> {
    const { signer, path } = await this.signer(flag);
    const wallet = this.wallet();
    if (signer.address !== wallet) {
      throw usageError(`keypair ${path} is wallet ${signer.address}, but the API key is for ${wallet}`);
    }
    return signer;
  }

  /** A Solana RPC: --rpc, PROXYGATE_RPC_URL, the stored one, or the public endpoint for a known mint. */
  rpcUrl(flag: string | undefined, mint: string): string {
    const url = flag ?? this.io.env.PROXYGATE_RPC_URL ?? this.profile.rpcUrl ?? RPC_BY_MINT[mint];
    if (!url) {
      throw usageError(
        `no Solana RPC URL for the gateway's USDC mint ${mint}: pass --rpc <url> or set PROXYGATE_RPC_URL`,
      );
    }
    return url;
  }

  rpc(flag: string | undefined, mint: string): SolanaRpc {
    return createSolanaRpc(this.rpcUrl(flag, mint));
  }
}

function absolute(path: string): string {
  const expanded = path.startsWith("~/") ? `${homedir()}${path.slice(1)}` : path;
  return isAbsolute(expanded) ? expanded : resolvePath(expanded);
}
