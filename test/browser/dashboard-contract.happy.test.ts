/**
 * The data-heavy views (catalog, seller earnings, settlements) against months of traffic no test
 * can make in seconds: responses shaped as the wire contracts say, served to the page by Playwright
 * routing. Everything else (sign-in, the seller's two listings, balance) is the real gateway, and
 * the earnings fixture names those real listings. Saves the screenshots of those views with data.
 */
import { generateKeyPairSigner } from "@solana/kit";
import type { Browser, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api, signIn } from "../../dev/lib/client.ts";
import type { OwnerListing } from "../../workers/listings/interface.ts";
import { launchChromium, newPage, screenshot } from "./browser.ts";
import * as fixtures from "./contract-fixtures.ts";

const gateway = inject("workerUrl");
const engines = inject("engines");

let browser: Browser;
let page: Page;
let wallet: string;
/** The seller's real listings, [openai, weather]. */
let listings: [string, string];
const pageErrors: string[] = [];

function json(route: Route, body: unknown): Promise<void> {
  return route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(body) });
}

async function open(route: string): Promise<void> {
  await page.goto(`${gateway}/#${route}`);
  await page.waitForFunction(() => (document.getElementById("main")?.childElementCount ?? 0) > 0);
  await page.waitForFunction(() => document.querySelectorAll("[aria-busy='true'], .loading").length === 0, null, {
    timeout: 30_000,
  });
}

beforeAll(async () => {
  browser = await launchChromium();
  const signer = await generateKeyPairSigner();
  wallet = signer.address;
  const apiKey = await signIn(gateway, signer);
  const list = async (service: string, category: string, pricingUnit: string, price: string) =>
    (
      await api<OwnerListing>(gateway, "/v1/listings", {
        apiKey,
        body: {
          service,
          category,
          description: fixtures.apis.apis.find((a) => a.service === service)?.description,
          upstreamBaseUrl: engines.upstreamUrl,
          allowedMethods: ["GET", "POST"],
          allowedPaths: ["/v1/**"],
          keyInjection: { kind: "bearer" },
          price,
          pricingUnit,
          capacity: { total: 1000, reservedForSelf: 0, window: "minute" },
          providerKey: engines.upstreamApiKey,
        },
      })
    ).id;
  listings = [await list("openai", "llm", "per_1k_tokens", "1000"), await list("weather", "data", "per_call", "200")];
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: "light" });
  await context.route(/\/v1\/apis(\?|$)/, (r) => json(r, fixtures.apis));
  await context.route(/\/v1\/categories$/, (r) => json(r, fixtures.categories));
  await context.route(/\/v1\/seller\/earnings/, (r) => json(r, fixtures.earnings(wallet, listings)));
  await context.route(/\/v1\/seller\/settlements/, (r) => json(r, fixtures.settlements));
  await context.route(/\/v1\/settlements\//, (r) => json(r, fixtures.settlement(wallet)));
  page = await newPage(context, pageErrors);
  await page.goto(`${gateway}/`);
  await page.evaluate((key) => sessionStorage.setItem("proxygate.apiKey", key), apiKey);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe("dashboard views of the contract APIs", () => {
  it("catalog: cards with buyer price, health and headroom; filters from the services", async () => {
    await open("/catalog");
    const card = page.getByTestId(`api-${fixtures.LISTING_A}`);
    const text = await card.textContent();
    expect(text).toContain("openai");
    expect(text).toContain("0.00105");
    expect(text).toContain("per 1k tokens");
    expect(text).toContain("99.8%");
    expect(text).toContain("412 / 980 ms");
    expect(await card.getByRole("meter").getAttribute("aria-valuenow")).toBe("83");
    expect(await page.locator("#f-service option").allTextContents()).toEqual(["All services", "openai", "weather"]);
    await screenshot(page, "20-catalog-with-listings");
    await open("/");
    await screenshot(page, "21-home-with-categories");
    const asked = page.waitForRequest((req) => req.url().includes("/v1/apis?") && req.url().includes("category=llm"));
    await page.getByRole("link", { name: "llm" }).click();
    await asked;
    expect(await page.locator("#f-category").inputValue()).toBe("llm");
  });

  it("earnings: totals, 30-day charts and per-listing table", async () => {
    await open("/seller");
    expect(await page.getByTestId("earnings-pending").textContent()).toContain("1.23456");
    const perDay = fixtures.earnings(wallet, listings).byDay;
    const calls = perDay.reduce((sum, d) => sum + d.calls, 0);
    expect(await page.getByTestId("earnings-calls").textContent()).toContain(calls.toLocaleString("en-US"));
    expect(await page.locator('[data-testid="chart-earnings"] rect.bar').count()).toBe(30);
    expect(await page.getByTestId("earnings-by-listing").textContent()).toContain("40.11 USDC");
    expect(await page.getByTestId("payout-address").textContent()).toBe(wallet);
    // The table's listings are the seller's own (real) ones, active and linked to their pages.
    for (const id of listings)
      expect(await page.getByTestId("earnings-by-listing").locator(`a[href$="${id}"]`).count()).toBe(1);
    await screenshot(page, "22-seller-earnings-with-data");
  });

  it("settlements: history with transaction links, and one batch with the caller's transfers", async () => {
    await open("/seller/settlements");
    const table = page.getByTestId("settlements-table");
    expect(await table.locator("tbody tr").count()).toBe(3);
    const link = table.locator(`a[title="${fixtures.PAYOUT_SIGNATURE}"]`);
    expect(await link.getAttribute("href")).toContain(fixtures.PAYOUT_SIGNATURE);
    await screenshot(page, "23-settlements-with-data");
    await table.getByRole("link", { name: fixtures.BATCH.slice(0, 12) }).click();
    await page.waitForURL(/#\/seller\/settlements\//);
    await page.waitForFunction(() => document.querySelectorAll(".loading").length === 0);
    expect(await page.locator("main").textContent()).toContain("12.50");
    await screenshot(page, "24-settlement-detail");
  });

  it("a failing API shows an error state with the request id and a working retry", async () => {
    const failing = /\/v1\/balance$/;
    await page.route(failing, (r) =>
      r.fulfill({
        status: 503,
        contentType: "application/json",
        body: JSON.stringify({
          error: {
            code: "dependency_unavailable",
            message: "The wallet service is busy; retry shortly.",
            requestId: "req_test_123",
          },
        }),
      }),
    );
    await open("/buyer");
    const alert = page.locator('.error-state[data-state="error"]').first();
    expect(await alert.textContent()).toContain("Could not load your balance");
    expect(await alert.textContent()).toContain("The wallet service is busy; retry shortly.");
    expect(await alert.textContent()).toContain("req_test_123");
    await screenshot(page, "25-error-state");
    await page.unroute(failing);
    await page.route(failing, (r) => r.abort("connectionrefused"));
    await alert.getByRole("button", { name: "Retry" }).click();
    await page.getByText("Could not reach the gateway").first().waitFor();
    await page.unroute(failing);
    await page.locator('.error-state[data-state="error"]').first().getByRole("button", { name: "Retry" }).click();
    await page.getByTestId("balance-available").waitFor();
  });

  it("no view threw an uncaught error or broke the Content-Security-Policy", () => {
    expect(pageErrors).toEqual([]);
  });
});
