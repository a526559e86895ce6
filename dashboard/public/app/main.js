// The dashboard's shell: a hash router (`#/seller/listings`), the navigation, the account menu and
// the gateway status in the sidebar. Every view gets an AbortSignal that fires when it is left.
import { byId, h, icon, mount } from "./dom.js";
import { shortAddress, signOut, wallet } from "./session.js";
import { copyButton } from "./ui.js";
import { balanceView, usageView, withdrawalsView } from "./views/buyer.js";
import { catalogView } from "./views/catalog.js";
import { homeView } from "./views/home.js";
import { keysView } from "./views/keys.js";
import { listingDetailView } from "./views/listing-detail.js";
import { listingsView, newListingView } from "./views/listings.js";
import { sellerOverview } from "./views/seller.js";
import { settlementDetailView, settlementsView } from "./views/settlements.js";
import { signInView } from "./views/signin.js";
import { newTaskView, taskDetailView, tasksView } from "./views/tasks.js";
import { startWalletDiscovery } from "./wallet.js";

/**
 * @typedef {{ main: HTMLElement, params: string[], signal: AbortSignal, every(ms: number, fn: () => void): void }} ViewContext
 * @typedef {{ pattern: RegExp, title: string, auth: boolean, render: (ctx: ViewContext) => void | Promise<void> }} Route
 */

/** @type {Route[]} */
const ROUTES = [
  { pattern: /^\/$/, title: "Overview", auth: false, render: homeView },
  { pattern: /^\/catalog$/, title: "Catalog", auth: false, render: catalogView },
  { pattern: /^\/signin$/, title: "Sign in", auth: false, render: signInView },
  { pattern: /^\/seller$/, title: "Seller overview", auth: true, render: sellerOverview },
  { pattern: /^\/seller\/listings$/, title: "Listings", auth: true, render: listingsView },
  { pattern: /^\/seller\/listings\/new$/, title: "New listing", auth: true, render: newListingView },
  { pattern: /^\/seller\/listings\/([0-9a-fA-F-]{36})$/, title: "Listing", auth: true, render: listingDetailView },
  { pattern: /^\/seller\/settlements$/, title: "Settlements", auth: true, render: settlementsView },
  {
    pattern: /^\/seller\/settlements\/([A-Za-z0-9_-]{1,80})$/,
    title: "Settlement",
    auth: true,
    render: settlementDetailView,
  },
  { pattern: /^\/buyer$/, title: "Balance", auth: true, render: balanceView },
  { pattern: /^\/buyer\/usage$/, title: "Usage", auth: true, render: usageView },
  { pattern: /^\/buyer\/withdrawals$/, title: "Withdrawals", auth: true, render: withdrawalsView },
  { pattern: /^\/tasks$/, title: "Bounties", auth: true, render: tasksView },
  { pattern: /^\/tasks\/new$/, title: "Post a task", auth: true, render: newTaskView },
  { pattern: /^\/tasks\/([0-9a-fA-F-]{36})$/, title: "Task", auth: true, render: taskDetailView },
  { pattern: /^\/keys$/, title: "API keys", auth: true, render: keysView },
];

/** @type {{ label: string, items: { href: string, label: string, icon: string, auth: boolean, external?: boolean }[] }[]} */
const NAV = [
  {
    label: "Marketplace",
    items: [
      { href: "#/", label: "Overview", icon: "home", auth: false },
      { href: "#/catalog", label: "Catalog", icon: "catalog", auth: false },
      { href: "#/tasks", label: "Bounties", icon: "award", auth: true },
      { href: "/reference/", label: "API reference", icon: "book", auth: false, external: true },
    ],
  },
  {
    label: "Sell",
    items: [
      { href: "#/seller", label: "Earnings", icon: "chart", auth: true },
      { href: "#/seller/listings", label: "Listings", icon: "list", auth: true },
      { href: "#/seller/settlements", label: "Settlements", icon: "bank", auth: true },
    ],
  },
  {
    label: "Buy",
    items: [
      { href: "#/buyer", label: "Balance", icon: "wallet", auth: true },
      { href: "#/buyer/usage", label: "Usage", icon: "activity", auth: true },
      { href: "#/buyer/withdrawals", label: "Withdrawals", icon: "arrowUp", auth: true },
    ],
  },
  { label: "Account", items: [{ href: "#/keys", label: "API keys", icon: "key", auth: true }] },
];

/** @type {AbortController | null} */
let current = null;

