/**
 * Exit codes and the one-line error report. Every failure ends as exactly one line on stderr
 * (JSON with `--json`), never a stack trace.
 */
import { isSolanaError, SOLANA_ERROR__RPC__TRANSPORT_HTTP_ERROR } from "@solana/kit";
import { GatewayError, NetworkError } from "./lib/http.ts";

export const EXIT = {
  ok: 0,
  /** The gateway refused (an API error), or an on-chain step failed. */
  failed: 1,
  /** Bad arguments: unknown command or option, missing or malformed value. */
  usage: 2,
  /** No API key (or keypair) to act with, or the gateway refused the key (401). */
  auth: 3,
  /** The gateway or the Solana RPC could not be reached. */
  network: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as is, with its exit code. */
export class CliError extends Error {
  override name = "CliError";
  readonly exitCode: ExitCode;
  readonly code: string;

  constructor(code: string, message: string, exitCode: ExitCode = EXIT.failed) {
    super(message);
    this.code = code;
    this.exitCode = exitCode;
  }
}

export function usageError(message: string): CliError {
  return new CliError("usage", message, EXIT.usage);
}

export interface Failure {
  exitCode: ExitCode;
  code: string;
  message: string;
  requestId?: string;
  retryAfter?: number;
}

/** What to report for any thrown value: exit code, a code, a single-line message. */
export function describeFailure(err: unknown): Failure {
  if (err instanceof CliError) return { exitCode: err.exitCode, code: err.code, message: oneLine(err.message) };
  if (err instanceof GatewayError) {
    const failure: Failure = {
      exitCode: err.status === 401 ? EXIT.auth : EXIT.failed,
      code: err.code,
      message: oneLine(err.detail),
    };
    if (err.requestId) failure.requestId = err.requestId;
    if (err.retryAfter !== null) failure.retryAfter = err.retryAfter;
    return failure;
  }
  if (err instanceof NetworkError) return { exitCode: EXIT.network, code: "network", message: oneLine(err.message) };
  if (isSolanaTransportError(err)) {
    return {
      exitCode: EXIT.network,
      code: "network",
      message: oneLine(`Solana RPC unreachable: ${(err as Error).message}`),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { exitCode: EXIT.failed, code: "error", message: oneLine(message) };
}

/** @solana/kit's HTTP transport failures (an error status), or a fetch that never reached the RPC. */
function isSolanaTransportError(err: unknown): boolean {
  if (isSolanaError(err, SOLANA_ERROR__RPC__TRANSPORT_HTTP_ERROR)) return true;
  return err instanceof TypeError && err.message === "fetch failed";
}

/** The human line: `proxygate: <message> (code, request id)`. */
export function formatFailure(f: Failure): string {
  const extra = [
    f.code,
    f.requestId ? `request ${f.requestId}` : "",
    f.retryAfter ? `retry after ${f.retryAfter}s` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return `proxygate: ${f.message}${extra ? ` (${extra})` : ""}`;
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
