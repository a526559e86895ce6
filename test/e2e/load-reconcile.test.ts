/**
 * `npm run bench:load` as CI runs it, tiny (2 agents × 12 calls): the command starts its own
 * stack, makes the mixed calls, settles through the scheduled handler and reconciles exactly. The
 * test fails unless the command exits 0, every reconciliation row is `ok`, the run really mixed
 * charged and refunded calls across both sellers, money moved on chain, and the command's
 * self-check caught every corrupted copy of the run's own data. (The reconciliation's ability to
 * fail is proven in depth in test/unit/load-reconcile.test.ts.)
 */
import { join } from "node:path";
import { expect, it } from "vitest";
import { type Run, runNode } from "./run-node.ts";

const root = join(import.meta.dirname, "..", "..");

function runBench(args: string[]): Promise<Run> {
  return runNode([join(root, "bench", "load.ts"), ...args], { cwd: root });
}

it("bench:load with 2 agents × 12 calls: the books balance exactly", { timeout: 240_000 }, async () => {
  const run = await runBench(["--agents", "2", "--calls", "12"]);
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout).toContain("reconciliation: OK");
  expect(run.stdout).toMatch(/self-check: all \d+ corrupted copies of this run's data were caught/);

  const rows = run.stdout.split("\n").filter((l) => /^\| .* \| (ok|MISMATCH.*) \|$/.test(l));
  expect(rows.length).toBeGreaterThanOrEqual(13);
  for (const row of rows) expect(row).toMatch(/\| ok \|$/);

  // 24 calls, 6 kinds × 4: 16 charged, 8 refunded (upstream 500, stream cut).
  expect(run.stdout).toMatch(
    /24 calls \(2 agents × 12\) in [\d.]+ s: [\d.]+ calls\/s; 16 charged, 8 failed and refunded/,
  );
  expect(run.stdout).toMatch(/\| data-seller-a \| 4 \| 4 \| seller A data: 4 \|/);
  expect(run.stdout).toMatch(/\| data-seller-b \| 4 \| 4 \| seller B data: 4 \|/);
  expect(run.stdout).toMatch(/\| upstream-500 \| 4 \| 0 \|/);
  expect(run.stdout).toMatch(/\| stream-cut \| 4 \| 0 \|/);
  // Money moved: what the vaults lost on chain is what the ledger charged, and it is not zero.
  const totals = run.stdout.match(
    /Σ charge (\d+), Σ payout (\d+), Σ fee (\d+) micro-USDC; on chain: collected (\d+), paid out (\d+), treasury Δ (-?\d+)/,
  );
  expect(totals).not.toBeNull();
  const [charge, payout, fee, collected, paidOut, treasury] = totals!.slice(1).map(BigInt) as bigint[];
  expect(charge).toBeGreaterThan(0n);
  expect(collected).toBe(charge);
  expect(paidOut).toBe(payout);
  expect(treasury).toBe(fee);
});
