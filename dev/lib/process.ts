import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";

/** A system program the local stack needs but this machine lacks. `message` is one line saying how to get it. */
export class MissingDependencyError extends Error {
  override name = "MissingDependencyError";
}

/** Finds `program` on PATH or in `extraDirs`; returns its absolute path or undefined. */
export function findProgram(program: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), ...extraDirs];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, program);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Like findProgram, but throws a MissingDependencyError whose message is `hint`. */
export function requireProgram(program: string, hint: string, extraDirs: string[] = []): string {
  const found = findProgram(program, extraDirs);
  if (!found) throw new MissingDependencyError(hint);
  return found;
}

/** Asks the OS for a free loopback TCP port (bind to port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ManagedProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Collected stdout+stderr (last 64 KiB), for error messages. */
  output(): string;
  /** SIGTERM by PID, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ManagedProcess>();

/**
 * Spawns a long-running server process that this Node process owns. It is tracked so that
 * `stopAll()` (called on exit/SIGINT by the dev stack and test teardown) can stop it by PID.
 */
export function spawnManaged(command: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  let buffer = "";
  const collect = (chunk: Buffer) => {
    buffer = (buffer + chunk.toString("utf8")).slice(-65536);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  const managed: ManagedProcess = {
    pid: child.pid,
    child,
    output: () => buffer,
    async stop(graceMs = 5000) {
      live.delete(managed);
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(managed.pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(managed.pid, "SIGKILL");
        } catch {}
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  live.add(managed);
  return managed;
}

/** Stops every process started with spawnManaged that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop()));
}

/** Polls `check` until it resolves true or `timeoutMs` passes. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 15000,
  proc?: ManagedProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null)) {
      throw new Error(`${what} exited early:\n${proc.output().trim()}`);
    }
    try {
      if (await check()) return;
    } catch {}
    if (Date.now() > deadline) {
      throw new Error(`${what} did not become ready within ${timeoutMs} ms${proc ? `:\n${proc.output().trim()}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True while a process with this PID exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `server` on 127.0.0.1 (port 0 = any free port) and resolves with the bound port. */
export async function listenLoopback(server: import("node:net").Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === "object" && address ? address.port : port;
}
