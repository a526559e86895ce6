import { freePort, type ManagedProcess, requireProgram, spawnManaged, waitFor } from "../lib/process.ts";
import { RedisConnection } from "./redis-connection.ts";

export interface RedisHandle {
  host: "127.0.0.1";
  port: number;
  stop(): Promise<void>;
}

const INSTALL_HINT = "redis-server not found: sudo apt-get install -y --no-install-recommends redis-server";

/**
 * Starts a throwaway redis-server on loopback: no persistence, so nothing is written to disk.
 *
 * @example
 * const redis = await startRedis();
 * // ... use 127.0.0.1:redis.port
 * await redis.stop();
 */
export async function startRedis(opts: { port?: number } = {}): Promise<RedisHandle> {
  const program = requireProgram("redis-server", INSTALL_HINT, ["/usr/sbin", "/usr/local/bin"]);
  // A port picked by freePort() can be taken by someone else before redis binds it: retry then.
  const attempts = opts.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const proc = spawnManaged(program, [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--protected-mode",
      "yes",
    ]);
    try {
      // Checking the PID makes sure we talk to our server, not another one already on that port.
      await waitFor("redis-server", () => answersAs(port, proc.pid), 10000, proc);
      return { host: "127.0.0.1", port, stop: () => proc.stop() };
    } catch (error) {
      await proc.stop();
      if (attempt >= attempts || !lostPortRace(proc)) throw error;
    }
  }
}

function lostPortRace(proc: ManagedProcess): boolean {
  return /address already in use/i.test(proc.output());
}

async function answersAs(port: number, pid: number): Promise<boolean> {
  const conn = await RedisConnection.open(port);
  try {
    const info = await conn.send(["INFO", "server"]);
    return Buffer.isBuffer(info) && info.toString().includes(`process_id:${pid}\r\n`);
  } finally {
    conn.close();
  }
}
