// Buyer views: the balance breakdown with the vault and deposit instructions (QR code), usage with
// receipts, and withdrawals (co-signed by the gateway, signed and sent by the wallet).
import { ApiError, api } from "../api.js";
import { h, icon, mount, s } from "../dom.js";
import { formatUsdc, parseUsdc } from "../money.js";
import { qrPath } from "../qr.js";
import { wallet } from "../session.js";
import {
  card,
  copyButton,
  dateTime,
  empty,
  errorState,
  errorText,
  field,
  load,
  pageHeader,
  stat,
  statusBadge,
  table,
  toast,
  txLink,
} from "../ui.js";
import { signAndSendWithWallet } from "../wallet.js";

/**
 * @typedef {{ wallet: string, available: string, onChain: string, chainSlot: number | null, reserved: string, unsettled: string, held: string, cooldownUntil: string | null, flagged: boolean }} Balance
 * @typedef {{ vault: string, multisig: string, status: string, mint: string, onChain: { status: string, amount?: string }, deposit: { address: string, mint: string, decimals: number, howTo: string } }} Vault
 * @typedef {{ requestId: string, kind: string, listingId: string | null, taskId: string | null, charge: string, units: number | null, status: string, settlementBatchId: string | null, createdAt: string }} UsageEntry
 * @typedef {{ id: string, amount: string, destination: string, status: string, signature: string | null, confirmedSlot: number | null, createdAt: string }} Withdrawal
 */

/**
 * A horizontal bar of where the on-chain balance goes.
 * @param {Balance} b
 */
function breakdownBar(b) {
  const total = BigInt(b.onChain);
  const parts = [
    { label: "Available", value: BigInt(b.available), cls: "seg-available" },
    { label: "Reserved", value: BigInt(b.reserved), cls: "seg-reserved" },
    { label: "Unsettled", value: BigInt(b.unsettled), cls: "seg-unsettled" },
    { label: "Held", value: BigInt(b.held), cls: "seg-held" },
  ];
  const share = (/** @type {bigint} */ v) => (total > 0n ? Number((v * 10_000n) / total) / 100 : 0);
  return h(
    "div",
    { class: "breakdown" },
    h(
      "div",
      { class: "breakdown-bar", "aria-hidden": "true" },
      ...parts.map((p) => h("span", { class: p.cls, style: `width:${share(p.value)}%` })),
    ),
    h(
      "ul",
      { class: "legend" },
      ...parts.map((p) =>
        h(
          "li",
          {},
          h("span", { class: `swatch ${p.cls}`, "aria-hidden": "true" }),
          `${p.label} ${formatUsdc(p.value)} USDC`,
        ),
      ),
    ),
  );
}

/** @param {Balance} b */
function balanceStats(b) {
  return [
    b.flagged
      ? h(
          "div",
          { class: "notice notice-bad", role: "alert" },
          "This wallet is flagged: a settlement could not collect from its vault. Calls are refused until support clears it.",
        )
      : null,
    b.cooldownUntil && new Date(b.cooldownUntil).getTime() > Date.now()
      ? h(
          "div",
          { class: "notice", role: "status" },
          "A withdrawal is in flight: new calls wait until it lands (until ",
          dateTime(b.cooldownUntil),
          ").",
        )
      : null,
    h(
      "div",
      { class: "stats five" },
      stat("Available", formatUsdc(b.available), {
        unit: "USDC",
        tone: "accent",
        hint: "What calls can spend now",
        testid: "balance-available",
      }),
      stat("On chain", formatUsdc(b.onChain), { unit: "USDC", hint: "USDC in your vault" }),
      stat("Reserved", formatUsdc(b.reserved), { unit: "USDC", hint: "Held for calls in flight" }),
      stat("Unsettled", formatUsdc(b.unsettled), {
        unit: "USDC",
        hint: "Spent, collected at the next settlement",
        testid: "balance-unsettled",
      }),
      stat("Held", formatUsdc(b.held), { unit: "USDC", hint: "Escrowed for bounties" }),
    ),
    card("Where your balance goes", breakdownBar(b), {
      description: "Available = on chain − unsettled − reserved − held",
      wide: true,
    }),
  ];
}

/** @param {string} address */
function qrCode(address) {
  const { d, viewBox } = qrPath(address);
  return s(
    "svg",
    {
      viewBox: `0 0 ${viewBox} ${viewBox}`,
      class: "qr",
      role: "img",
      "aria-label": `QR code of the vault address ${address}`,
      "data-testid": "vault-qr",
    },
    s("rect", { width: viewBox, height: viewBox, fill: "#fff" }),
    s("path", { d, fill: "#0b0d12" }),
  );
}

