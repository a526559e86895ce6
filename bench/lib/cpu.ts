/**
 * CPU time per process, read from /proc (Linux; elsewhere every figure is null). The benchmark
 * divides it by the requests served. CPU per request moves much less than req/s when other
 * programs compete for the cores, so it is the figure to compare between runs (still as a median:
 * heavy contention inflates it too, by ~20 % at a load average of 10 on 2 cores).
 */
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

/** utime + stime of one process in milliseconds, or null when it is gone or /proc is absent. */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Every process whose parent chain leads to `root` (root included). */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [root];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const out: number[] = [];
  for (const pid of parent.keys()) {
    for (let p: number | undefined = pid, depth = 0; p !== undefined && depth < 64; p = parent.get(p), depth++) {
      if (p === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out.includes(root) ? out : [root, ...out];
}

/** Total CPU milliseconds of a set of processes; null when none could be read. */
export function totalCpuMs(pids: readonly number[]): number | null {
  let total = 0;
  let seen = false;
  for (const pid of pids) {
    const ms = cpuMs(pid);
    if (ms !== null) {
      total += ms;
      seen = true;
    }
  }
  return seen ? total : null;
}
