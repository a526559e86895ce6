/**
 * The dashboard's Bounties tab in headless Chromium against the built Worker and real engines: a
 * funded poster posts a task (the hold preview uses the gateway's fee function), a solver claims
 * it from a second browser context and submits a link, the poster approves; each action goes
 * through its confirmation dialog, and the gateway's balance shows the hold and then the charge.
 * Screenshots to test-artifacts/screenshots/2x-*.png.
 */
import { generateKeyPairSigner } from "@solana/kit";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fundedBuyer } from "../../dev/lib/buyer.ts";
import { signIn } from "../../dev/lib/client.ts";
import { launchChromium, newPage as newBrowserPage, openRoute, screenshot } from "./browser.ts";

const gateway = inject("workerUrl");
const engines = inject("engines");
const TITLE = `Summarise the settlement design ${Date.now().toString(36)}`;
const WORK_URL = "https://example.com/summaries/settlement.md";

let browser: Browser;
let posterKey: string;
let solverKey: string;
let posterContext: BrowserContext;
let solverContext: BrowserContext;
let poster: Page;
let solver: Page;
let taskId: string;
const pageErrors: string[] = [];

function newPage(context: BrowserContext): Promise<Page> {
  return newBrowserPage(context, pageErrors);
}

function open(page: Page, route: string): Promise<void> {
  return openRoute(page, gateway, route);
}

