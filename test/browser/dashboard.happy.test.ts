/**
 * The dashboard in headless Chromium against the built Worker and real local engines: a seller
 * signs in with a (test) Wallet-Standard wallet, lists an API, sees it in the catalog; a buyer's
 * proxied call shows up in the buyer's usage and the seller's earnings; pausing refuses calls.
 * Every main view is opened and saved to test-artifacts/screenshots/.
 *
 * Views whose API is not on this gateway yet (catalog, earnings, settlements) must show their
 * "not available" state instead of crashing; once the API exists the same steps check real data.
 */
import { generateKeyPairSigner, type KeyPairSigner } from "@solana/kit";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { faucet, fundedBuyer } from "../../dev/lib/buyer.ts";
import { launchChromium, newPage as newBrowserPage, openRoute, screenshot } from "./browser.ts";
import { installTestWallet, TEST_WALLET_NAME } from "./wallet.ts";

const gateway = inject("workerUrl");
const engines = inject("engines");

const SERVICE = `browser-data-${Date.now().toString(36)}`;

let browser: Browser;
let sellerContext: BrowserContext;
let seller: Page;
let sellerSigner: KeyPairSigner;
let sellerKey: string;
let buyerSigner: KeyPairSigner;
let buyerKey: string;
let buyerContext: BrowserContext;
let buyer: Page;
let listingId: string;
const pageErrors: string[] = [];

/** Does the gateway serve `path` at all (as opposed to "No route for …")? */
async function routeExists(path: string, apiKey?: string): Promise<boolean> {
  const res = await fetch(`${gateway}${path}`, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
  const text = await res.text();
  return !(res.status === 404 && text.includes("No route for"));
}

function newPage(context: BrowserContext): Promise<Page> {
  return newBrowserPage(context, pageErrors);
}

function open(page: Page, route: string): Promise<void> {
  return openRoute(page, gateway, route);
}

/** Reloads `route` until `selector` shows up (data that lands after a call: ledger, catalog cache). */
async function openUntil(page: Page, route: string, selector: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await open(page, route);
    if ((await page.locator(selector).count()) > 0) return;
    if (Date.now() > deadline) throw new Error(`${selector} never appeared on ${route}`);
    await page.waitForTimeout(1_000);
  }
}

/** Every text and form value on the page: a secret must appear in none of them. */
function visibleSecrets(page: Page): Promise<string> {
  return page.evaluate(() => {
    const values = Array.from(document.querySelectorAll("input, textarea")).map((el) => (el as HTMLInputElement).value);
    return `${document.documentElement.outerHTML}\n${values.join("\n")}`;
  });
}

async function listingOf(apiKey: string): Promise<{ price: string; status: string }> {
  const res = await fetch(`${gateway}/v1/listings/${listingId}`, { headers: { authorization: `Bearer ${apiKey}` } });
  return (await res.json()) as { price: string; status: string };
}

