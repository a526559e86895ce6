// Settlement history (GET /v1/seller/settlements, paged) and one batch with the caller's transfers
// and links to their transactions (GET /v1/settlements/:id).
import { api } from "../api.js";
import { h, mount } from "../dom.js";
import { formatUsdc } from "../money.js";
import { card, dateTime, empty, errorState, load, pageHeader, stat, statusBadge, table, txLink } from "../ui.js";
import { payoutCard } from "./seller.js";

/**
 * @typedef {{ batchId: string, amount: string, status: string, signature: string | null, confirmedSlot: string | null, createdAt: string }} SettlementRow
 * @typedef {{ idx: number, kind: string, wallet: string, amount: string, txIndex: number, signature: string | null, status: string, confirmedSlot: string | null }} Transfer
 * @typedef {{ id: string, status: string, createdAt: string, completedAt: string | null, entryCount: number, totals: { collected: string, paidOut: string, fees: string }, transfers: Transfer[] }} Settlement
 */

/** @param {SettlementRow} s */
function row(s) {
  return [
    h("a", { href: `#/seller/settlements/${encodeURIComponent(s.batchId)}`, class: "mono" }, s.batchId.slice(0, 12)),
    dateTime(s.createdAt),
    statusBadge(s.status),
    `${formatUsdc(s.amount)} USDC`,
    s.signature ? txLink(s.signature) : h("span", { class: "muted" }, "not sent yet"),
  ];
}

/** @param {import("../main.js").ViewContext} ctx */
export function settlementsView(ctx) {
  const list = h("div");
  mount(
    ctx.main,
    pageHeader("Settlements", "Every payout to you, batched on Solana. Each links to its transaction."),
    h("div", { class: "grid two-one" }, card("Payout history", list, { wide: true }), payoutCard(null)),
  );
  /** @type {SettlementRow[]} */
  const rows = [];
  /** @param {string | null} cursor */
  const page = (cursor) =>
    load(
      list,
      () =>
        api(`/v1/seller/settlements?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
          signal: ctx.signal,
        }),
      (/** @type {{ settlements: SettlementRow[], nextCursor: string | null }} */ data) => {
        rows.push(...data.settlements);
        if (rows.length === 0)
          return empty(
            "No settlements yet",
            "Your first payout appears here after the settlement run that follows your first paid calls.",
          );
        const next = data.nextCursor;
        return [
          table("Settlements", ["Batch", "Date", "Status", "Amount", "Transaction"], rows.map(row), {
            numeric: [3],
            testid: "settlements-table",
          }),
          next
            ? h("button", { class: "btn btn-secondary", type: "button", onclick: () => page(next) }, "Load more")
            : null,
        ];
      },
      { quiet: cursor !== null, what: "your settlements" },
    );
  page(null);
}

/** @param {import("../main.js").ViewContext} ctx */
export function settlementDetailView(ctx) {
  const id = ctx.params[0] ?? "";
  const root = h("div", { class: "stack-lg" });
  mount(ctx.main, root);
  load(
    root,
    () => api(`/v1/settlements/${encodeURIComponent(id)}`, { signal: ctx.signal }),
    (/** @type {Settlement} */ s) => [
      pageHeader(
        `Settlement ${s.id.slice(0, 12)}`,
        `${s.entryCount.toLocaleString()} ledger entries`,
        statusBadge(s.status),
      ),
      h(
        "div",
        { class: "stats" },
        stat("Paid out", formatUsdc(s.totals.paidOut), { unit: "USDC", tone: "ok" }),
        stat("Collected", formatUsdc(s.totals.collected), { unit: "USDC" }),
        stat("Fees kept", formatUsdc(s.totals.fees), { unit: "USDC" }),
      ),
      card(
        "Your transfers in this batch",
        s.transfers.length === 0
          ? empty("No transfers", "This batch holds no transfers to or from your wallet.")
          : table(
              "Transfers",
              ["#", "Kind", "Amount", "Status", "Transaction"],
              s.transfers.map((t) => [
                String(t.idx),
                t.kind,
                `${formatUsdc(t.amount)} USDC`,
                statusBadge(t.status),
                t.signature ? txLink(t.signature) : "—",
              ]),
              { numeric: [2] },
            ),
        { wide: true },
      ),
      h(
        "p",
        { class: "muted small" },
        "Started ",
        dateTime(s.createdAt),
        s.completedAt ? h("span", {}, " · completed ", dateTime(s.completedAt)) : null,
      ),
    ],
    { what: "this settlement" },
  ).catch((err) => mount(root, errorState(err)));
}
