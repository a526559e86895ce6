import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive } from "../../dev/lib/process.ts";

const ROOT = join(import.meta.dirname, "..", "..");

/** Every live process whose ancestry leads to `root` (read from ps). */
function descendants(root: number): number[] {
  const table = execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of table) {
      if (ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.pid && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
});

describe("npm start (dev/start.ts --ephemeral, embedded Postgres)", () => {
  it("brings the whole system up healthy, prints a working example, and Ctrl-C leaves no process behind", async () => {
    // Its own process group, like a terminal's foreground job, so SIGINT reaches the group as Ctrl-C does.
    child = spawn(process.execPath, [join(ROOT, "dev", "start.ts"), "--ephemeral"], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const exited = once(child, "exit");

    const deadline = Date.now() + 90_000;
    while (!output.includes("Ctrl-C stops everything.")) {
      if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm start not ready in time:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(output).toContain("health: ok");

    const gateway = /Gateway \+ dashboard\s+(\S+)/.exec(output)?.[1];
    expect(gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = (await (await fetch(`${gateway}/healthz`)).json()) as { status: string };
    expect(health.status).toBe("ok");

    // The printed faucet example, run as printed.
    const faucet = /curl -s -X POST (\S+) -H 'content-type: application\/json' \\\s*-d '([^']+)'/.exec(output);
    expect(faucet).not.toBeNull();
    const funded = await fetch(faucet![1]!, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: faucet![2],
    });
    expect(funded.status).toBe(200);
    expect(((await funded.json()) as { balance: number }).balance).toBe(5_000_000);

    // The printed proxied call, as printed: the demo buyer pays the demo seller's data listing.
    const proxied = /curl -s (\S+\/v1\/proxy\/\S+\/data\/quotes\/AAPL) -H 'Authorization: Bearer (pgk_\S+)'/.exec(
      output,
    );
    expect(proxied).not.toBeNull();
    const quote = await fetch(proxied![1]!, { headers: { authorization: `Bearer ${proxied![2]}` } });
    expect(quote.status, await quote.clone().text()).toBe(200);
    expect(quote.headers.get("x-proxygate-cost")).toBe("210"); // price 200 + 5% buyer fee
    expect(quote.headers.get("x-proxygate-receipt")).toMatch(/^pgr1\./);

    const processes = descendants(child.pid!);
    expect(processes.length).toBeGreaterThan(0); // at least redis-server and workerd

    // SIGINT to the start process alone (not its group): it must stop every process it started itself.
    process.kill(child.pid!, "SIGINT");
    const [code] = await exited;
    expect(code).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(processes.filter(isAlive)).toEqual([]);
    await expect(fetch(`${gateway}/healthz`)).rejects.toThrow();
  }, 120_000);
});

describe("npm start without redis-server on the machine", () => {
  it("says in one line how to get it, with no stack trace, and exits 1", async () => {
    const run = spawn(process.execPath, [join(ROOT, "dev", "start.ts"), "--ephemeral"], {
      cwd: ROOT,
      env: { ...process.env, PATH: "/nonexistent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    run.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const [code] = await once(run, "exit");
    expect(code).toBe(1);
    const lines = stderr.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^proxygate: redis-server not found: .*apt-get install .*redis-server/),
    ]);
  }, 60_000);
});
