/**
 * The CLI's config file: per gateway URL, the signed-in wallet, its API key, the keypair file it
 * signs with and an optional Solana RPC URL. The file holds a secret (the API key): it is written
 * with mode 0600 (its folder 0700), atomically (temp file + rename), and a key is only ever sent
 * to the gateway that issued it.
 *
 * Location: $PROXYGATE_CONFIG, else $XDG_CONFIG_HOME/proxygate/config.json, else
 * ~/.config/proxygate/config.json.
 */
import { chmod, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { CliError } from "./errors.ts";

export interface GatewayProfile {
  wallet?: string;
  apiKey?: string;
  keyId?: string;
  /** Absolute path of the Solana CLI keypair file used at login (never the key itself). */
  keypair?: string;
  rpcUrl?: string;
}

export interface Config {
  version: 1;
  /** The gateway used when neither --url nor PROXYGATE_URL names one: the last one signed in to. */
  current?: string;
  gateways: Record<string, GatewayProfile>;
}

export function configPath(env: Record<string, string | undefined>): string {
  if (env.PROXYGATE_CONFIG) return env.PROXYGATE_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "proxygate", "config.json");
}

export async function loadConfig(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, gateways: {} };
    throw new CliError("config", `cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as Partial<Config>;
    if (typeof parsed !== "object" || parsed === null || typeof parsed.gateways !== "object") throw new Error();
    return { version: 1, current: parsed.current, gateways: parsed.gateways ?? {} };
  } catch {
    throw new CliError("config", `${path} is not a proxygate config file (fix or delete it)`);
  }
}

/** Writes the config with mode 0600 through a temp file, so a crash never leaves half a file. */
export async function saveConfig(path: string, config: Config): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, path);
}

/** The file's permission bits (e.g. 0o600), or null when it does not exist. */
export async function fileMode(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return null;
  }
}

/** A gateway URL in one canonical form (scheme, host, port, path without trailing slash). */
export function normalizeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError("usage", `"${url}" is not a URL (e.g. http://127.0.0.1:8787)`, 2);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new CliError("usage", `"${url}" must be an http(s) URL`, 2);
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}
