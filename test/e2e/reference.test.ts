/** The API reference page is served with the dashboard assets (the built Worker, black-box). */
import { describe, expect, inject, it } from "vitest";

const gateway = inject("workerUrl");

describe("GET /reference/", () => {
  it("serves the page, its module and its CSS; the module renders /v1/openapi.json as text only", async () => {
    const page = await fetch(`${gateway}/reference/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain('src="/reference/reference.js"');
    expect(html).toContain('href="/reference/reference.css"');
    const css = await fetch(`${gateway}/reference/reference.css`);
    expect(css.status).toBe(200);
    await css.arrayBuffer();
    const script = await fetch(`${gateway}/reference/reference.js`);
    expect(script.status).toBe(200);
    const source = await script.text();
    expect(source).toContain('fetch("/v1/openapi.json"');
    // Everything from the document is written as text: nothing in it is parsed as HTML.
    expect(source).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it("the document it renders is served by the Worker", async () => {
    const res = await fetch(`${gateway}/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { openapi: string }).openapi).toBe("3.1.0");
  });
});
