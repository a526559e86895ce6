/**
 * The API reference page (/reference/) renders the gateway's own /v1/openapi.json in a real
 * browser: every operation of the document gets an entry, the filter narrows them, and the page
 * raises no script error or CSP violation.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium, screenshot } from "./browser.ts";

const gateway = inject("workerUrl");

let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.text().includes("Content Security Policy")) pageErrors.push(msg.text());
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe("API reference page", () => {
  it("renders every operation of the OpenAPI document and filters them", async () => {
    const doc = (await (await fetch(`${gateway}/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const operationIds = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(operationIds.length).toBeGreaterThan(30);

    await page.goto(`${gateway}/reference/`);
    await page.waitForSelector("article.op");
    const rendered = await page.locator("article.op").count();
    // The proxy's five methods collapse into one "any" entry.
    expect(rendered).toBe(operationIds.filter((id) => !/^proxy_(post|put|patch|delete)$/.test(id)).length);
    expect(await page.locator("#status").textContent()).toBe("");
    await screenshot(page, "30-api-reference");

    await page.getByRole("searchbox").or(page.locator("#filter")).first().fill("/v1/tasks");
    const visible = await page.locator("article.op:not(.hidden)").count();
    expect(visible).toBeGreaterThan(0);
    expect(visible).toBeLessThan(rendered);
    for (const path of await page.locator("article.op:not(.hidden) .path").allTextContents()) {
      expect(path).toContain("/v1/tasks");
    }
    expect(pageErrors).toEqual([]);
  });
});
