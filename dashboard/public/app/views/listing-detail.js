// One listing: live health and capacity use (from the catalog, polled), price with the fee
// preview, capacity, allowed methods and paths, the masked key, and pause / unpause / rotate key /
// delete, each behind a confirmation.
import { ApiError, api } from "../api.js";
import { h, icon, mount } from "../dom.js";
import { formatUsdc, parseUsdc, unitLabel } from "../money.js";
import { go } from "../route.js";
import {
  badge,
  card,
  confirmDialog,
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
  toast,
} from "../ui.js";
import { meter, millis, pct } from "./common.js";
import { checkboxes, feePreview, linesOf, METHODS, maskedKey, WINDOWS } from "./listings.js";

/** @typedef {import("./listings.js").OwnerListing} OwnerListing */
/** @typedef {import("./catalog.js").ApiEntry} ApiEntry */

const HEALTH_POLL_MS = 10_000;

/**
 * @param {OwnerListing} l
 * @param {HTMLElement} el
 * @param {AbortSignal} signal
 */
async function renderHealth(l, el, signal) {
  if (l.status !== "active") {
    mount(
      el,
      empty(
        `This listing is ${l.status}`,
        "It is not routed while paused, so there is no live health. Unpause it to take calls again.",
      ),
    );
    return;
  }
  try {
    const live = /** @type {ApiEntry} */ (await api(`/v1/apis/${l.id}`, { auth: false, signal }));
    const used = 1 - live.capacity.headroom;
    mount(
      el,
      h(
        "div",
        { class: "stats compact" },
        stat("Uptime", pct(live.health.uptime), { tone: "ok" }),
        stat("p50 latency", millis(live.health.p50Ms)),
        stat("p95 latency", millis(live.health.p95Ms)),
        stat("Error rate", pct(live.health.errorRate), {
          tone: (live.health.errorRate ?? 0) > 0.05 ? "bad" : undefined,
        }),
      ),
      meter(
        "Capacity in use",
        used,
        `${Math.round(used * 100)}% of ${live.capacity.resale.toLocaleString()} per ${live.capacity.window}`,
      ),
      h(
        "p",
        { class: "muted small" },
        `Based on ${live.health.samples.toLocaleString()} recent calls · refreshes every 10 s`,
      ),
    );
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") return;
    if (err instanceof ApiError && err.status === 404 && !err.missingRoute) {
      mount(el, empty("Not in the catalog yet", "The catalog picks a new listing up within about 30 seconds."));
      return;
    }
    mount(
      el,
      errorState(err, () => renderHealth(l, el, signal)),
    );
  }
}

/**
 * @param {OwnerListing} l
 * @param {(l: OwnerListing) => void} rerender
 * @param {AbortSignal} signal
 */
function priceCard(l, rerender, signal) {
  const price = h("input", {
    name: "price",
    inputmode: "decimal",
    value: formatUsdc(l.price).replaceAll(",", ""),
    autocomplete: "off",
    "data-testid": "price-input",
  });
  const preview = feePreview(price, () => l.pricingUnit);
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  return card(
    "Price",
    h(
      "form",
      {
        class: "stack",
        onsubmit: async (e) => {
          e.preventDefault();
          const micro = parseUsdc(price.value);
          if (micro === null || micro <= 0n) {
            status.className = "form-status error";
            status.textContent = "Enter a price above 0 with at most 6 decimals.";
            return;
          }
          try {
            const updated = /** @type {OwnerListing} */ (
              await api(`/v1/listings/${l.id}`, { method: "PATCH", body: { price: micro.toString() }, signal })
            );
            toast(`Price set to ${formatUsdc(updated.price)} USDC ${unitLabel(updated.pricingUnit)}`);
            rerender(updated);
          } catch (err) {
            status.className = "form-status error";
            status.textContent = errorText(err);
          }
        },
      },
      field(`Your price (USDC ${unitLabel(l.pricingUnit)})`, price),
      preview.element,
      h("div", {}, h("button", { class: "btn btn-primary", type: "submit" }, "Save price")),
      status,
    ),
    { description: "Buyers pay your price plus 5%; you receive your price minus 5%." },
  );
}

/**
 * @param {OwnerListing} l
 * @param {(l: OwnerListing) => void} rerender
 * @param {AbortSignal} signal
 */
