/**
 * The settlement planner (DESIGN §5 step 2): pure. Input: the unsettled ledger aggregated in SQL
 * per (buyer, payee) pair; output: which pairs this batch covers, one netted transfer per wallet
 * (a collection from its vault, or a payout to it), the totals, and what is carried over.
 *
 * Rules (docs/decisions/011-settlement.md):
 * - a payee is due when its unsettled payout ≥ `minPayout`, or its oldest entry is older than
 *   `maxAgeMs`; a buyer is due when its unsettled charge ≥ `minCollection`, or same age rule;
 * - a pair is covered only when both its buyer and its payee are due (the rest is carried over);
 * - a `forfeit` pair (its buyer is flagged for skimming: nothing can be collected) is covered when
 *   its payee is due: the seller is paid from the treasury, the buyer's charges are forfeited;
 * - a pair whose payee is flagged is held: carried over untouched (nothing collected for it, nothing
 *   paid), whether or not its buyer is flagged too, and left out of every due computation;
 * - per wallet: net = Σ charges as buyer − Σ payouts as payee over covered pairs; net > 0 is a
 *   collection, net < 0 a payout, 0 nothing;
 * - conservation, exactly: Σ collections − Σ payouts = Σ fees of the covered pairs − Σ payouts of
 *   the forfeited pairs, and covered + forfeited + carried = everything that was unsettled.
 */

export interface PairAggregate {
  buyer: string;
  payee: string;
  /** Σ charge (what the buyer pays), micro-USDC. */
  charge: bigint;
  /** Σ seller_payout. */
  payout: bigint;
  /** Σ platform_fee; `charge = payout + fee` for every entry, so for the sums too. */
  fee: bigint;
  entries: number;
  /** created_at of the oldest entry of the pair, epoch ms. */
  oldestAt: number;
  /** The buyer is flagged: its entries are forfeited, their payouts come from the treasury. */
  forfeit?: boolean;
  /** The payee is flagged: its payout is held (the pair is carried over, never forfeited). */
  payeeFlagged?: boolean;
}

export interface PlanConfig {
  /** Epoch ms the plan is made at. */
  now: number;
  minPayout: bigint;
  minCollection: bigint;
  /** An entry older than this is settled even below the thresholds. */
  maxAgeMs: number;
}

export interface PlannedTransfer {
  kind: "collection" | "payout";
  wallet: string;
  amount: bigint;
}

export interface Totals {
  charge: bigint;
  payout: bigint;
  fee: bigint;
  entries: number;
}

export interface Plan {
  /** Pairs covered by the batch (forfeit pairs included), sorted by (forfeit, buyer, payee). */
  pairs: PairAggregate[];
  /** Collections first (sorted by wallet), then payouts (sorted by wallet). */
  transfers: PlannedTransfer[];
  /** Collected pairs. */
  covered: Totals;
  /** Forfeit pairs paid out from the treasury. */
  forfeited: Totals;
  carried: Totals;
  totalCollected: bigint;
  totalPaidOut: bigint;
}

const ZERO: Totals = { charge: 0n, payout: 0n, fee: 0n, entries: 0 };

function add(t: Totals, p: PairAggregate): Totals {
  return {
    charge: t.charge + p.charge,
    payout: t.payout + p.payout,
    fee: t.fee + p.fee,
    entries: t.entries + p.entries,
  };
}

