// Seller overview: payouts pending and settled, earnings and calls per day, per-listing totals and
// the payout address (GET /v1/seller/earnings, GET /v1/listings).
import { api } from "../api.js";
import { barChart, lastDays, shortDay } from "../chart.js";
import { h, icon, mount } from "../dom.js";
import { formatUsdc } from "../money.js";
import { shortAddress, wallet } from "../session.js";
import { card, copyButton, empty, load, pageHeader, stat, table } from "../ui.js";

/**
 * @typedef {{ listingId: string, service: string, calls: number, pending: string, settled: string }} ListingEarnings
 * @typedef {{ day: string, calls: number, earned: string }} DayEarnings
 * @typedef {{ wallet: string, payoutAddress?: string | null, pending: string, settled: string, byListing: ListingEarnings[], byDay: DayEarnings[] }} Earnings
 */

const DAYS = 30;

/**
 * Per-day series over the last `DAYS` days, missing days as zero.
 * @param {DayEarnings[]} byDay
 */
function series(byDay) {
  const byKey = new Map(byDay.map((d) => [d.day, d]));
  return lastDays(DAYS).map((day) => byKey.get(day) ?? { day, calls: 0, earned: "0" });
}

/** @param {Earnings} e */
function renderEarnings(e) {
  const days = series(e.byDay);
  const calls = days.reduce((sum, d) => sum + d.calls, 0);
  return [
    h(
      "div",
      { class: "stats" },
      stat("Pending payout", formatUsdc(e.pending), {
        unit: "USDC",
        tone: "accent",
        hint: "Paid in the next settlement run",
        testid: "earnings-pending",
      }),
      stat("Settled", formatUsdc(e.settled), { unit: "USDC", tone: "ok", hint: "Already sent to your payout address" }),
      stat(`Calls, last ${DAYS} days`, calls.toLocaleString(), {
        hint: "Served through your listings",
        testid: "earnings-calls",
      }),
    ),
    h(
      "div",
      { class: "grid two" },
      card(
        "Earnings per day",
        barChart({
          title: "Earnings per day (USDC)",
          points: days.map((d) => ({
            label: shortDay(d.day),
            value: Number(d.earned) / 1e6,
            display: `${formatUsdc(d.earned)} USDC`,
          })),
          formatAxis: (n) => (n === 0 ? "0" : n < 0.01 ? n.toFixed(4) : n.toFixed(2)),
          testid: "chart-earnings",
        }),
        { description: "Your payouts after the 5% seller fee, in USDC" },
      ),
      card(
        "Calls per day",
        barChart({
          title: "Calls per day",
          points: days.map((d) => ({ label: shortDay(d.day), value: d.calls, display: `${d.calls} calls` })),
          formatAxis: (n) => (Number.isInteger(n) ? String(n) : n.toFixed(1)),
          testid: "chart-calls",
        }),
        { description: "Proxied calls your listings served" },
      ),
    ),
    card(
      "By listing",
      e.byListing.length === 0
        ? empty("No paid calls yet", "Calls to your listings show up here within seconds.")
        : table(
            "Earnings by listing",
            ["Listing", "Calls, all time", "Pending", "Settled"],
            e.byListing.map((l) => [
              h(
                "a",
                { href: `#/seller/listings/${l.listingId}` },
                l.service,
                h("span", { class: "muted mono small" }, ` ${l.listingId.slice(0, 8)}`),
              ),
              l.calls.toLocaleString(),
              `${formatUsdc(l.pending)} USDC`,
              `${formatUsdc(l.settled)} USDC`,
            ]),
            { numeric: [1, 2, 3], testid: "earnings-by-listing" },
          ),
      { wide: true },
    ),
  ];
}

/** @param {string | null | undefined} payoutAddress */
export function payoutCard(payoutAddress) {
  const me = wallet() ?? "";
  const address = payoutAddress ?? me;
  return card(
    "Payout address",
    h(
      "div",
      { class: "stack" },
      h(
        "p",
        {},
        "Settlement pays your earnings in USDC to the token account of ",
        h("strong", { class: "mono", title: address }, shortAddress(address)),
        address === me ? " — the wallet you signed in with." : ".",
      ),
      h(
        "div",
        { class: "copy-row" },
        h("code", { class: "mono truncate", "data-testid": "payout-address" }, address),
        copyButton(address, "Copy"),
      ),
      h(
        "p",
        { class: "muted small" },
        "Payouts run every 10 minutes once your pending balance passes the settlement threshold.",
      ),
    ),
  );
}

/** @param {import("../main.js").ViewContext} ctx */
export function sellerOverview(ctx) {
  const earnings = h("div", { class: "stack-lg" });
  const listingsSummary = h("div");
  const payout = h("div");
  mount(
    ctx.main,
    pageHeader(
      "Earnings",
      "What your listings earned, what is waiting for the next settlement and what was paid out.",
      h("a", { class: "btn btn-primary", href: "#/seller/listings/new" }, icon("plus", 16), "New listing"),
    ),
    earnings,
    h("div", { class: "grid two" }, listingsSummary, payout),
  );
  load(
    earnings,
    () => api(`/v1/seller/earnings?days=${DAYS}`, { signal: ctx.signal }),
    (/** @type {Earnings} */ e) => {
      mount(payout, payoutCard(e.payoutAddress));
      return renderEarnings(e);
    },
    { lines: 5, what: "your earnings" },
  ).then(() => {
    if (payout.childElementCount === 0) mount(payout, payoutCard(null));
  });
  load(
    listingsSummary,
    () => api("/v1/listings", { signal: ctx.signal }),
    (/** @type {{ listings: { status: string }[] }} */ data) => {
      const count = (/** @type {string} */ s) => data.listings.filter((l) => l.status === s).length;
      return card(
        "Your listings",
        h(
          "div",
          { class: "stack" },
          h(
            "div",
            { class: "stats compact" },
            stat("Active", String(count("active")), { tone: "ok" }),
            stat("Paused", String(count("paused")), { tone: "warn" }),
          ),
          h("a", { class: "btn btn-secondary", href: "#/seller/listings" }, "Manage listings"),
        ),
      );
    },
    { what: "your listings" },
  );
}
