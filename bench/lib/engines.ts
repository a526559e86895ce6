/**
 * The local engines for the benchmark in a child process of their own (dev/engines-main.ts), so
 * the demo upstream, the Redis shim and the Postgres relay never share the load generator's event
 * loop: a request's time is then spent where it would be in a deployment, not queued behind the
 * client that is measuring it. Stopped by PID.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { EngineInfo } from "../../dev/engines-main.ts";
import { ROOT } from "../../dev/worker.ts";

export async function spawnEngines(): Promise<{ info: EngineInfo; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [join(ROOT, "dev", "engines-main.ts")], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  if (child.pid === undefined) throw new Error("could not start the engines");
  const pid = child.pid;
  const exited = once(child, "exit");
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise<EngineInfo>((resolve, reject) => {
    lines.on("line", (line) => {
      if (line.startsWith("READY ")) resolve(JSON.parse(line.slice("READY ".length)) as EngineInfo);
    });
    child.once("exit", (code) => reject(new Error(`the engines exited with code ${code} before they were ready`)));
  });
  return {
    info,
    pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGTERM");
      await exited;
    },
  };
}
