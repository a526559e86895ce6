// The public catalog: every active listing the gateway routes to (GET /v1/apis), with filters.
import { api } from "../api.js";
import { h, icon, mount } from "../dom.js";
import { formatUsdc, parseUsdc, unitLabel } from "../money.js";
import { hashQuery } from "../route.js";
import { badge, card, copyButton, empty, load, loading, pageHeader } from "../ui.js";
import { latencyPair, meter, pct } from "./common.js";

/**
 * @typedef {{ uptime: number | null, errorRate: number | null, p50Ms: number | null, p95Ms: number | null, samples: number }} Health
 * @typedef {{ id: string, service: string, type: string, category: string, description: string, pricingUnit: string, price: string, sellerPrice: string, capacity: { window: string, resale: number, headroom: number }, health: Health, sellerCount: number, proxyUrl: string }} ApiEntry
 * @typedef {{ apis: ApiEntry[], services: { service: string, sellerCount: number }[] }} Catalog
 */

/**
 * @param {ApiEntry} a
 */
export function apiCard(a) {
  const proxyUrl = new URL(a.proxyUrl, location.origin).toString();
  return h(
    "article",
    { class: "api-card", "data-testid": `api-${a.id}` },
    h(
      "header",
      { class: "api-card-head" },
      h("div", {}, h("h3", {}, a.service), h("p", { class: "muted small" }, `${a.category} · ${a.type}`)),
      h(
        "div",
        { class: "price" },
        h("strong", {}, formatUsdc(a.price)),
        h("span", { class: "muted small" }, ` USDC ${unitLabel(a.pricingUnit)}`),
      ),
    ),
    a.description ? h("p", { class: "api-desc" }, a.description) : null,
    h(
      "dl",
      { class: "facts" },
      h("div", {}, h("dt", {}, "Uptime"), h("dd", {}, pct(a.health.uptime))),
      h("div", {}, h("dt", {}, "p50 / p95"), h("dd", {}, latencyPair(a.health.p50Ms, a.health.p95Ms))),
      h("div", {}, h("dt", {}, "Errors"), h("dd", {}, pct(a.health.errorRate))),
      h("div", {}, h("dt", {}, "Sellers"), h("dd", {}, String(a.sellerCount))),
    ),
    meter(
      "Capacity headroom",
      a.capacity.headroom,
      `${Math.round(a.capacity.headroom * 100)}% of ${a.capacity.resale} per ${a.capacity.window}`,
      { higherIsBetter: true },
    ),
    h(
      "div",
      { class: "copy-row" },
      h("code", { class: "mono truncate", title: proxyUrl }, proxyUrl),
      copyButton(proxyUrl, "Copy URL"),
    ),
  );
}

/** @param {import("../main.js").ViewContext} ctx */
export function catalogView(ctx) {
  const results = h("div", { class: "results", "aria-live": "polite" }, loading(4));
  const service = h("select", { name: "service", id: "f-service" }, h("option", { value: "" }, "All services"));
  const category = h("select", { name: "category", id: "f-category" }, h("option", { value: "" }, "All categories"));
  const sort = h(
    "select",
    { name: "sort", id: "f-sort" },
    h("option", { value: "price" }, "Lowest price"),
    h("option", { value: "latency" }, "Fastest"),
    h("option", { value: "uptime" }, "Most reliable"),
  );
  const maxPrice = h("input", {
    name: "maxPrice",
    id: "f-max",
    inputmode: "decimal",
    placeholder: "any",
    autocomplete: "off",
  });

  const wantedCategory = hashQuery().get("category") ?? "";
  if (wantedCategory) category.append(h("option", { value: wantedCategory, selected: true }, wantedCategory));
  const refresh = () => {
    const q = new URLSearchParams();
    if (service.value) q.set("service", service.value);
    if (category.value) q.set("category", category.value);
    q.set("sort", sort.value);
    const max = parseUsdc(maxPrice.value);
    if (max !== null && maxPrice.value.trim() !== "") q.set("maxPrice", max.toString());
    return load(
      results,
      () => api(`/v1/apis?${q}`, { auth: false, signal: ctx.signal }),
      (/** @type {Catalog} */ data) => {
        const known = new Set([...service.options].map((o) => o.value));
        for (const s of data.services) {
          if (!known.has(s.service)) service.append(h("option", { value: s.service }, s.service));
        }
        if (data.apis.length === 0) {
          return empty(
            "No APIs match",
            "Nothing is listed with these filters yet. Clear them, or list your own API capacity.",
            h("a", { class: "btn btn-primary", href: "#/seller/listings/new" }, icon("plus", 16), "List an API"),
          );
        }
        return h("div", { class: "api-grid", "data-testid": "catalog-results" }, ...data.apis.map(apiCard));
      },
      { lines: 4, what: "the catalog" },
    );
  };

  const categories = h("div", { class: "chips", "aria-label": "Categories" });
  api("/v1/categories", { auth: false, signal: ctx.signal })
    .then((/** @type {{ categories: { category: string, listingCount: number, serviceCount: number }[] }} */ data) => {
      for (const c of data.categories) {
        if (c.category !== wantedCategory) category.append(h("option", { value: c.category }, c.category));
      }
      mount(
        categories,
        ...data.categories.map((c) =>
          h(
            "button",
            {
              class: "chip",
              type: "button",
              onclick: () => {
                category.value = c.category;
                refresh();
              },
            },
            c.category,
            badge(String(c.listingCount), "muted"),
          ),
        ),
      );
    })
    .catch((err) => {
      if (!(err instanceof DOMException)) mount(categories);
    });

  for (const control of [service, category, sort]) control.addEventListener("change", refresh);
  maxPrice.addEventListener("change", refresh);

  mount(
    ctx.main,
    pageHeader(
      "API catalog",
      "Every API you can call through the gateway, per request, paid from your USDC balance. Prices include the 5% buyer fee.",
      h("a", { class: "btn btn-secondary", href: "/reference/" }, icon("book", 16), "API reference"),
    ),
    card(
      "Filters",
      h(
        "form",
        {
          class: "filters",
          onsubmit: (e) => {
            e.preventDefault();
            refresh();
          },
        },
        h("div", { class: "field" }, h("label", { for: "f-service" }, "Service"), service),
        h("div", { class: "field" }, h("label", { for: "f-category" }, "Category"), category),
        h("div", { class: "field" }, h("label", { for: "f-sort" }, "Sort by"), sort),
        h("div", { class: "field" }, h("label", { for: "f-max" }, "Max price (USDC)"), maxPrice),
      ),
      { action: categories },
    ),
    results,
  );
  refresh();
}
