// Seller listings: the table of listings with live health, and the form that creates one (the
// provider key travels inward once and is shown only as its last four characters afterwards).
import { api } from "../api.js";
import { h, icon, mount } from "../dom.js";
import { computeFees } from "../fees.js";
import { formatUsdc, parseUsdc, unitLabel } from "../money.js";
import { go } from "../route.js";
import { card, empty, errorText, field, load, pageHeader, statusBadge, table, toast } from "../ui.js";
import { apiCard } from "./catalog.js";
import { millis, pct } from "./common.js";

/**
 * @typedef {{ id: string, service: string, type: string, category: string, description: string, status: string, allowedMethods: string[], allowedPaths: string[], price: string, pricingUnit: string, capacity: { total: number, reservedForSelf: number, resale: number, window: string }, upstreamBaseUrl: string, keyInjection: { kind: string, name?: string, template?: string }, keyLast4: string, keyVersion: number, configVersion: number, createdAt: string, updatedAt: string }} OwnerListing
 * @typedef {import("./catalog.js").ApiEntry} ApiEntry
 */

export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
export const WINDOWS = ["second", "minute", "hour", "day", "month"];

/** @param {string} last4 */
export function maskedKey(last4) {
  return h("span", { class: "mono masked", "aria-label": `provider key ending in ${last4}` }, `••••••••${last4}`);
}

/**
 * A live preview of the fee split for the price typed into `priceInput` (USDC), using the same
 * fee function as the gateway (fees.js, a checked port of workers/credit/fees.ts).
 * @param {HTMLInputElement} priceInput
 * @param {() => string} unit
 */
export function feePreview(priceInput, unit) {
  const out = h("div", { class: "fee-preview", "aria-live": "polite", "data-testid": "fee-preview" });
  const update = () => {
    const price = parseUsdc(priceInput.value);
    if (price === null || price <= 0n) {
      mount(out, h("p", { class: "muted small" }, "Enter a price above 0 (up to 6 decimals) to see the split."));
      priceInput.setAttribute("aria-invalid", priceInput.value.trim() === "" ? "false" : "true");
      return;
    }
    priceInput.setAttribute("aria-invalid", "false");
    const f = computeFees(price);
    const u = unitLabel(unit());
    mount(
      out,
      h(
        "div",
        { class: "fee-item" },
        h("span", {}, "Buyer pays"),
        h("strong", { "data-testid": "fee-charge" }, `${formatUsdc(f.charge)} USDC`),
        h("span", { class: "muted small" }, u),
      ),
      h(
        "div",
        { class: "fee-item accent" },
        h("span", {}, "You receive"),
        h("strong", { "data-testid": "fee-payout" }, `${formatUsdc(f.sellerPayout)} USDC`),
        h("span", { class: "muted small" }, u),
      ),
      h(
        "div",
        { class: "fee-item" },
        h("span", {}, "Platform fee"),
        h("strong", { "data-testid": "fee-platform" }, `${formatUsdc(f.platformFee)} USDC`),
        h("span", { class: "muted small" }, "5% + 5%"),
      ),
    );
  };
  priceInput.addEventListener("input", update);
  update();
  return { element: out, update };
}

/**
 * @param {OwnerListing} l
 * @param {ApiEntry | undefined} live
 */
function listingRow(l, live) {
  return [
    h(
      "div",
      { class: "cell-main" },
      h("a", { href: `#/seller/listings/${l.id}`, class: "strong" }, l.service),
      h("span", { class: "muted small" }, `${l.category} · ${l.id.slice(0, 8)}`),
    ),
    statusBadge(l.status),
    h(
      "div",
      { class: "cell-main" },
      h("span", {}, `${formatUsdc(l.price)} USDC`),
      h("span", { class: "muted small" }, unitLabel(l.pricingUnit)),
    ),
    `${l.capacity.resale.toLocaleString()} / ${l.capacity.window}`,
    live
      ? `${pct(live.health.uptime)} · ${millis(live.health.p50Ms)}`
      : h("span", { class: "muted" }, l.status === "active" ? "no data yet" : "—"),
    maskedKey(l.keyLast4),
  ];
}