function capacityCard(l, rerender, signal) {
  const total = h("input", { type: "number", min: 1, value: String(l.capacity.total), name: "total" });
  const reserved = h("input", {
    type: "number",
    min: 0,
    value: String(l.capacity.reservedForSelf),
    name: "reservedForSelf",
  });
  const windowSel = h(
    "select",
    { name: "window" },
    ...WINDOWS.map((w) => h("option", { value: w, selected: w === l.capacity.window }, w)),
  );
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  const share = l.capacity.resale / l.capacity.total;
  return card(
    "Capacity",
    h(
      "form",
      {
        class: "stack",
        onsubmit: async (e) => {
          e.preventDefault();
          try {
            const updated = /** @type {OwnerListing} */ (
              await api(`/v1/listings/${l.id}`, {
                method: "PATCH",
                body: {
                  capacity: {
                    total: Number(total.value),
                    reservedForSelf: Number(reserved.value),
                    window: windowSel.value,
                  },
                },
                signal,
              })
            );
            toast("Capacity updated");
            rerender(updated);
          } catch (err) {
            status.className = "form-status error";
            status.textContent = errorText(err);
          }
        },
      },
      meter(
        "Resale share",
        share,
        `${l.capacity.resale.toLocaleString()} of ${l.capacity.total.toLocaleString()} per ${l.capacity.window}`,
        { neutral: true },
      ),
      h(
        "div",
        { class: "grid three tight" },
        field("Total", total),
        field("Reserved for you", reserved),
        field("Per", windowSel),
      ),
      h("div", {}, h("button", { class: "btn btn-secondary", type: "submit" }, "Save capacity")),
      status,
    ),
  );
}

/**
 * @param {OwnerListing} l
 * @param {(l: OwnerListing) => void} rerender
 * @param {AbortSignal} signal
 */
function accessCard(l, rerender, signal) {
  const paths = h("textarea", { rows: Math.max(3, l.allowedPaths.length + 1), name: "allowedPaths" });
  paths.value = l.allowedPaths.join("\n");
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  const form = h(
    "form",
    {
      class: "stack",
      onsubmit: async (e) => {
        e.preventDefault();
        const methods = [...form.querySelectorAll('input[name="method"]:checked')].map(
          (el) => /** @type {HTMLInputElement} */ (el).value,
        );
        try {
          const updated = /** @type {OwnerListing} */ (
            await api(`/v1/listings/${l.id}`, {
              method: "PATCH",
              body: { allowedMethods: methods, allowedPaths: linesOf(paths.value) },
              signal,
            })
          );
          toast("Allowed methods and paths updated");
          rerender(updated);
        } catch (err) {
          status.className = "form-status error";
          status.textContent = errorText(err);
        }
      },
    },
    h(
      "div",
      { class: "field" },
      h("span", { class: "label", id: "detail-methods" }, "Allowed methods"),
      h("div", { role: "group", "aria-labelledby": "detail-methods" }, checkboxes("method", METHODS, l.allowedMethods)),
    ),
    field("Allowed paths", paths, "One per line. * matches one segment, ** (last) any number."),
    h("div", {}, h("button", { class: "btn btn-secondary", type: "submit" }, "Save access rules")),
    status,
  );
  return card("Allowed methods and paths", form);
}

/**
 * @param {OwnerListing} l
 * @param {(l: OwnerListing) => void} rerender
 * @param {AbortSignal} signal
 */
function keyCard(l, rerender, signal) {
  const newKey = h("input", {
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    minlength: 8,
    name: "providerKey",
    required: true,
  });
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  const injection =
    l.keyInjection.kind === "bearer"
      ? "Authorization: Bearer"
      : l.keyInjection.kind === "header"
        ? `Header ${l.keyInjection.name ?? ""}`
        : `Query ?${l.keyInjection.name ?? ""}=`;
  const proxyUrl = new URL(`/v1/proxy/${l.id}`, location.origin).toString();
  return card(
    "Provider key and routing",
    h(
      "div",
      { class: "stack" },
      h(
        "dl",
        { class: "facts wide" },
        h(
          "div",
          {},
          h("dt", {}, "Provider key"),
          h("dd", { "data-testid": "key-last4" }, maskedKey(l.keyLast4), " ", badge(`v${l.keyVersion}`)),
        ),
        h("div", {}, h("dt", {}, "Injected as"), h("dd", {}, injection)),
        h(
          "div",
          {},
          h("dt", {}, "Upstream"),
          h("dd", { class: "mono truncate", title: l.upstreamBaseUrl }, l.upstreamBaseUrl),
        ),
        h("div", {}, h("dt", {}, "Created"), h("dd", {}, dateTime(l.createdAt))),
      ),
      h(
        "div",
        { class: "copy-row" },
        h("code", { class: "mono truncate" }, proxyUrl),
        copyButton(proxyUrl, "Copy proxy URL"),
      ),
      h(
        "form",
        {
          class: "inline-form",
          onsubmit: async (e) => {
            e.preventDefault();
            const ok = await confirmDialog({
              title: "Rotate the provider key?",
              text: "Calls switch to the new key at once. Revoke the old key at your provider afterwards.",
              confirm: "Rotate key",
            });
            if (!ok) return;
            try {
              const updated = /** @type {OwnerListing} */ (
                await api(`/v1/listings/${l.id}/rotate-key`, { body: { providerKey: newKey.value }, signal })
              );
              newKey.value = "";
              toast(`Key rotated: now ending in ${updated.keyLast4}`);
              rerender(updated);
            } catch (err) {
              status.className = "form-status error";
              status.textContent = errorText(err);
            }
          },
        },
        field("New provider key", newKey),
        h("button", { class: "btn btn-secondary", type: "submit" }, icon("key", 16), "Rotate key"),
      ),
      status,
    ),
  );
}

