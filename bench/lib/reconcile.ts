/**
 * The books of a load run, reconciled exactly (bigint, micro-USDC) from independent sources:
 *   - what the agents saw: each call's outcome and, for a charged call, its signed receipt;
 *   - the ledger (Postgres `ledger_entries`), after the outboxes flushed and the settlement ran;
 *   - the chain: USDC balances of every vault, payee account and the treasury, before and after the
 *     settlement;
 *   - the WalletDOs' own view (`GET /v1/balance`) after the settlement.
 * Pure: `bench/load.ts` gathers the inputs, `test/unit/load-reconcile.test.ts` proves each check
 * catches its corruption.
 *
 * The identities (DESIGN §3, §5; workers/settlement/plan.ts):
 *   per wallet   Σ charge = collected on chain (vault before − after) + open (unsettled, in_batch) + forfeited
 *   per payee    Σ payout = received on chain (account after − before) + open
 *   treasury     after − before = Σ fee of settled entries − Σ payout of forfeited entries
 *                (collections land in the treasury, payouts leave it; a forfeited entry's payout is
 *                paid from the treasury with nothing collected)
 *   fees         Σ fee = Σ (charge − payout)
 *   entries      every charged call's receipt id is in the ledger exactly once, with the receipt's
 *                wallet, listing and charge; no failed call and no unknown id is in it.
 */

export type EntryStatus = "unsettled" | "in_batch" | "settled" | "forfeited";

export interface ReceiptSeen {
  requestId: string;
  wallet: string;
  listing: string;
  charge: bigint;
}

export interface CallOutcome {
  /** The agent's wallet. */
  wallet: string;
  /** What the call was meant to do (e.g. "data", "chat-stream", "fault-500"). */
  kind: string;
  /** The kind's expected result: true = charged with a receipt, false = failed and not charged. */
  expectCharged: boolean;
  /** The gateway's request id (X-Proxygate-Request-Id), when the answer carried one. */
  requestId: string | null;
  /** The verified receipt (header or SSE trailer); null when the call was not charged. */
  receipt: ReceiptSeen | null;
  /** HTTP status, for the report. */
  status: number;
}

export interface LedgerRow {
  requestId: string;
  buyer: string;
  payee: string;
  listing: string | null;
  charge: bigint;
  payout: bigint;
  fee: bigint;
  status: EntryStatus;
}

export interface Delta {
  before: bigint;
  after: bigint;
}

export interface ReconcileInput {
  calls: readonly CallOutcome[];
  /** Every ledger entry of the run's buyers. */
  ledger: readonly LedgerRow[];
  /** Buyer wallet → its vault's USDC balance around the settlement. */
  vaults: ReadonlyMap<string, Delta>;
  /** Payee wallet → its USDC account's balance around the settlement. */
  payees: ReadonlyMap<string, Delta>;
  treasury: Delta;
  /** Buyer wallet → `unsettled` as its WalletDO reports it after the settlement. */
  walletUnsettled: ReadonlyMap<string, bigint>;
  /** Everything was due (thresholds 0): no entry may stay open. */
  expectAllSettled: boolean;
}

export interface Check {
  check: string;
  subject: string;
  expected: bigint;
  actual: bigint;
  ok: boolean;
  /** A few offending ids, when the check failed. */
  detail?: string;
}

export interface Reconciliation {
  ok: boolean;
  checks: Check[];
  totals: {
    calls: number;
    charged: number;
    entries: number;
    charges: bigint;
    payouts: bigint;
    fees: bigint;
    collected: bigint;
    paidOut: bigint;
    open: bigint;
    forfeited: bigint;
  };
}

const isOpen = (s: EntryStatus) => s === "unsettled" || s === "in_batch";
const sum = <T>(xs: readonly T[], f: (x: T) => bigint) => xs.reduce((n, x) => n + f(x), 0n);
const sample = (ids: readonly string[]) =>
  ids.length === 0 ? undefined : ids.slice(0, 3).join(", ") + (ids.length > 3 ? ` (+${ids.length - 3})` : "");