function proxyCall(apiKey: string): Promise<Response> {
  return fetch(`${gateway}/v1/proxy/${listingId}/data/weather?city=Lisbon`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
}

beforeAll(async () => {
  browser = await launchChromium();
  sellerSigner = await generateKeyPairSigner();
  await faucet(engines.solanaRpcUrl, sellerSigner.address, { sol: 1_000_000_000 });
  sellerContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: "light" });
  await installTestWallet(sellerContext, sellerSigner, engines.solanaRpcUrl);
  seller = await newPage(sellerContext);
  const funded = await fundedBuyer(gateway, engines.solanaRpcUrl, engines.vars.USDC_MINT, 5_000_000);
  buyerKey = funded.apiKey;
  buyerSigner = funded.signer;
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

// Tests in a file run in order (vitest default): each step builds on the previous one.
describe("dashboard", () => {
  it("serves the dashboard with security headers from the same Worker", async () => {
    const res = await fetch(`${gateway}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).toContain('<script type="module" src="/app/main.js">');
    expect((await fetch(`${gateway}/_headers`)).status).not.toBe(200);
  });

  it("shows the landing page and sign-in, with the test wallet discovered", async () => {
    await open(seller, "/");
    expect(await seller.locator("h1").first().textContent()).toContain("Sell the API capacity");
    expect(await seller.getByTestId("health-checks").textContent()).toMatch(/postgres.*ok.*redis.*ok.*solana.*ok/);
    await screenshot(seller, "01-home");
    await open(seller, "/signin");
    await seller.getByRole("button", { name: `Sign in with ${TEST_WALLET_NAME}` }).waitFor();
    await screenshot(seller, "02-signin");
  });

  it("signs in with the wallet: the new key is revealed once, then never rendered again", async () => {
    await seller.getByRole("button", { name: `Sign in with ${TEST_WALLET_NAME}` }).click();
    const revealed = seller.getByTestId("revealed-key");
    await revealed.waitFor();
    const apiKey = await revealed.inputValue();
    sellerKey = apiKey;
    expect(apiKey).toMatch(new RegExp(`^pgk_${sellerSigner.address}_`));
    await seller.getByRole("button", { name: "I have stored it" }).click();
    await seller.waitForURL(/#\/seller$/);
    expect(await seller.getByTestId("wallet-chip").getAttribute("title")).toBe(sellerSigner.address);
    expect(await seller.evaluate(() => sessionStorage.getItem("proxygate.apiKey"))).toBe(apiKey);
    expect(await visibleSecrets(seller)).not.toContain(apiKey.split("_")[2]);
  });

  it("creates a listing with a live fee preview; the provider key is masked afterwards", async () => {
    await open(seller, "/seller/listings");
    await screenshot(seller, "03-listings-empty");
    await seller.getByTestId("new-listing").click();
    await seller.waitForURL(/#\/seller\/listings\/new$/);
    await seller.getByLabel("Service").fill(SERVICE);
    await seller.getByLabel("Category").fill("data");
    await seller.getByLabel("Description").fill("Current weather and stock quotes, JSON.");
    await seller.getByLabel("Upstream base URL").fill(engines.upstreamUrl);
    await seller.getByLabel("Allowed paths").fill("/data/weather\n/data/quotes/*");
    await seller.getByLabel("Your upstream API key").fill(engines.upstreamApiKey);
    await seller.getByLabel("Inject it as").selectOption("header");
    await seller.getByLabel("Header or parameter name").fill("X-Api-Key");
    await seller.getByLabel("Price (USDC)").fill("0.001");
    // The same fee function as the gateway: 1000 micro-USDC → buyer 1050, seller 950, platform 100.
    expect(await seller.getByTestId("fee-charge").textContent()).toBe("0.00105 USDC");
    expect(await seller.getByTestId("fee-payout").textContent()).toBe("0.00095 USDC");
    expect(await seller.getByTestId("fee-platform").textContent()).toBe("0.0001 USDC");
    const preview = await seller.getByTestId("api-preview").textContent();
    expect(preview).toContain(SERVICE);
    expect(preview).toContain("0.00105");
    await seller.getByLabel("Total calls").fill("120");
    await seller.getByLabel("Reserved for yourself").fill("20");
    await screenshot(seller, "04-new-listing");
    await seller.getByRole("button", { name: "Create listing" }).click();
    await seller.waitForURL(/#\/seller\/listings\/[0-9a-f-]{36}$/);
    listingId = seller.url().split("/").at(-1) ?? "";
    await seller.getByTestId("key-last4").waitFor();
    expect(await seller.getByTestId("key-last4").textContent()).toContain(engines.upstreamApiKey.slice(-4));
    // Wait for the health panel to settle (catalog or its "not available" state).
    await seller.waitForFunction(() => document.querySelector("[data-testid='listing-health'] .loading") === null);
    expect(await visibleSecrets(seller)).not.toContain(engines.upstreamApiKey);
    await screenshot(seller, "05-listing-detail");
  });

  it("lists it in the public catalog (or shows the catalog as not available yet)", async () => {
    if (await routeExists("/v1/apis")) {
      await openUntil(seller, "/catalog", `[data-testid="api-${listingId}"]`);
    } else {
      await open(seller, "/catalog");
      expect(await seller.locator('[data-state="unavailable"]').count()).toBeGreaterThan(0);
    }
    await screenshot(seller, "06-catalog");
  });

  it("a proxied call shows up in the buyer's usage, with its receipt", async () => {
    const res = await proxyCall(buyerKey);
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-proxygate-request-id") ?? "";
    expect(requestId).not.toBe("");

    buyerContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: "light" });
    await installTestWallet(buyerContext, buyerSigner, engines.solanaRpcUrl);
    buyer = await newPage(buyerContext);
    await open(buyer, "/signin");
    await buyer.getByRole("textbox", { name: "API key" }).fill(buyerKey);
    await buyer.getByRole("button", { name: "Sign in with key" }).click();
    await buyer.waitForURL(/#\/seller$/);
    expect(await visibleSecrets(buyer)).not.toContain(buyerKey.split("_")[2]);

    // The entry reaches the ledger from the WalletDO outbox after the response (seconds, more on
    // a loaded machine): wait for the API to list it, then check the page shows it.
    await expect
      .poll(
        async () => {
          const res = await fetch(`${gateway}/v1/usage?limit=50`, { headers: { authorization: `Bearer ${buyerKey}` } });
          const body = (await res.json()) as { entries: { requestId: string }[] };
          return body.entries.some((e) => e.requestId === requestId);
        },
        { timeout: 90_000, interval: 500 },
      )
      .toBe(true);
    await openUntil(buyer, "/buyer/usage", `[title="${requestId}"]`, 10_000);
    const row = buyer.locator("tr", { has: buyer.locator(`[title="${requestId}"]`) });
    expect(await row.textContent()).toContain("0.00105 USDC");
    await screenshot(buyer, "07-buyer-usage");
    await row.getByRole("button", { name: "Receipt" }).click();
    const receipt = buyer.getByTestId("receipt");
    await receipt.waitFor({ timeout: 30_000 });
    expect(await receipt.textContent()).toContain(requestId);
    await screenshot(buyer, "07b-buyer-receipt", { fullPage: false });
    await buyer.getByRole("button", { name: "Close" }).click();

    await open(buyer, "/buyer");
    await buyer.getByTestId("vault-qr").waitFor();
    expect(await buyer.getByTestId("balance-unsettled").textContent()).toContain("0.00105");
    await screenshot(buyer, "08-buyer-balance");

    const mobile = await browser.newContext({
      viewport: { width: 390, height: 844 },
      colorScheme: "dark",
      isMobile: true,
    });
    const phone = await newPage(mobile);
    await phone.goto(`${gateway}/`);
    await phone.evaluate((key) => sessionStorage.setItem("proxygate.apiKey", key), buyerKey);
    await open(phone, "/buyer");
    await phone.getByTestId("vault-qr").waitFor();
    // Responsive: nothing wider than the phone's screen (wide tables scroll inside their card).
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(phone, "11-buyer-balance-mobile-dark");
    await open(phone, "/buyer/usage");
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await phone.getByRole("button", { name: "Menu" }).click();
    await phone.getByRole("link", { name: "API keys" }).click();
    await phone.waitForURL(/#\/keys$/);
    await phone.getByTestId("keys-table").waitFor();
    await mobile.close();
  });

  it("creates an API key (revealed once) and revokes it: the gateway refuses it at once", async () => {
    await open(buyer, "/keys");
    await buyer.getByTestId("create-key").click();
    const revealed = buyer.getByTestId("revealed-key");
    await revealed.waitFor();
    const newKey = await revealed.inputValue();
    expect(newKey).toMatch(new RegExp(`^pgk_${buyerSigner.address}_`));
    expect((await fetch(`${gateway}/v1/balance`, { headers: { authorization: `Bearer ${newKey}` } })).status).toBe(200);
    await buyer.getByRole("button", { name: "I have stored it" }).click();
    await buyer.waitForFunction(() => document.querySelectorAll('[data-testid="keys-table"] tbody tr').length === 2);
    expect(await visibleSecrets(buyer)).not.toContain(newKey.split("_")[2]);
    await screenshot(buyer, "10-api-keys");

    const other = buyer.locator('[data-testid="keys-table"] tbody tr', { hasNot: buyer.getByText("this session") });
    await other.getByRole("button", { name: /^Revoke key/ }).click();
    await buyer.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
    await other.getByText("revoked").waitFor();
    expect((await fetch(`${gateway}/v1/balance`, { headers: { authorization: `Bearer ${newKey}` } })).status).toBe(401);

    // A tab still holding the revoked key is signed out on its next call and sent to sign-in.
    const stale = await newPage(buyerContext);
    await stale.goto(`${gateway}/`);
    await stale.evaluate((key) => sessionStorage.setItem("proxygate.apiKey", key), newKey);
    await stale.goto(`${gateway}/#/buyer`);
    await stale.waitForURL(/#\/signin\?next=%2Fbuyer$/);
    expect(await stale.evaluate(() => sessionStorage.getItem("proxygate.apiKey"))).toBeNull();
    await stale.close();
  });

  it("withdraws USDC: the gateway co-signs, the wallet signs and sends, the dashboard confirms", async () => {
    await open(buyer, "/buyer/withdrawals");
    await buyer.getByLabel("Amount (USDC)").fill("1.5");
    await buyer.getByRole("button", { name: "Withdraw to my wallet" }).click();
    await buyer.locator("tbody tr", { hasText: "1.50 USDC" }).getByText("confirmed").waitFor({ timeout: 30_000 });
    const balance = (await (
      await fetch(`${gateway}/v1/balance`, { headers: { authorization: `Bearer ${buyerKey}` } })
    ).json()) as { onChain: string };
    expect(balance.onChain).toBe("3500000");
    await screenshot(buyer, "09-buyer-withdrawals");
    await buyerContext.close();
  });

  it("a wallet without a vault opens one from the balance page", async () => {
    await open(seller, "/buyer");
    await seller.getByRole("button", { name: "Open vault" }).click();
    await seller.getByTestId("vault-qr").waitFor({ timeout: 30_000 });
    expect(await seller.getByTestId("vault-address").textContent()).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
  });

  it("the call shows up in the seller's earnings (or earnings show as not available yet)", async () => {
    if (await routeExists("/v1/seller/earnings", buyerKey)) {
      await openUntil(seller, "/seller", '[data-testid="earnings-by-listing"]');
      expect(await seller.getByTestId("earnings-calls").textContent()).toMatch(/[1-9]/);
    } else {
      await open(seller, "/seller");
      expect(await seller.locator('[data-state="unavailable"]').count()).toBeGreaterThan(0);
    }
    await screenshot(seller, "12-seller-earnings");
    await open(seller, "/seller/settlements");
    await screenshot(seller, "13-seller-settlements");
    await openUntil(seller, "/seller/listings", '[data-testid="listings-table"]');
    await screenshot(seller, "14-listings");
  });

  it("edits the price with the fee preview, and rotates the key (masked, new version)", async () => {
    await open(seller, `/seller/listings/${listingId}`);
    await seller.getByTestId("price-input").fill("0.0012");
    expect(await seller.getByTestId("fee-charge").textContent()).toBe("0.00126 USDC");
    await seller.getByRole("button", { name: "Save price" }).click();
    await seller.getByText("Price set to 0.0012 USDC per call").waitFor();
    expect(await listingOf(sellerKey)).toMatchObject({ price: "1200" });

    await seller.getByLabel("New provider key").fill(engines.upstreamApiKey);
    await seller.getByRole("button", { name: "Rotate key" }).click();
    await seller.getByRole("dialog").getByRole("button", { name: "Rotate key" }).click();
    await seller.getByTestId("key-last4").getByText("v2").waitFor();
    expect(await visibleSecrets(seller)).not.toContain(engines.upstreamApiKey);
    const res = await proxyCall(buyerKey);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-proxygate-cost")).toBe("1260");
  });

  it("pausing (after a confirmation) refuses calls at once; unpausing serves them again", async () => {
    await open(seller, `/seller/listings/${listingId}`);
    await seller.getByTestId("pause").click();
    const dialog = seller.getByRole("dialog");
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Pause listing" }).click();
    await seller.getByTestId("unpause").waitFor();
    const refused = await proxyCall(buyerKey);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("no_capacity");
    await screenshot(seller, "15-listing-paused");

    await seller.getByTestId("unpause").click();
    await seller.getByRole("dialog").getByRole("button", { name: "Unpause listing" }).click();
    await seller.getByTestId("pause").waitFor();
    expect((await proxyCall(buyerKey)).status).toBe(200);
  });

  it("deleting (after a confirmation) removes the listing and refuses calls", async () => {
    await seller.getByTestId("delete").click();
    await seller.getByRole("dialog").getByRole("button", { name: "Delete listing" }).click();
    await seller.waitForURL(/#\/seller\/listings$/);
    await seller.getByText("No listings yet").waitFor();
    expect((await proxyCall(buyerKey)).status).not.toBe(200);
  });

  it("no view threw an uncaught error or broke the Content-Security-Policy", () => {
    expect(pageErrors).toEqual([]);
  });
});