function bump(map: Map<string, bigint>, key: string, by: bigint): void {
  map.set(key, (map.get(key) ?? 0n) + by);
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Plans one batch from the pair aggregates. Deterministic: the order of `pairs` does not matter.
 *
 * @example
 * const plan = planSettlement((await aggregateUnsettled(client)).pairs, { now, minPayout: 1_000_000n, minCollection: 1_000_000n, maxAgeMs: 86_400_000 });
 * plan.totalCollected - plan.totalPaidOut === plan.covered.fee - plan.forfeited.payout; // always
 */
export function planSettlement(pairs: readonly PairAggregate[], config: PlanConfig): Plan {
  for (const p of pairs) {
    if (p.charge !== p.payout + p.fee || p.payout < 0n || p.fee < 0n || p.entries < 1) {
      throw new RangeError(`inconsistent aggregate for ${p.buyer} → ${p.payee}`);
    }
  }
  const owed = new Map<string, bigint>();
  const spent = new Map<string, bigint>();
  const oldest = new Map<string, number>();
  const held = (p: PairAggregate) => p.payeeFlagged === true;
  for (const p of pairs) {
    if (held(p)) continue;
    bump(owed, p.payee, p.payout);
    if (!p.forfeit) bump(spent, p.buyer, p.charge);
    for (const w of [p.buyer, p.payee]) oldest.set(w, Math.min(oldest.get(w) ?? p.oldestAt, p.oldestAt));
  }
  const old = (w: string) => config.now - (oldest.get(w) ?? config.now) >= config.maxAgeMs;
  const payeeDue = (w: string) => (owed.get(w) ?? 0n) >= config.minPayout || old(w);
  const buyerDue = (w: string) => (spent.get(w) ?? 0n) >= config.minCollection || old(w);

  const sorted = [...pairs].sort(
    (a, b) =>
      Number(a.forfeit ?? false) - Number(b.forfeit ?? false) ||
      byString(a.buyer, b.buyer) ||
      byString(a.payee, b.payee),
  );
  const covered: PairAggregate[] = [];
  let coveredTotals = ZERO;
  let forfeited = ZERO;
  let carried = ZERO;
  const net = new Map<string, bigint>();
  for (const p of sorted) {
    if (held(p)) {
      carried = add(carried, p);
    } else if (p.forfeit) {
      if (payeeDue(p.payee)) {
        covered.push(p);
        forfeited = add(forfeited, p);
        bump(net, p.payee, -p.payout);
      } else {
        carried = add(carried, p);
      }
    } else if (payeeDue(p.payee) && buyerDue(p.buyer)) {
      covered.push(p);
      coveredTotals = add(coveredTotals, p);
      bump(net, p.buyer, p.charge);
      bump(net, p.payee, -p.payout);
    } else {
      carried = add(carried, p);
    }
  }
  const wallets = [...net.keys()].sort(byString);
  const collections: PlannedTransfer[] = [];
  const payouts: PlannedTransfer[] = [];
  for (const w of wallets) {
    const n = net.get(w) ?? 0n;
    if (n > 0n) collections.push({ kind: "collection", wallet: w, amount: n });
    else if (n < 0n) payouts.push({ kind: "payout", wallet: w, amount: -n });
  }
  const sum = (ts: PlannedTransfer[]) => ts.reduce((s, t) => s + t.amount, 0n);
  return {
    pairs: covered,
    transfers: [...collections, ...payouts],
    covered: coveredTotals,
    forfeited,
    carried,
    totalCollected: sum(collections),
    totalPaidOut: sum(payouts),
  };
}

/** How many transfers of each kind fit one transaction (see workers/settlement/transactions.ts, tested there). */
export interface PackLimits {
  collectionsPerTx: number;
  payoutsPerTx: number;
}

/**
 * Assigns each transfer its transaction: consecutive transfers of one kind share a transaction up
 * to the kind's limit; collections and payouts never share one (payouts wait for collections).
 * Returns the tx index per transfer, in the order given.
 */
export function packTransfers(transfers: readonly PlannedTransfer[], limits: PackLimits): number[] {
  const out: number[] = [];
  let tx = -1;
  let inTx = 0;
  let kind: PlannedTransfer["kind"] | null = null;
  for (const t of transfers) {
    const limit = t.kind === "collection" ? limits.collectionsPerTx : limits.payoutsPerTx;
    if (t.kind !== kind || inTx >= limit) {
      tx++;
      inTx = 0;
      kind = t.kind;
    }
    out.push(tx);
    inTx++;
  }
  return out;
}