/** A browser context signed in with `apiKey` through the sign-in page. */
async function signedIn(apiKey: string, viewport = { width: 1440, height: 900 }): Promise<[BrowserContext, Page]> {
  const context = await browser.newContext({ viewport, colorScheme: "light" });
  const page = await newPage(context);
  await open(page, "/signin");
  await page.getByRole("textbox", { name: "API key" }).fill(apiKey);
  await page.getByRole("button", { name: "Sign in with key" }).click();
  await page.waitForURL(/#\/seller$/);
  return [context, page];
}

async function balance(apiKey: string): Promise<{ available: string; held: string; unsettled: string }> {
  const res = await fetch(`${gateway}/v1/balance`, { headers: { authorization: `Bearer ${apiKey}` } });
  return (await res.json()) as { available: string; held: string; unsettled: string };
}

/** Confirms the open dialog with its `confirm` button. */
async function confirm(page: Page, name: string): Promise<void> {
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  await dialog.getByRole("button", { name }).click();
  await dialog.waitFor({ state: "detached" });
}

beforeAll(async () => {
  browser = await launchChromium();
  const funded = await fundedBuyer(gateway, engines.solanaRpcUrl, engines.vars.USDC_MINT, 5_000_000);
  posterKey = funded.apiKey;
  solverKey = await signIn(gateway, await generateKeyPairSigner());
  [posterContext, poster] = await signedIn(posterKey);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe("dashboard: Bounties", { timeout: 120_000 }, () => {
  it("the poster posts a task; the hold preview is reward + 5 % and the balance after it", async () => {
    await open(poster, "/tasks");
    await poster.getByRole("link", { name: "Bounties" }).first().waitFor();
    expect(await poster.locator('.nav-link[aria-current="page"]').textContent()).toContain("Bounties");
    await screenshot(poster, "20-bounties");
    await poster.getByTestId("new-task").click();
    await poster.waitForURL(/#\/tasks\/new$/);
    await poster.getByLabel("Title", { exact: true }).fill(TITLE);
    await poster
      .getByLabel("Description")
      .fill("Three paragraphs, plain English:\n- batching\n- the outbox\n- payouts");
    await poster.getByLabel("Reward (USDC)").fill("1.2");
    expect(await poster.getByTestId("hold-amount").textContent()).toBe("1.26 USDC");
    expect(await poster.getByTestId("hold-payout").textContent()).toBe("1.14 USDC");
    await expect.poll(() => poster.getByTestId("hold-after").textContent()).toBe("3.74 USDC");
    await poster.getByLabel("Review window").fill("2");
    await poster.getByLabel("Unit").selectOption("3600");
    await screenshot(poster, "21-new-task");

    // Declining the confirmation posts nothing.
    await poster.getByRole("button", { name: "Post task" }).click();
    await confirm(poster, "Cancel");
    expect((await balance(posterKey)).held).toBe("0");

    await poster.getByRole("button", { name: "Post task" }).click();
    await confirm(poster, "Post task");
    await poster.waitForURL(/#\/tasks\/[0-9a-f-]{36}$/);
    taskId = poster.url().split("/").at(-1) ?? "";
    await poster.getByTestId("task-status").getByText("open").waitFor();
    expect(await poster.getByTestId("task-reward").textContent()).toBe("1.20 USDC");
    expect(await poster.getByTestId("task-poster").textContent()).toBe("you");
    // The poster may cancel an open task, not claim it.
    expect(await poster.getByTestId("task-claim").count()).toBe(0);
    await poster.getByTestId("task-cancel").waitFor();
    expect(await balance(posterKey)).toMatchObject({ held: "1260000", available: "3740000" });
    await screenshot(poster, "22-task-open-poster");
  });

  it("the solver finds it with the status filter, claims it and submits a link", async () => {
    [solverContext, solver] = await signedIn(solverKey);
    await open(solver, "/tasks");
    await solver.getByLabel("Status").selectOption("open");
    const row = solver.locator('[data-testid="tasks-table"] tbody tr', { hasText: TITLE });
    await row.waitFor();
    expect(await row.textContent()).toContain("1.20 USDC");
    await screenshot(solver, "23-bounties-open");
    await row.getByRole("link", { name: TITLE }).click();
    await solver.waitForURL(new RegExp(`#/tasks/${taskId}$`));
    await solver.getByTestId("task-claim").click();
    await confirm(solver, "Claim task");
    await solver.getByTestId("task-status").getByText("claimed").waitFor();
    expect(await solver.getByTestId("task-solver").textContent()).toBe("you");

    await solver.getByLabel("Kind").selectOption("url");
    await solver.getByLabel("Work", { exact: true }).fill(WORK_URL);
    await screenshot(solver, "24-task-claimed-solver");
    await solver.getByRole("button", { name: "Submit work" }).click();
    await confirm(solver, "Submit work");
    await solver.getByTestId("task-status").getByText("submitted").waitFor();
    expect(await solver.getByTestId("task-work").textContent()).toContain(WORK_URL);
    // The solver cannot approve their own work.
    expect(await solver.getByTestId("task-approve").count()).toBe(0);
  });

  it("the poster reviews the work and approves: the hold becomes the charge", async () => {
    await open(poster, `/tasks/${taskId}`);
    await poster.getByTestId("task-status").getByText("submitted").waitFor();
    const link = poster.getByTestId("task-work").getByRole("link");
    expect(await link.getAttribute("href")).toBe(WORK_URL);
    expect(await link.getAttribute("rel")).toContain("noopener");
    await screenshot(poster, "25-task-review-poster");
    await poster.getByTestId("task-approve").click();
    await confirm(poster, "Approve and pay");
    await poster.getByTestId("task-status").getByText("approved").waitFor();
    await poster.getByTestId("task-no-actions").waitFor();
    expect(await balance(posterKey)).toMatchObject({ held: "0", unsettled: "1260000", available: "3740000" });
    await screenshot(poster, "26-task-approved");

    await open(solver, `/tasks/${taskId}`);
    await solver.getByTestId("task-status").getByText("approved").waitFor();
    await solverContext.close();
  });

  it("the board filters by whose task it is, and fits a phone", async () => {
    await open(poster, "/tasks");
    await poster.getByLabel("Whose").selectOption("poster");
    const row = poster.locator('[data-testid="tasks-table"] tbody tr', { hasText: TITLE });
    await row.waitFor();
    expect(await row.textContent()).toContain("approved");
    await poster.getByLabel("Whose").selectOption("solver");
    await poster.getByText("No tasks match").waitFor();

    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      colorScheme: "dark",
      isMobile: true,
    });
    const page = await newPage(phone);
    await page.goto(`${gateway}/`);
    await page.evaluate((key) => sessionStorage.setItem("proxygate.apiKey", key), posterKey);
    await open(page, `/tasks/${taskId}`);
    await page.getByTestId("task-status").waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, "27-task-mobile-dark");
    await open(page, "/tasks/new");
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await phone.close();
    await posterContext.close();
  });

  it("no view threw an uncaught error or broke the Content-Security-Policy", () => {
    expect(pageErrors).toEqual([]);
  });
});