export function reconcile(input: ReconcileInput): Reconciliation {
  const checks: Check[] = [];
  const add = (check: string, subject: string, expected: bigint, actual: bigint, offenders: string[] = []) => {
    const detail = sample(offenders);
    checks.push({ check, subject, expected, actual, ok: expected === actual, ...(detail ? { detail } : {}) });
  };

  // 1. Entries: each charged call exactly once, failed calls never, nothing else.
  const byId = new Map<string, LedgerRow[]>();
  for (const row of input.ledger) byId.set(row.requestId, [...(byId.get(row.requestId) ?? []), row]);
  const charged = input.calls.filter((c) => c.receipt !== null);
  const failed = input.calls.filter((c) => c.receipt === null);
  const notOnce = charged.filter((c) => byId.get(c.receipt!.requestId)?.length !== 1).map((c) => c.receipt!.requestId);
  add(
    "charged calls in the ledger exactly once",
    "all",
    BigInt(charged.length),
    BigInt(charged.length - notOnce.length),
    notOnce,
  );
  const mismatched = charged
    .filter((c) => {
      const row = byId.get(c.receipt!.requestId)?.[0];
      const r = c.receipt!;
      return (
        row !== undefined &&
        (row.buyer !== r.wallet || row.listing !== r.listing || row.charge !== r.charge || r.wallet !== c.wallet)
      );
    })
    .map((c) => c.receipt!.requestId);
  add("receipt = entry (wallet, listing, charge)", "all", 0n, BigInt(mismatched.length), mismatched);
  // A refunded call's reservations were `<id>`, `<id>-r`, `<id>-r2`…: none may be in the ledger.
  const leaked = failed
    .filter((c) => c.requestId !== null)
    .flatMap((c) => [...byId.keys()].filter((id) => id === c.requestId || id.startsWith(`${c.requestId}-r`)));
  add("failed calls in the ledger", "all", 0n, BigInt(leaked.length), leaked);
  const known = new Set(charged.map((c) => c.receipt!.requestId));
  const unknown = [...byId.keys()].filter((id) => !known.has(id));
  add("ledger entries no agent was charged for", "all", 0n, BigInt(unknown.length), unknown);
  const duplicated = [...byId].filter(([, rows]) => rows.length > 1).map(([id]) => id);
  add("duplicate request ids in the ledger", "all", 0n, BigInt(duplicated.length), duplicated);
  const unexpected = input.calls
    .filter((c) => c.expectCharged !== (c.receipt !== null))
    .map((c) => `${c.kind}→${c.status}${c.requestId ? ` ${c.requestId}` : ""}`);
  add("calls that did not behave as their kind expects", "all", 0n, BigInt(unexpected.length), unexpected);

  // 2. Per wallet: charges = on-chain collections + open + forfeited; receipts; the WalletDO's view.
  const wallets = new Set([...input.vaults.keys(), ...input.calls.map((c) => c.wallet)]);
  for (const wallet of [...wallets].sort()) {
    const rows = input.ledger.filter((r) => r.buyer === wallet);
    const charges = sum(rows, (r) => r.charge);
    const vault = input.vaults.get(wallet) ?? { before: 0n, after: 0n };
    const open = sum(
      rows.filter((r) => isOpen(r.status)),
      (r) => r.charge,
    );
    const forfeited = sum(
      rows.filter((r) => r.status === "forfeited"),
      (r) => r.charge,
    );
    add(
      "Σ charges = collected on chain + open + forfeited",
      wallet,
      charges,
      vault.before - vault.after + open + forfeited,
    );
    const receipts = sum(
      charged.filter((c) => c.wallet === wallet),
      (c) => c.receipt!.charge,
    );
    add("Σ receipts = Σ ledger charges", wallet, receipts, charges);
    add("WalletDO unsettled = ledger open", wallet, open, input.walletUnsettled.get(wallet) ?? -1n);
  }

  // 3. Per payee: payouts = on-chain receipts + open.
  const payees = new Set([...input.payees.keys(), ...input.ledger.map((r) => r.payee)]);
  for (const payee of [...payees].sort()) {
    const rows = input.ledger.filter((r) => r.payee === payee);
    const account = input.payees.get(payee) ?? { before: 0n, after: 0n };
    const open = sum(
      rows.filter((r) => isOpen(r.status)),
      (r) => r.payout,
    );
    add(
      "Σ payouts = received on chain + open",
      payee,
      sum(rows, (r) => r.payout),
      account.after - account.before + open,
    );
  }

  // 4. Treasury and platform fees.
  const settled = input.ledger.filter((r) => r.status === "settled");
  const forfeitedRows = input.ledger.filter((r) => r.status === "forfeited");
  add(
    "treasury Δ = Σ settled fees − Σ forfeited payouts",
    "treasury",
    sum(settled, (r) => r.fee) - sum(forfeitedRows, (r) => r.payout),
    input.treasury.after - input.treasury.before,
  );
  const fees = sum(input.ledger, (r) => r.fee);
  add(
    "Σ fees = Σ (charge − payout)",
    "platform",
    sum(input.ledger, (r) => r.charge - r.payout),
    fees,
  );
  const openRows = input.ledger.filter((r) => isOpen(r.status));
  if (input.expectAllSettled) {
    add(
      "entries still open after settlement (all were due)",
      "all",
      0n,
      BigInt(openRows.length),
      openRows.map((r) => r.requestId),
    );
  }

  const collected = sum([...input.vaults.values()], (d) => d.before - d.after);
  return {
    ok: checks.every((c) => c.ok),
    checks,
    totals: {
      calls: input.calls.length,
      charged: charged.length,
      entries: input.ledger.length,
      charges: sum(input.ledger, (r) => r.charge),
      payouts: sum(input.ledger, (r) => r.payout),
      fees,
      collected,
      paidOut: sum([...input.payees.values()], (d) => d.after - d.before),
      open: sum(openRows, (r) => r.charge),
      forfeited: sum(forfeitedRows, (r) => r.charge),
    },
  };
}

/** The reconciliation as a Markdown table: per-subject rows of one check are folded into one line. */
export function formatReconciliation(r: Reconciliation): string {
  const groups = new Map<string, Check[]>();
  for (const c of r.checks) groups.set(c.check, [...(groups.get(c.check) ?? []), c]);
  const lines = ["| check | subjects | expected (Σ) | actual (Σ) | result |", "|---|---:|---:|---:|---|"];
  for (const [check, cs] of groups) {
    const bad = cs.filter((c) => !c.ok);
    const e = sum(cs, (c) => c.expected);
    const a = sum(cs, (c) => c.actual);
    const result =
      bad.length === 0
        ? "ok"
        : `MISMATCH ×${bad.length}: ${bad
            .slice(0, 3)
            .map((c) => `${c.subject.slice(0, 8)} ${c.expected}≠${c.actual}${c.detail ? ` [${c.detail}]` : ""}`)
            .join("; ")}`;
    lines.push(`| ${check} | ${cs.length} | ${e} | ${a} | ${result} |`);
  }
  return lines.join("\n");
}