function path() {
  const raw = location.hash.replace(/^#/, "") || "/";
  return raw.split("?")[0] ?? "/";
}

function renderNav() {
  const signedIn = wallet() !== null;
  const here = path();
  // The item whose route is the longest prefix of this page: /buyer/usage lights Usage, not Balance.
  const targets = NAV.flatMap((g) => g.items.filter((i) => !i.external).map((i) => i.href.replace(/^#/, "")));
  const activeTarget = targets
    .filter((t) => here === t || (t !== "/" && here.startsWith(`${t}/`)))
    .sort((a, b) => b.length - a.length)[0];
  mount(
    byId("nav"),
    ...NAV.map((group) =>
      h(
        "div",
        { class: "nav-group" },
        h("p", { class: "nav-label" }, group.label),
        h(
          "ul",
          {},
          ...group.items.map((item) => {
            const target = item.href.replace(/^#/, "");
            const active = !item.external && target === activeTarget;
            const locked = item.auth && !signedIn;
            return h(
              "li",
              {},
              h(
                "a",
                {
                  href: locked ? `#/signin?next=${encodeURIComponent(target)}` : item.href,
                  class: `nav-link${active ? " active" : ""}${locked ? " locked" : ""}`,
                  "aria-current": active ? "page" : null,
                },
                icon(item.icon),
                h("span", {}, item.label),
                item.external ? icon("external", 14) : null,
              ),
            );
          }),
        ),
      ),
    ),
  );
}

function renderAccount() {
  const w = wallet();
  const el = byId("account");
  if (w === null) {
    mount(el, h("a", { class: "btn btn-primary btn-small", href: "#/signin" }, "Sign in"));
    return;
  }
  mount(
    el,
    h(
      "span",
      { class: "wallet-chip", title: w, "data-testid": "wallet-chip" },
      h("span", { class: "dot dot-ok", "aria-hidden": "true" }),
      h("span", { class: "sr-only" }, "Signed in as "),
      h("span", { class: "mono" }, shortAddress(w)),
    ),
    copyButton(w, "Copy address"),
    h(
      "button",
      {
        class: "btn btn-ghost btn-small",
        type: "button",
        onclick: () => {
          signOut();
          location.hash = "#/";
        },
      },
      icon("logout", 16),
      "Sign out",
    ),
  );
}

async function renderGatewayStatus() {
  const el = byId("gateway-status");
  try {
    const res = await fetch("/healthz", { cache: "no-store" });
    const body = /** @type {{ status?: string, mode?: string }} */ (await res.json());
    const ok = body.status === "ok";
    mount(
      el,
      h("span", { class: `dot ${ok ? "dot-ok" : "dot-warn"}`, "aria-hidden": "true" }),
      ok ? "All systems operational" : "Degraded service",
      body.mode === "local" ? h("span", { class: "badge badge-muted" }, "local") : null,
    );
  } catch {
    mount(el, h("span", { class: "dot dot-bad", "aria-hidden": "true" }), "Gateway unreachable");
  }
}

function route() {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const here = path();
  const main = byId("main");
  document.body.classList.remove("nav-open");
  byId("menu-toggle").setAttribute("aria-expanded", "false");
  renderNav();
  renderAccount();

  /** @type {Route} */
  let r = ROUTES[0] ?? /** @type {never} */ (null);
  /** @type {string[]} */
  let params = [];
  for (const candidate of ROUTES) {
    const m = candidate.pattern.exec(here);
    if (m) {
      r = candidate;
      params = m.slice(1).map((p) => p ?? "");
      break;
    }
  }
  if (r.auth && wallet() === null) {
    location.replace(`#/signin?next=${encodeURIComponent(here)}`);
    return;
  }
  document.title = `${r.title} · proxygate`;
  mount(byId("crumbs"), h("span", { class: "crumb" }, r.title));
  main.replaceChildren();
  main.dataset.view = r.title;
  /** @type {ViewContext} */
  const ctx = {
    main,
    params,
    signal: controller.signal,
    every(ms, fn) {
      const timer = setInterval(fn, ms);
      controller.signal.addEventListener("abort", () => clearInterval(timer));
    },
  };
  const done = r.render(ctx);
  // Moving focus to the new page lets keyboard and screen-reader users start from its top.
  if (document.activeElement && document.activeElement !== document.body) main.focus({ preventScroll: true });
  return done;
}

startWalletDiscovery();
byId("menu-toggle").addEventListener("click", () => {
  const open = document.body.classList.toggle("nav-open");
  byId("menu-toggle").setAttribute("aria-expanded", String(open));
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && document.body.classList.contains("nav-open")) {
    document.body.classList.remove("nav-open");
    byId("menu-toggle").setAttribute("aria-expanded", "false");
    byId("menu-toggle").focus();
  }
});
window.addEventListener("hashchange", route);
window.addEventListener("proxygate:session", () => {
  // Signed out (or the key was refused) on a page that needs a key: back to sign-in.
  const here = path();
  const needsKey = ROUTES.find((r) => r.pattern.test(here))?.auth === true;
  if (needsKey && wallet() === null) {
    route();
    return;
  }
  renderNav();
  renderAccount();
});
renderGatewayStatus();
setInterval(renderGatewayStatus, 30_000);
route();