/**
 * @param {Vault} v
 * @param {AbortSignal} signal
 */
function vaultCard(v, signal) {
  const signature = h("input", {
    name: "signature",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "Transaction signature",
    required: true,
  });
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  return card(
    "Deposit USDC",
    h(
      "div",
      { class: "deposit" },
      h("div", { class: "qr-wrap" }, qrCode(v.deposit.address)),
      h(
        "div",
        { class: "stack" },
        h(
          "p",
          {},
          "Your vault ",
          statusBadge(v.status === "active" ? "active" : v.status),
          " is a USDC account on Solana that only you and the gateway together can move funds out of.",
        ),
        h(
          "div",
          { class: "copy-row" },
          h("code", { class: "mono truncate", "data-testid": "vault-address" }, v.deposit.address),
          copyButton(v.deposit.address, "Copy address"),
        ),
        h(
          "ol",
          { class: "steps" },
          h(
            "li",
            {},
            "Send ",
            h("strong", {}, "USDC on Solana"),
            " (mint ",
            h("code", { class: "mono", title: v.deposit.mint }, `${v.deposit.mint.slice(0, 6)}…`),
            ") to the vault address above, from any wallet or exchange.",
          ),
          h(
            "li",
            {},
            "Paste the transaction signature below to credit it at once — or wait: unreported deposits are picked up within a minute.",
          ),
        ),
        h(
          "p",
          { class: "muted small" },
          "Only send USDC. The QR code holds the plain vault address (a token account), not a payment request.",
        ),
        h(
          "form",
          {
            class: "inline-form",
            onsubmit: async (e) => {
              e.preventDefault();
              try {
                const d = /** @type {{ amount: string }} */ (
                  await api("/v1/deposits", { body: { signature: signature.value.trim() }, signal })
                );
                signature.value = "";
                toast(`Deposit of ${formatUsdc(d.amount)} USDC credited`);
                status.textContent = "";
              } catch (err) {
                status.className = "form-status error";
                status.textContent = errorText(err);
              }
            },
          },
          field("Report a deposit", signature),
          h("button", { class: "btn btn-secondary", type: "submit" }, "Credit deposit"),
        ),
        status,
      ),
    ),
    { wide: true },
  );
}

/**
 * @param {HTMLElement} el
 * @param {AbortSignal} signal
 */
function noVault(el, signal) {
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  return card(
    "Open your vault",
    empty(
      "No vault yet",
      "A vault is the USDC account your calls are paid from. Opening it costs a small SOL fee, paid by your wallet.",
      h(
        "button",
        {
          class: "btn btn-primary",
          type: "button",
          onclick: async () => {
            try {
              status.textContent = "Preparing the vault transaction…";
              const opened = /** @type {{ transaction: string }} */ (await api("/v1/vault", { body: {}, signal }));
              status.textContent = "Approve the transaction in your wallet…";
              await signAndSendWithWallet(wallet() ?? "", opened.transaction);
              status.textContent = "Waiting for the vault to land on chain…";
              for (let i = 0; i < 20; i++) {
                const v = /** @type {Vault} */ (await api("/v1/vault", { signal }));
                if (v.onChain.status === "ok") {
                  mount(el, vaultCard(v, signal));
                  return;
                }
                await new Promise((r) => setTimeout(r, 1000));
              }
              status.textContent = "The transaction was sent but the vault is not on chain yet. Reload in a minute.";
            } catch (err) {
              status.className = "form-status error";
              status.textContent = errorText(err);
            }
          },
        },
        "Open vault",
      ),
      status,
    ),
  );
}

/** @param {import("../main.js").ViewContext} ctx */
export function balanceView(ctx) {
  const balance = h("div", { class: "stack-lg" });
  const vault = h("div");
  const deposits = h("div");
  mount(
    ctx.main,
    pageHeader(
      "Balance",
      "Your prepaid USDC. Calls reserve their price, then book the actual charge; settlement collects from your vault.",
      h("a", { class: "btn btn-secondary", href: "#/buyer/withdrawals" }, icon("arrowUp", 16), "Withdraw"),
    ),
    balance,
    vault,
    card("Deposits", deposits, { wide: true }),
  );
  load(
    balance,
    () => api("/v1/balance", { signal: ctx.signal }),
    (/** @type {Balance} */ b) => balanceStats(b),
    { lines: 4, what: "your balance" },
  );
  ctx.every(15_000, () =>
    load(
      balance,
      () => api("/v1/balance", { signal: ctx.signal }),
      (/** @type {Balance} */ b) => balanceStats(b),
      { quiet: true, what: "your balance" },
    ),
  );
  api("/v1/vault", { signal: ctx.signal })
    .then((/** @type {Vault} */ v) => mount(vault, vaultCard(v, ctx.signal)))
    .catch((err) => {
      if (err instanceof DOMException) return;
      if (err instanceof ApiError && err.status === 404 && !err.missingRoute) mount(vault, noVault(vault, ctx.signal));
      else mount(vault, errorState(err));
    });
  load(
    deposits,
    () => api("/v1/deposits", { signal: ctx.signal }),
    (
      /** @type {{ deposits: { id: string, signature: string, amount: string, slot: number, createdAt: string }[] }} */ data,
    ) =>
      data.deposits.length === 0
        ? empty("No deposits yet", "Send USDC to your vault address to fund your calls.")
        : table(
            "Deposits",
            ["Date", "Amount", "Transaction"],
            data.deposits.map((d) => [dateTime(d.createdAt), `${formatUsdc(d.amount)} USDC`, txLink(d.signature)]),
            { numeric: [1] },
          ),
    { what: "your deposits" },
  );
}

