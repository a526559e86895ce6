/**
 * A small closed-loop HTTP load generator: `concurrency` loops each send requests back to back.
 * It uses node:http with a keep-alive agent (one socket per loop) rather than fetch(): the client
 * shares the machine's two cores with what it measures, so it must cost as little as possible.
 */
import { Agent, request as httpRequest } from "node:http";

export interface LoadResult {
  name: string;
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

export interface Target {
  url: string;
  headers: Record<string, string>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

/** One GET; resolves with the status once the whole body has been read (so the socket is reused). */
function get(agent: Agent, url: URL, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: "GET", headers },
      (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/**
 * Sends GET `target` from `concurrency` loops for `seconds` (after `warmupSeconds` unmeasured), and
 * reports throughput and latency percentiles in milliseconds. A response that is not 2xx counts
 * as an error. `meter` is told when the measured part begins and when it has ended.
 */
export async function runLoad(
  name: string,
  target: Target,
  options: { concurrency: number; seconds: number; warmupSeconds: number },
  meter?: { start(): void; stop(): void },
): Promise<LoadResult> {
  const url = new URL(target.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const warmEnd = performance.now() + options.warmupSeconds * 1000;
  const end = warmEnd + options.seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  const timer = setTimeout(() => meter?.start(), options.warmupSeconds * 1000);
  const loop = async () => {
    for (;;) {
      const started = performance.now();
      if (started >= end) return;
      let ok = false;
      try {
        const status = await get(agent, url, target.headers);
        ok = status >= 200 && status < 300;
      } catch {
        ok = false;
      }
      if (started >= warmEnd) {
        latencies.push(performance.now() - started);
        if (!ok) errors++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, loop));
  } finally {
    clearTimeout(timer);
    meter?.stop();
    agent.destroy();
  }
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: latencies.length,
    errors,
    seconds: options.seconds,
    rps: latencies.length / options.seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
