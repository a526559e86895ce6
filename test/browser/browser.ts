/** Headless Chromium (Debian's `chromium`) driven by playwright-core, and the screenshot folder. */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { ROOT } from "../../dev/worker.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(ROOT, "test-artifacts", "screenshots");

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

/**
 * Basic accessibility checks of what is on screen: every visible form control has a label, every
 * button and link has a name, every image has an alternative, and there is exactly one h1.
 */
export function a11yProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const visible = (el: Element) => (el as HTMLElement).offsetParent !== null || el.closest("dialog[open]") !== null;
    const describe = (el: Element) => el.outerHTML.slice(0, 120);
    for (const el of Array.from(document.querySelectorAll("input, select, textarea"))) {
      const control = el as HTMLInputElement;
      if (!visible(el) || control.type === "hidden") continue;
      const named =
        (control.labels?.length ?? 0) > 0 ||
        control.hasAttribute("aria-label") ||
        control.hasAttribute("aria-labelledby");
      if (!named) problems.push(`unlabelled control: ${describe(el)}`);
    }
    for (const el of Array.from(document.querySelectorAll("button, a[href]"))) {
      if (!visible(el)) continue;
      const name = (el.textContent ?? "").trim() || el.getAttribute("aria-label") || el.getAttribute("title");
      if (!name) problems.push(`nameless ${el.tagName.toLowerCase()}: ${describe(el)}`);
    }
    for (const el of Array.from(document.querySelectorAll("img"))) {
      if (!el.hasAttribute("alt")) problems.push(`img without alt: ${describe(el)}`);
    }
    for (const el of Array.from(document.querySelectorAll("svg[role='img']"))) {
      if (!el.getAttribute("aria-label")) problems.push(`svg image without a label: ${describe(el)}`);
    }
    const h1s = Array.from(document.querySelectorAll("h1")).filter(visible).length;
    if (h1s !== 1) problems.push(`${h1s} visible h1 elements`);
    return problems;
  });
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png once the page is idle. */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll("[aria-busy='true'], .loading").length === 0, null, {
    timeout: 30_000,
  });
  const problems = await a11yProblems(page);
  if (problems.length > 0) throw new Error(`accessibility problems on ${name}:\n${problems.join("\n")}`);
  const fullPage = opts.fullPage ?? true;
  if (fullPage) {
    // From the top, nothing focused: sticky bars and focus rings would land mid-page otherwise.
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      window.scrollTo(0, 0);
    });
  }
  // Toasts are transient confirmations; left in, they cover whatever the screenshot is about. (Hidden
  // through the CSSOM: Playwright's `style` option injects a <style> tag, which the CSP refuses.)
  const toasts = (hidden: boolean) =>
    page.evaluate((h) => {
      const el = document.getElementById("toasts");
      if (el) el.style.visibility = h ? "hidden" : "";
    }, hidden);
  await toasts(true);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage, animations: "disabled" });
  await toasts(false);
}

/** A new page of `context` whose uncaught errors and CSP violations are pushed onto `errors`. */
export async function newPage(context: BrowserContext, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on("pageerror", (err) => errors.push(`${page.url()}: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.text().includes("Content Security Policy")) errors.push(`${page.url()}: ${msg.text()}`);
  });
  return page;
}

/** Opens a hash route of the dashboard at `gateway` and waits until its content has loaded. */
export async function openRoute(page: Page, gateway: string, route: string): Promise<void> {
  const target = `${gateway}/#${route}`;
  // Going to the URL the page is already on is a fragment navigation: nothing would load again.
  if (page.url() === target) await page.reload();
  else await page.goto(target);
  await page.waitForFunction(() => (document.getElementById("main")?.childElementCount ?? 0) > 0);
  await page.waitForFunction(() => document.querySelectorAll("[aria-busy='true']").length === 0, null, {
    timeout: 30_000,
  });
}
