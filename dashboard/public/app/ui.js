// Shared pieces of every view: page headers, cards, stat tiles, tables, badges, the three states
// of anything loaded (loading, empty, error), toasts, the confirmation dialog and copy buttons.
import { ApiError } from "./api.js";
import { byId, h, icon } from "./dom.js";

/** @typedef {import("./dom.js").Child} Child */

/**
 * @param {string} title
 * @param {string} [lede]
 * @param {...Child} actions
 */
export function pageHeader(title, lede, ...actions) {
  return h(
    "header",
    { class: "page-header" },
    h("div", {}, h("h1", {}, title), lede ? h("p", { class: "lede" }, lede) : null),
    actions.length ? h("div", { class: "actions" }, ...actions) : null,
  );
}

/**
 * A titled card.
 * @param {string} title
 * @param {Child | Child[]} body
 * @param {{ id?: string, wide?: boolean, action?: Child, description?: string }} [opts]
 */
export function card(title, body, opts = {}) {
  const headingId = `card-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return h(
    "section",
    { class: `card${opts.wide ? " wide" : ""}`, "aria-labelledby": headingId, id: opts.id },
    h(
      "div",
      { class: "card-head" },
      h(
        "div",
        {},
        h("h2", { id: headingId }, title),
        opts.description ? h("p", { class: "muted small" }, opts.description) : null,
      ),
      opts.action ?? null,
    ),
    body,
  );
}

/**
 * A figure with a label: `Available 12.50 USDC`.
 * @param {string} label
 * @param {Child} value
 * @param {{ hint?: string, tone?: "accent" | "ok" | "warn" | "bad", unit?: string, testid?: string }} [opts]
 */
export function stat(label, value, opts = {}) {
  return h(
    "div",
    { class: `stat${opts.tone ? ` tone-${opts.tone}` : ""}`, "data-testid": opts.testid },
    h("div", { class: "stat-label" }, label),
    h("div", { class: "stat-value" }, value, opts.unit ? h("span", { class: "unit" }, ` ${opts.unit}`) : null),
    opts.hint ? h("div", { class: "stat-hint" }, opts.hint) : null,
  );
}

/**
 * @param {string} text
 * @param {"ok" | "warn" | "bad" | "muted" | "accent"} [tone]
 */
export function badge(text, tone = "muted") {
  return h("span", { class: `badge badge-${tone}` }, text);
}

/** @param {string} status */
export function statusBadge(status) {
  /** @type {Record<string, "ok" | "warn" | "bad" | "muted" | "accent">} */
  const tones = {
    active: "ok",
    confirmed: "ok",
    settled: "ok",
    paused: "warn",
    pending: "warn",
    planned: "accent",
    sent: "accent",
    unsettled: "accent",
    failed: "bad",
    deleted: "bad",
    expired: "muted",
    forfeited: "bad",
    // Bounty board tasks.
    open: "accent",
    claimed: "warn",
    submitted: "warn",
    approved: "ok",
    released: "ok",
    cancelled: "muted",
    disputed: "bad",
  };
  return badge(status, tones[status] ?? "muted");
}

/**
 * An accessible data table.
 * @param {string} caption
 * @param {string[]} columns
 * @param {Child[][]} rows
 * @param {{ numeric?: number[], testid?: string }} [opts]
 */
export function table(caption, columns, rows, opts = {}) {
  const numeric = new Set(opts.numeric ?? []);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { "data-testid": opts.testid },
      h("caption", { class: "sr-only" }, caption),
      h(
        "thead",
        {},
        h("tr", {}, ...columns.map((c, i) => h("th", { scope: "col", class: numeric.has(i) ? "num" : null }, c))),
      ),
      h(
        "tbody",
        {},
        ...rows.map((r) => h("tr", {}, ...r.map((cell, i) => h("td", { class: numeric.has(i) ? "num" : null }, cell)))),
      ),
    ),
  );
}

/** A skeleton shown while something loads. @param {number} [lines] */
export function loading(lines = 3) {
  return h(
    "div",
    { class: "loading", role: "status", "aria-live": "polite" },
    h("span", { class: "sr-only" }, "Loading…"),
    ...Array.from({ length: lines }, (_, i) => h("div", { class: "skeleton", style: `width:${90 - i * 17}%` })),
  );
}

/**
 * @param {string} title
 * @param {string} text
 * @param {...Child} actions
 */
export function empty(title, text, ...actions) {
  return h(
    "div",
    { class: "empty", "data-state": "empty" },
    h("p", { class: "empty-title" }, title),
    h("p", { class: "muted" }, text),
    actions.length ? h("div", { class: "actions" }, ...actions) : null,
  );
}

/**
 * The error state of something that failed to load, with a retry.
 * @param {unknown} err
 * @param {(() => void) | null} [retry]
 * @param {string} [what] e.g. "your balance"
 */
export function errorState(err, retry, what = "this") {
  const apiErr = err instanceof ApiError ? err : null;
  const title = apiErr?.missingRoute ? "Not available on this gateway yet" : `Could not load ${what}`;
  const message = apiErr?.missingRoute
    ? "This gateway does not serve this data yet. It appears here as soon as the gateway is updated."
    : err instanceof Error
      ? err.message
      : String(err);
  return h(
    "div",
    { class: "error-state", role: "alert", "data-state": apiErr?.missingRoute ? "unavailable" : "error" },
    h("p", { class: "empty-title" }, title),
    h("p", {}, message),
    apiErr?.requestId && !apiErr.missingRoute
      ? h("p", { class: "muted small" }, "Request id: ", h("code", {}, apiErr.requestId))
      : null,
    retry
      ? h(
          "button",
          { class: "btn btn-secondary", type: "button", onclick: () => retry() },
          icon("refresh", 16),
          "Retry",
        )
      : null,
  );
}

/**
 * Loads data into `el`: a skeleton first, then `render(data)`, or the error state with a retry.
 * Aborted loads (the view was left) render nothing.
 * @template T
 * @param {Element} el
 * @param {() => Promise<T>} fetcher
 * @param {(data: T) => Child | Child[]} render
 * @param {{ lines?: number, quiet?: boolean, what?: string }} [opts] quiet: keep the current content while
 *   reloading; what: names the data in the error state ("your balance")
 */
export async function load(el, fetcher, render, opts = {}) {
  if (!opts.quiet) el.replaceChildren(loading(opts.lines));
  el.setAttribute("aria-busy", "true");
  try {
    const data = await fetcher();
    const out = render(data);
    /** @type {(Node | string)[]} */
    const nodes = [];
    for (const n of Array.isArray(out) ? out : [out]) {
      if (n instanceof Node) nodes.push(n);
      else if (n !== null && n !== undefined && n !== false) nodes.push(String(n));
    }
    el.replaceChildren(...nodes);
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") return;
    el.replaceChildren(errorState(err, () => load(el, fetcher, render, opts), opts.what));
  } finally {
    el.removeAttribute("aria-busy");
  }
}

/**
 * A short notice in the corner, announced to screen readers.
 * @param {string} text
 * @param {"ok" | "bad"} [tone]
 */
export function toast(text, tone = "ok") {
  const el = h("div", { class: `toast toast-${tone}` }, text);
  byId("toasts").append(el);
  setTimeout(() => el.remove(), 5000);
}

/** @param {unknown} err */
export function errorText(err) {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Asks for confirmation in a modal dialog (focus moves into it, Escape cancels).
 * @param {{ title: string, text: string, confirm: string, danger?: boolean }} opts
 * @returns {Promise<boolean>}
 */
export function confirmDialog(opts) {
  return new Promise((resolve) => {
    const dialog = h(
      "dialog",
      { class: "dialog", "aria-labelledby": "dialog-title", "aria-describedby": "dialog-text" },
      h(
        "form",
        { method: "dialog" },
        h("h2", { id: "dialog-title" }, opts.title),
        h("p", { id: "dialog-text" }, opts.text),
        h(
          "div",
          { class: "actions end" },
          h("button", { class: "btn btn-secondary", value: "cancel", autofocus: true }, "Cancel"),
          h("button", { class: `btn ${opts.danger ? "btn-danger" : "btn-primary"}`, value: "confirm" }, opts.confirm),
        ),
      ),
    );
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "confirm");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/**
 * Shows a freshly issued secret exactly once, with a copy button. Closing the dialog drops it:
 * the dashboard never shows it again.
 * @param {{ title: string, text: string, secret: string }} opts
 * @returns {Promise<void>}
 */
export function revealOnce(opts) {
  return new Promise((resolve) => {
    const field = h("input", {
      class: "secret",
      readonly: true,
      value: opts.secret,
      "aria-label": "API key",
      spellcheck: "false",
      "data-testid": "revealed-key",
    });
    const dialog = h(
      "dialog",
      { class: "dialog", "aria-labelledby": "reveal-title" },
      h(
        "form",
        { method: "dialog" },
        h("h2", { id: "reveal-title" }, opts.title),
        h("p", {}, opts.text),
        h("div", { class: "copy-row" }, field, copyButton(opts.secret, "Copy key")),
        h(
          "p",
          { class: "muted small" },
          "This is the only time the key is shown. Store it in your agent's secret manager.",
        ),
        h(
          "div",
          { class: "actions end" },
          h("button", { class: "btn btn-primary", value: "done" }, "I have stored it"),
        ),
      ),
    );
    dialog.addEventListener("close", () => {
      field.value = "";
      dialog.remove();
      resolve();
    });
    document.body.append(dialog);
    dialog.showModal();
    field.select();
  });
}

/**
 * @param {string} text
 * @param {string} [label]
 */
export function copyButton(text, label = "Copy") {
  const btn = h(
    "button",
    { class: "btn btn-secondary btn-small", type: "button" },
    icon("copy", 16),
    h("span", {}, label),
  );
  btn.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      toast("Copied to the clipboard");
    } catch {
      toast("Copy failed: select the text and copy it by hand", "bad");
    }
  });
  return btn;
}

/** @param {string | null | undefined} iso */
export function dateTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return h(
    "time",
    { datetime: iso, title: d.toISOString() },
    d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }),
  );
}

/** @param {string | null | undefined} iso */
export function relative(iso) {
  if (!iso) return "never";
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  const fmt = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  if (Math.abs(seconds) < 60) return fmt.format(-seconds, "second");
  if (Math.abs(seconds) < 3600) return fmt.format(-Math.round(seconds / 60), "minute");
  if (Math.abs(seconds) < 86400) return fmt.format(-Math.round(seconds / 3600), "hour");
  return fmt.format(-Math.round(seconds / 86400), "day");
}

/**
 * A labelled form field.
 * @param {string} label
 * @param {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} control
 * @param {string} [hint]
 */
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    control,
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
  );
}

/**
 * A Solana explorer link for a transaction signature (opens in a new tab).
 * @param {string} signature
 */
export function txLink(signature) {
  return h(
    "a",
    {
      href: `https://explorer.solana.com/tx/${encodeURIComponent(signature)}`,
      target: "_blank",
      rel: "noopener noreferrer",
      class: "mono",
      title: signature,
    },
    `${signature.slice(0, 8)}…${signature.slice(-6)}`,
    icon("external", 14),
  );
}