/** @param {import("../main.js").ViewContext} ctx */
export function listingsView(ctx) {
  const body = h("div");
  mount(
    ctx.main,
    pageHeader(
      "Listings",
      "The API capacity you resell. Buyers reach each active listing at /v1/proxy/<id>.",
      h(
        "a",
        { class: "btn btn-primary", href: "#/seller/listings/new", "data-testid": "new-listing" },
        icon("plus", 16),
        "New listing",
      ),
    ),
    body,
  );
  load(
    body,
    async () => {
      const [mine, catalog] = await Promise.all([
        api("/v1/listings", { signal: ctx.signal }),
        api("/v1/apis", { auth: false, signal: ctx.signal }).catch(() => ({ apis: [] })),
      ]);
      return {
        mine: /** @type {{ listings: OwnerListing[] }} */ (mine),
        catalog: /** @type {{ apis: ApiEntry[] }} */ (catalog),
      };
    },
    ({ mine, catalog }) => {
      const live = new Map(catalog.apis.map((a) => [a.id, a]));
      const listings = mine.listings.filter((l) => l.status !== "deleted");
      if (listings.length === 0) {
        return card(
          "Your listings",
          empty(
            "No listings yet",
            "List spare capacity of an API you pay for. Your provider key stays encrypted in the gateway; buyers never see it.",
            h(
              "a",
              { class: "btn btn-primary", href: "#/seller/listings/new" },
              icon("plus", 16),
              "Create your first listing",
            ),
          ),
        );
      }
      return card(
        "Your listings",
        table(
          "Your listings",
          ["Listing", "Status", "Price", "Resale capacity", "Uptime · p50", "Provider key"],
          listings.map((l) => listingRow(l, live.get(l.id))),
          { testid: "listings-table" },
        ),
        { wide: true },
      );
    },
    { what: "your listings" },
  );
}

/**
 * @param {string} name
 * @param {string[]} values
 * @param {string[]} checked
 */
export function checkboxes(name, values, checked) {
  return h(
    "div",
    { class: "checks" },
    ...values.map((v) =>
      h(
        "label",
        { class: "check" },
        h("input", { type: "checkbox", name, value: v, checked: checked.includes(v) }),
        h("span", {}, v),
      ),
    ),
  );
}

