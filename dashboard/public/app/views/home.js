// The landing page: what proxygate is, how to start as a buyer or a seller, and the categories
// on offer.
import { api } from "../api.js";
import { h, icon, mount } from "../dom.js";
import { wallet } from "../session.js";
import { badge, card, copyButton, load } from "../ui.js";

/** @param {import("../main.js").ViewContext} ctx */
export function homeView(ctx) {
  const signedIn = wallet() !== null;
  const origin = location.origin;
  const snippet = `import OpenAI from "openai";

const client = new OpenAI({
  baseURL: "${origin}/v1/proxy/openai",
  apiKey: process.env.PROXYGATE_KEY, // pgk_…
});`;
  const categories = h("div");
  const status = h("div");
  mount(
    ctx.main,
    h(
      "section",
      { class: "hero" },
      h("p", { class: "eyebrow" }, "API capacity marketplace"),
      h("h1", {}, "Sell the API capacity you already pay for."),
      h(
        "p",
        { class: "lede" },
        "Agents call your listing per request and pay in USDC on Solana. Your provider key never leaves the gateway; every call is metered, fenced and settled on chain.",
      ),
      h(
        "div",
        { class: "actions" },
        h(
          "a",
          {
            class: "btn btn-primary btn-large",
            href: signedIn ? "#/seller/listings/new" : "#/signin?next=%2Fseller%2Flistings%2Fnew",
          },
          "Start selling",
        ),
        h("a", { class: "btn btn-secondary btn-large", href: "#/catalog" }, "Browse the catalog"),
      ),
    ),
    h(
      "div",
      { class: "grid three" },
      h(
        "div",
        { class: "feature" },
        h("div", { class: "feature-icon" }, icon("key", 20)),
        h("h3", {}, "Keys stay sealed"),
        h(
          "p",
          { class: "muted" },
          "Provider keys are encrypted at upload and injected server-side. Buyers, logs and this dashboard only ever see the last four characters.",
        ),
      ),
      h(
        "div",
        { class: "feature" },
        h("div", { class: "feature-icon" }, icon("activity", 20)),
        h("h3", {}, "Metered per call"),
        h(
          "p",
          { class: "muted" },
          "Each call reserves its price, books the actual charge and carries a signed receipt. Capacity is fenced per listing.",
        ),
      ),
      h(
        "div",
        { class: "feature" },
        h("div", { class: "feature-icon" }, icon("bank", 20)),
        h("h3", {}, "Settled in USDC"),
        h(
          "p",
          { class: "muted" },
          "Buyers prepay into a 2-of-2 vault; sellers are paid in batched Solana transfers every 10 minutes.",
        ),
      ),
    ),
    h(
      "div",
      { class: "grid two" },
      card(
        "For agents: drop-in OpenAI SDK",
        h(
          "div",
          { class: "stack" },
          h("pre", { class: "code" }, h("code", {}, snippet)),
          h(
            "div",
            { class: "actions" },
            copyButton(snippet, "Copy snippet"),
            h("a", { class: "btn btn-ghost btn-small", href: "/reference/" }, "API reference", icon("external", 14)),
          ),
        ),
      ),
      card("Categories", categories, { description: "What the catalog lists right now" }),
    ),
    card("Gateway status", status, { description: "Live round trips to every dependency, refreshed on each visit" }),
  );
  load(
    status,
    async () => {
      const res = await fetch("/healthz", { cache: "no-store", signal: ctx.signal });
      return /** @type {{ status: string, checks: Record<string, { status: string, latencyMs: number }> }} */ (
        await res.json()
      );
    },
    (report) =>
      h(
        "ul",
        { class: "category-list", "data-testid": "health-checks" },
        ...Object.entries(report.checks ?? {}).map(([name, check]) =>
          h(
            "li",
            {},
            h("span", {}, name),
            check.status === "ok" ? badge(`ok · ${check.latencyMs} ms`, "ok") : badge("failing", "bad"),
          ),
        ),
      ),
  );
  load(
    categories,
    () => api("/v1/categories", { auth: false, signal: ctx.signal }),
    (/** @type {{ categories: { category: string, listingCount: number, serviceCount: number }[] }} */ data) =>
      data.categories.length === 0
        ? h("p", { class: "muted" }, "No listings yet — be the first seller.")
        : h(
            "ul",
            { class: "category-list" },
            ...data.categories.map((c) =>
              h(
                "li",
                {},
                h("a", { href: `#/catalog?category=${encodeURIComponent(c.category)}` }, c.category),
                h(
                  "span",
                  {},
                  badge(`${c.serviceCount} ${c.serviceCount === 1 ? "service" : "services"}`),
                  " ",
                  badge(`${c.listingCount} ${c.listingCount === 1 ? "listing" : "listings"}`, "accent"),
                ),
              ),
            ),
          ),
    { what: "the categories" },
  );
}