/**
 * Shows a call's signed receipt in a dialog (fetched from the ledger: GET /v1/receipts/:requestId).
 * @param {string} requestId
 */
function showReceipt(requestId) {
  const body = h("div");
  const dialog = h(
    "dialog",
    { class: "dialog receipt-dialog", "aria-labelledby": "receipt-title" },
    h(
      "form",
      { method: "dialog" },
      h("h2", { id: "receipt-title" }, "Signed receipt"),
      h(
        "p",
        { class: "muted small" },
        "The gateway signs every call it charges. Anyone can check the signature against the gateway's public key (GET /v1/receipts/public-key).",
      ),
      body,
      h(
        "div",
        { class: "actions end" },
        h("button", { class: "btn btn-primary", value: "close", autofocus: true }, "Close"),
      ),
    ),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  load(
    body,
    () => api(`/v1/receipts/${encodeURIComponent(requestId)}`),
    (
      /** @type {{ requestId: string, listing: string, charge: string, timestamp: string | number, receipt: string, publicKey: string }} */ r,
    ) =>
      h(
        "dl",
        { class: "facts wide receipt", "data-testid": "receipt" },
        h("div", {}, h("dt", {}, "Request"), h("dd", { class: "mono break" }, r.requestId)),
        h("div", {}, h("dt", {}, "Charge"), h("dd", {}, `${formatUsdc(r.charge)} USDC`)),
        h("div", {}, h("dt", {}, "Listing"), h("dd", { class: "mono break" }, r.listing)),
        h("div", {}, h("dt", {}, "Gateway public key"), h("dd", { class: "mono break" }, r.publicKey)),
        h(
          "div",
          { class: "span-2" },
          h("dt", {}, "Receipt (Ed25519)"),
          h("dd", { class: "mono break" }, r.receipt),
          h("dd", {}, copyButton(r.receipt, "Copy receipt")),
        ),
      ),
    { lines: 3 },
  );
}

/** @param {UsageEntry} e */
function usageRow(e) {
  return [
    dateTime(e.createdAt),
    h(
      "span",
      { class: "mono small", title: e.requestId },
      e.requestId.length > 22 ? `${e.requestId.slice(0, 22)}…` : e.requestId,
    ),
    e.listingId ? h("span", { class: "mono small", title: e.listingId }, e.listingId.slice(0, 8)) : e.kind,
    e.units === null ? "—" : e.units.toLocaleString(),
    `${formatUsdc(e.charge)} USDC`,
    statusBadge(e.status),
    h(
      "button",
      {
        class: "btn btn-ghost btn-small",
        type: "button",
        "aria-haspopup": "dialog",
        onclick: () => showReceipt(e.requestId),
      },
      "Receipt",
    ),
  ];
}

/** @param {import("../main.js").ViewContext} ctx */
export function usageView(ctx) {
  const list = h("div");
  mount(
    ctx.main,
    pageHeader(
      "Usage",
      "Every paid call, newest first, with its signed receipt. Entries appear within seconds of the call.",
    ),
    card("Calls", list, { wide: true }),
  );
  /** @type {UsageEntry[]} */
  const rows = [];
  /** @param {string | null} cursor */
  const page = (cursor) =>
    load(
      list,
      () => api(`/v1/usage?limit=50${cursor ? `&cursor=${cursor}` : ""}`, { signal: ctx.signal }),
      (/** @type {{ entries: UsageEntry[], nextCursor: string | null }} */ data) => {
        rows.push(...data.entries);
        if (rows.length === 0) {
          return empty(
            "No calls yet",
            "Point your agent at a listing's proxy URL with your API key; each call shows up here.",
            h("a", { class: "btn btn-secondary", href: "#/catalog" }, "Browse the catalog"),
          );
        }
        const total = rows.reduce((sum, r) => sum + BigInt(r.charge), 0n);
        const next = data.nextCursor;
        return [
          h(
            "p",
            { class: "muted small" },
            `${rows.length} ${rows.length === 1 ? "call" : "calls"} shown · `,
            h("strong", {}, `${formatUsdc(total)} USDC`),
            " charged",
          ),
          table("Usage", ["Date", "Request", "Listing", "Units", "Charge", "Status", ""], rows.map(usageRow), {
            numeric: [3, 4],
            testid: "usage-table",
          }),
          next
            ? h("button", { class: "btn btn-secondary", type: "button", onclick: () => page(next) }, "Load more")
            : null,
        ];
      },
      { quiet: cursor !== null, lines: 5, what: "your usage" },
    );
  page(null);
}

/** @param {import("../main.js").ViewContext} ctx */
export function withdrawalsView(ctx) {
  const list = h("div");
  const amount = h("input", {
    name: "amount",
    inputmode: "decimal",
    placeholder: "10.00",
    required: true,
    autocomplete: "off",
  });
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  const refresh = () =>
    load(
      list,
      () => api("/v1/withdrawals", { signal: ctx.signal }),
      (/** @type {{ withdrawals: Withdrawal[] }} */ data) =>
        data.withdrawals.length === 0
          ? empty("No withdrawals yet", "Withdrawals move USDC from your vault back to your wallet.")
          : table(
              "Withdrawals",
              ["Date", "Amount", "To", "Status", "Transaction"],
              data.withdrawals.map((w) => [
                dateTime(w.createdAt),
                `${formatUsdc(w.amount)} USDC`,
                h("span", { class: "mono small", title: w.destination }, `${w.destination.slice(0, 6)}…`),
                statusBadge(w.status),
                w.signature ? txLink(w.signature) : "—",
              ]),
              { numeric: [1] },
            ),
      { what: "your withdrawals" },
    );
  const form = h(
    "form",
    {
      class: "stack",
      onsubmit: async (e) => {
        e.preventDefault();
        const micro = parseUsdc(amount.value);
        if (micro === null || micro <= 0n) {
          status.className = "form-status error";
          status.textContent = "Enter an amount above 0 with at most 6 decimals.";
          return;
        }
        status.className = "form-status";
        try {
          status.textContent = "The gateway is co-signing the withdrawal…";
          const w = /** @type {{ id: string, transaction: string }} */ (
            await api("/v1/withdrawals", { body: { amount: micro.toString() }, signal: ctx.signal })
          );
          status.textContent = "Approve the transaction in your wallet…";
          const signature = await signAndSendWithWallet(wallet() ?? "", w.transaction);
          status.textContent = "Confirming on chain…";
          // The gateway checks the chain; a transaction not landed yet stays pending, so ask again.
          for (let attempt = 0; attempt < 15; attempt++) {
            const confirmed = /** @type {Withdrawal} */ (
              await api(`/v1/withdrawals/${w.id}/confirm`, { body: { signature }, signal: ctx.signal })
            );
            if (confirmed.status !== "pending") {
              if (confirmed.status !== "confirmed")
                throw new Error(`The withdrawal ${confirmed.status}; nothing left your vault.`);
              break;
            }
            await new Promise((r) => setTimeout(r, 1500));
          }
          amount.value = "";
          status.textContent = "";
          toast(`Withdrawal of ${formatUsdc(micro)} USDC confirmed`);
          refresh();
        } catch (err) {
          status.className = "form-status error";
          status.textContent = errorText(err);
          refresh();
        }
      },
    },
    field("Amount (USDC)", amount, "Up to your available balance. New calls pause until the transfer lands."),
    h("div", {}, h("button", { class: "btn btn-primary", type: "submit" }, "Withdraw to my wallet")),
    status,
  );
  const available = h("div");
  load(
    available,
    () => api("/v1/balance", { signal: ctx.signal }),
    (/** @type {Balance} */ b) =>
      stat("Available to withdraw", formatUsdc(b.available), { unit: "USDC", tone: "accent" }),
    { lines: 1, what: "your balance" },
  );
  mount(
    ctx.main,
    pageHeader(
      "Withdrawals",
      "Move USDC from your vault back to your wallet. The gateway co-signs after checking your available balance; your wallet signs and sends.",
    ),
    h(
      "div",
      { class: "grid two-one" },
      card("History", list, { wide: true }),
      card(
        "New withdrawal",
        h(
          "div",
          { class: "stack" },
          available,
          form,
          h("p", { class: "muted small" }, "Needs the wallet you signed in with, to sign the transfer."),
        ),
      ),
    ),
  );
  refresh();
}