/** @param {string} text */
export function linesOf(text) {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

/** @param {import("../main.js").ViewContext} ctx */
export function newListingView(ctx) {
  const service = h("input", {
    name: "service",
    required: true,
    pattern: "[a-z0-9][a-z0-9_\\-]{0,62}",
    placeholder: "openai",
    autocomplete: "off",
  });
  const category = h("input", { name: "category", required: true, placeholder: "llm", autocomplete: "off" });
  const description = h("textarea", {
    name: "description",
    rows: 2,
    maxlength: 2000,
    placeholder: "What buyers get: models, data, limits…",
  });
  const upstream = h("input", {
    name: "upstreamBaseUrl",
    type: "url",
    required: true,
    placeholder: "https://api.openai.com",
    autocomplete: "off",
  });
  const paths = h("textarea", {
    name: "allowedPaths",
    rows: 3,
    required: true,
    placeholder: "/v1/chat/completions\n/v1/models",
  });
  const injection = h(
    "select",
    { name: "injection" },
    h("option", { value: "bearer" }, "Authorization: Bearer <key>"),
    h("option", { value: "header" }, "A custom header"),
    h("option", { value: "query" }, "A query parameter"),
  );
  const injectionName = h("input", { name: "injectionName", placeholder: "x-api-key", autocomplete: "off" });
  const injectionNameField = field("Header or parameter name", injectionName);
  const syncInjection = () => {
    injectionNameField.hidden = injection.value === "bearer";
    injectionName.required = injection.value !== "bearer";
  };
  injection.addEventListener("change", syncInjection);
  syncInjection();
  const price = h("input", {
    name: "price",
    required: true,
    inputmode: "decimal",
    placeholder: "0.001",
    autocomplete: "off",
  });
  const unit = h(
    "select",
    { name: "pricingUnit" },
    h("option", { value: "per_call" }, "per call"),
    h("option", { value: "per_1k_tokens" }, "per 1k tokens"),
  );
  const preview = feePreview(price, () => unit.value);
  unit.addEventListener("change", preview.update);
  const total = h("input", { name: "total", type: "number", min: 1, required: true, value: "100" });
  const reserved = h("input", { name: "reservedForSelf", type: "number", min: 0, required: true, value: "0" });
  const windowSel = h(
    "select",
    { name: "window" },
    ...WINDOWS.map((w) => h("option", { value: w, selected: w === "minute" }, w)),
  );
  const resaleNote = h("p", { class: "hint", "aria-live": "polite" });
  const syncResale = () => {
    const resale = Number(total.value) - Number(reserved.value);
    resaleNote.textContent =
      Number.isFinite(resale) && resale >= 1
        ? `Buyers can use ${resale.toLocaleString()} calls per ${windowSel.value} (${Math.round((resale / Number(total.value)) * 100)}% resale share).`
        : "Keep at least 1 call for resale: reserved must be below total.";
  };
  for (const el of [total, reserved, windowSel]) el.addEventListener("input", syncResale);
  syncResale();
  const providerKey = h("input", {
    name: "providerKey",
    type: "password",
    required: true,
    minlength: 8,
    autocomplete: "off",
    spellcheck: "false",
  });
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });

  const form = h(
    "form",
    {
      class: "form-grid",
      "data-testid": "listing-form",
      onsubmit: async (event) => {
        event.preventDefault();
        const priceMicro = parseUsdc(price.value);
        if (priceMicro === null || priceMicro <= 0n) {
          status.className = "form-status error";
          status.textContent = "Enter a price above 0 with at most 6 decimals.";
          price.focus();
          return;
        }
        const methods = [...form.querySelectorAll('input[name="method"]:checked')].map(
          (el) => /** @type {HTMLInputElement} */ (el).value,
        );
        const body = {
          service: service.value.trim(),
          category: category.value.trim(),
          description: description.value,
          upstreamBaseUrl: upstream.value.trim(),
          allowedMethods: methods,
          allowedPaths: linesOf(paths.value),
          keyInjection:
            injection.value === "bearer"
              ? { kind: "bearer" }
              : { kind: injection.value, name: injectionName.value.trim() },
          price: priceMicro.toString(),
          pricingUnit: unit.value,
          capacity: { total: Number(total.value), reservedForSelf: Number(reserved.value), window: windowSel.value },
          providerKey: providerKey.value,
        };
        const submit = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
        submit.disabled = true;
        status.className = "form-status";
        status.textContent = "Encrypting the key and creating the listing…";
        try {
          const created = /** @type {OwnerListing} */ (await api("/v1/listings", { body, signal: ctx.signal }));
          providerKey.value = "";
          toast(`Listing ${created.service} is live`);
          go(`/seller/listings/${created.id}`);
        } catch (err) {
          status.className = "form-status error";
          status.textContent = errorText(err);
        } finally {
          submit.disabled = false;
        }
      },
    },
    h(
      "fieldset",
      {},
      h("legend", {}, "The API"),
      h(
        "div",
        { class: "grid two tight" },
        field("Service", service, "Lowercase slug buyers route by, e.g. openai"),
        field("Category", category, "e.g. llm, data, search"),
      ),
      field("Description", description),
      field("Upstream base URL", upstream, "Calls are forwarded to this URL plus the buyer's path."),
      h(
        "div",
        { class: "field" },
        h("span", { class: "label", id: "methods-label" }, "Allowed methods"),
        h("div", { role: "group", "aria-labelledby": "methods-label" }, checkboxes("method", METHODS, ["GET", "POST"])),
      ),
      field("Allowed paths", paths, "One per line. * matches one segment, ** (last) any number: /v1/**"),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "Provider key"),
      field(
        "Your upstream API key",
        providerKey,
        "Encrypted at once (AES-256-GCM); afterwards shown only as its last four characters.",
      ),
      h("div", { class: "grid two tight" }, field("Inject it as", injection), injectionNameField),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "Price"),
      h("div", { class: "grid two tight" }, field("Price (USDC)", price), field("Pricing unit", unit)),
      preview.element,
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "Capacity"),
      h(
        "div",
        { class: "grid three tight" },
        field("Total calls", total),
        field("Reserved for yourself", reserved),
        field("Per", windowSel),
      ),
      resaleNote,
    ),
    h(
      "div",
      { class: "actions" },
      h("button", { class: "btn btn-primary", type: "submit" }, "Create listing"),
      h("a", { class: "btn btn-ghost", href: "#/seller/listings" }, "Cancel"),
    ),
    status,
  );
  const preview2 = h("div");
  const updatePreview = () => {
    const micro = parseUsdc(price.value);
    const resale = Math.max(0, Number(total.value) - Number(reserved.value));
    mount(
      preview2,
      apiCard({
        id: "preview",
        service: service.value.trim() || "your-service",
        type: "proxy",
        category: category.value.trim() || "category",
        description: description.value,
        pricingUnit: unit.value,
        price: micro !== null && micro > 0n ? computeFees(micro).charge.toString() : "0",
        sellerPrice: micro?.toString() ?? "0",
        capacity: { window: windowSel.value, resale: Number.isFinite(resale) ? resale : 0, headroom: 1 },
        health: { uptime: null, errorRate: null, p50Ms: null, p95Ms: null, samples: 0 },
        sellerCount: 1,
        proxyUrl: `/v1/proxy/${service.value.trim() || "your-service"}`,
      }),
    );
  };
  mount(
    ctx.main,
    pageHeader(
      "New listing",
      "Resell part of an API you pay for. You can pause, reprice or rotate the key at any time.",
    ),
    h(
      "div",
      { class: "form-layout" },
      card("Listing details", form, { wide: true }),
      h(
        "aside",
        { class: "form-aside", "aria-label": "Preview" },
        card("How buyers will see it", preview2, { description: "Your catalog card, once the listing is live" }),
        card(
          "Before you list",
          h(
            "ul",
            { class: "tips" },
            h("li", {}, "Use a key dedicated to proxygate, so you can revoke it at your provider on its own."),
            h("li", {}, "Reserve the capacity you need yourself: buyers only ever get total − reserved."),
            h(
              "li",
              {},
              "Allow only the paths buyers need; everything else is refused before it reaches your provider.",
            ),
            h("li", {}, "Earnings settle in USDC to your wallet every 10 minutes, after the 5% seller fee."),
          ),
        ),
      ),
    ),
  );
  form.addEventListener("input", updatePreview);
  form.addEventListener("change", updatePreview);
  updatePreview();
  service.focus();
}