/**
 * @param {OwnerListing} l
 * @param {(l: OwnerListing) => void} rerender
 * @param {AbortSignal} signal
 */
function actions(l, rerender, signal) {
  /**
   * @param {"pause" | "unpause" | "delete"} action
   */
  const run = async (action) => {
    /** @type {Record<string, { title: string, text: string, confirm: string, danger?: boolean }>} */
    const texts = {
      pause: {
        title: "Pause this listing?",
        text: "New calls are refused at once until you unpause it. Calls in flight finish.",
        confirm: "Pause listing",
      },
      unpause: {
        title: "Unpause this listing?",
        text: "Buyers can call it again right away.",
        confirm: "Unpause listing",
      },
      delete: {
        title: "Delete this listing?",
        text: "It stops taking calls for good and leaves the catalog. Earnings already made are still paid out. This cannot be undone.",
        confirm: "Delete listing",
        danger: true,
      },
    };
    const t = texts[action];
    if (!t || !(await confirmDialog(t))) return;
    try {
      const updated = /** @type {OwnerListing} */ (
        await api(`/v1/listings/${l.id}${action === "delete" ? "" : `/${action}`}`, {
          method: action === "delete" ? "DELETE" : "POST",
          signal,
        })
      );
      toast(action === "delete" ? "Listing deleted" : action === "pause" ? "Listing paused" : "Listing active again");
      if (action === "delete") go("/seller/listings");
      else rerender(updated);
    } catch (err) {
      toast(errorText(err), "bad");
    }
  };
  if (l.status === "deleted") return [];
  return [
    l.status === "active"
      ? h(
          "button",
          { class: "btn btn-secondary", type: "button", onclick: () => run("pause"), "data-testid": "pause" },
          icon("pause", 16),
          "Pause",
        )
      : h(
          "button",
          { class: "btn btn-primary", type: "button", onclick: () => run("unpause"), "data-testid": "unpause" },
          icon("play", 16),
          "Unpause",
        ),
    h(
      "button",
      { class: "btn btn-danger-ghost", type: "button", onclick: () => run("delete"), "data-testid": "delete" },
      icon("trash", 16),
      "Delete",
    ),
  ];
}

/** @param {import("../main.js").ViewContext} ctx */
export function listingDetailView(ctx) {
  const id = ctx.params[0] ?? "";
  const root = h("div", { class: "stack-lg" });
  mount(ctx.main, root);
  let latest = /** @type {OwnerListing | null} */ (null);
  /** @param {OwnerListing} l */
  const render = (l) => {
    const health = h("div", { "data-testid": "listing-health" });
    latest = l;
    const rerender = (/** @type {OwnerListing} */ next) => mount(root, ...render(next));
    renderHealth(l, health, ctx.signal);
    return [
      pageHeader(
        l.service,
        `${l.category} · ${l.description || "No description"}`,
        statusBadge(l.status),
        ...actions(l, rerender, ctx.signal),
      ),
      h(
        "div",
        { class: "grid two" },
        card("Live health", health, { description: "Measured on real calls through the gateway" }),
        priceCard(l, rerender, ctx.signal),
        capacityCard(l, rerender, ctx.signal),
        keyCard(l, rerender, ctx.signal),
        accessCard(l, rerender, ctx.signal),
      ),
    ];
  };
  load(
    root,
    () => api(`/v1/listings/${id}`, { signal: ctx.signal }),
    (/** @type {OwnerListing} */ l) => render(l),
    { lines: 6, what: "this listing" },
  );
  ctx.every(HEALTH_POLL_MS, () => {
    const el = root.querySelector('[data-testid="listing-health"]');
    if (latest && el instanceof HTMLElement) renderHealth(latest, el, ctx.signal);
  });
}
