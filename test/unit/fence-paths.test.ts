/**
 * Path patterns and request-path normalization: the syntax, the matching, and the attacks
 * (traversal, encoded slashes and dots, double encoding, backslashes) that must never match.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkRoute,
  compilePatterns,
  matchPath,
  normalizeRequestPath,
  parsePathPattern,
} from "../../workers/fence/paths.ts";

function matches(patterns: string[], path: string): boolean {
  const normalized = normalizeRequestPath(path);
  return normalized.ok && matchPath(compilePatterns(patterns), normalized.path);
}

describe("parsePathPattern", () => {
  it("accepts literals, * and a trailing **, normalizing //", () => {
    expect(parsePathPattern("/v1/chat/completions")).toEqual({ ok: true, path: "/v1/chat/completions" });
    expect(parsePathPattern("/data//quotes/*")).toEqual({ ok: true, path: "/data/quotes/*" });
    expect(parsePathPattern("/v1/**")).toEqual({ ok: true, path: "/v1/**" });
    expect(parsePathPattern("/")).toEqual({ ok: true, path: "/" });
    expect(parsePathPattern("/v1/models/")).toEqual({ ok: true, path: "/v1/models/" });
    expect(parsePathPattern("/a/*/b/*")).toEqual({ ok: true, path: "/a/*/b/*" });
    expect(parsePathPattern("/v1/models:list@x")).toEqual({ ok: true, path: "/v1/models:list@x" });
  });

  it.each([
    ["", "must be 1–512 characters"],
    ["v1/chat", "must start with /"],
    ["/v1/**/x", "** is only allowed as the last segment"],
    ["/v1/../admin", "no . or .. segments"],
    ["/v1/./x", "no . or .. segments"],
    ["/v1/a*", "segments are"],
    ["/v1/%2e%2e", "segments are"],
    ["/v1\\admin", "segments are"],
    ["/v1/chat?x=1", "segments are"],
    ["/v1/chat#x", "segments are"],
    ["/v1/ch at", "segments are"],
    ["/v1/ü", "segments are"],
    [`/${"a".repeat(600)}`, "must be 1–512 characters"],
    [`/${Array(40).fill("a").join("/")}`, "at most 32 segments"],
  ])("refuses %j", (pattern, reason) => {
    const parsed = parsePathPattern(pattern);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});

describe("normalizeRequestPath", () => {
  it("collapses //, decodes encoded unreserved characters and upper-cases the other escapes", () => {
    expect(normalizeRequestPath("/v1//chat///completions")).toEqual({ ok: true, path: "/v1/chat/completions" });
    expect(normalizeRequestPath("/v1/chat%2Dcompletions")).toEqual({ ok: true, path: "/v1/chat-completions" });
    expect(normalizeRequestPath("/data/quotes/BRK%2eB")).toMatchObject({ ok: false, reason: "encoded dot" });
    expect(normalizeRequestPath("/data/a%3ab")).toEqual({ ok: true, path: "/data/a%3Ab" });
    expect(normalizeRequestPath("/data/hello%20world")).toEqual({ ok: true, path: "/data/hello%20world" });
  });

  it.each([
    ["/v1/../admin", "dot segment"],
    ["/v1/./chat", "dot segment"],
    ["/..", "dot segment"],
    ["/v1/..;jsessionid=x/admin", "dot segment"],
    ["/v1/%2e%2e/admin", "encoded dot"],
    ["/v1/%2E%2E/admin", "encoded dot"],
    ["/v1/.%2e/admin", "encoded dot"],
    ["/v1/a%2fb", "encoded slash"],
    ["/v1/a%2Fb", "encoded slash"],
    ["/v1/a%5cb", "encoded slash or backslash"],
    ["/v1/a%5Cb", "encoded slash or backslash"],
    ["/v1/%252e%252e/admin", "double percent-encoding"],
    ["/v1/a%252fb", "double percent-encoding"],
    ["/v1\\..\\admin", "backslash"],
    ["/v1/a\\b", "backslash"],
    ["/v1/a%00b", "encoded control character"],
    ["/v1/a%0d%0aX-Injected:1", "encoded control character"],
    ["/v1/a%zz", "malformed percent-encoding"],
    ["/v1/a%2", "malformed percent-encoding"],
    ["/v1/chat?key=1", "query or fragment in the path"],
    ["/v1/chat#x", "query or fragment in the path"],
    ["/v1/a b", "characters outside"],
    ["/v1/ü", "characters outside"],
    ["/v1/a\nb", "characters outside"],
    ["v1/chat", "must start with /"],
    ["", "must be 1–2048 characters"],
  ])("refuses %j", (path, reason) => {
    const result = normalizeRequestPath(path);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it("is idempotent and never yields a dot segment, a backslash or a dangerous escape", () => {
    const segment = fc.oneof(
      fc.constantFrom("v1", "chat", "..", ".", "%2e", "%2F", "%5c", "%25", "%41", "%3a", "a%2Fb", "", "*", "\\", "x.y"),
      fc.stringMatching(/^[A-Za-z0-9._~%-]{0,6}$/),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (segments) => {
        const result = normalizeRequestPath(`/${segments.join("/")}`);
        if (!result.ok) return;
        expect(normalizeRequestPath(result.path)).toEqual(result);
        const parts = result.path.split("/");
        expect(parts).not.toContain("..");
        expect(parts).not.toContain(".");
        expect(result.path).not.toMatch(/%(2[fFeE5]|5[cC])|\\|\/\//);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("matching", () => {
  it("matches literals exactly, * as one non-empty segment, ** as any suffix", () => {
    const quotes = ["/data/quotes/*"];
    expect(matches(quotes, "/data/quotes/AAPL")).toBe(true);
    expect(matches(quotes, "/data/quotes")).toBe(false);
    expect(matches(quotes, "/data/quotes/")).toBe(false);
    expect(matches(quotes, "/data/quotes/AAPL/history")).toBe(false);
    expect(matches(["/v1/chat/completions"], "/v1/chat/completions")).toBe(true);
    expect(matches(["/v1/chat/completions"], "/v1/chat/completions/")).toBe(false);
    expect(matches(["/v1/chat/completions"], "/V1/chat/completions")).toBe(false);
    expect(matches(["/v1/chat/completions"], "/v1//chat/completions")).toBe(true);
    expect(matches(["/v1/**"], "/v1")).toBe(true);
    expect(matches(["/v1/**"], "/v1/")).toBe(true);
    expect(matches(["/v1/**"], "/v1/a/b/c")).toBe(true);
    expect(matches(["/v1/**"], "/v10")).toBe(false);
    expect(matches(["/v1/**"], "/")).toBe(false);
    expect(matches(["/"], "/")).toBe(true);
    expect(matches(["/"], "/x")).toBe(false);
    expect(matches(["/a/*/c"], "/a/b/c")).toBe(true);
    expect(matches(["/a/*/c"], "/a//c")).toBe(false);
  });

  it("no traversal or encoding trick reaches a path outside the patterns", () => {
    const patterns = ["/data/quotes/*", "/v1/**"];
    for (const attack of [
      "/data/quotes/../../admin",
      "/data/quotes/%2e%2e/%2e%2e/admin",
      "/data/quotes/..%2fadmin",
      "/data/quotes/%2e%2e%2fadmin",
      "/data/quotes/..%5cadmin",
      "/data/quotes/%252e%252e%252fadmin",
      "/data/quotes\\..\\..\\admin",
      "/v1/../admin",
      "/v1/%2e%2e/admin",
      "/v1/..;/admin",
      "/v1/.;x/admin",
    ]) {
      const check = checkRoute(["GET"], compilePatterns(patterns), "GET", attack);
      expect(check, attack).toMatchObject({ ok: false, reason: "path_not_allowed" });
    }
  });

  it("checkRoute checks the method case-insensitively and returns the normalized path", () => {
    const patterns = compilePatterns(["/v1/chat/completions"]);
    expect(checkRoute(["POST"], patterns, "post", "/v1//chat/completions")).toEqual({
      ok: true,
      path: "/v1/chat/completions",
    });
    expect(checkRoute(["POST"], patterns, "GET", "/v1/chat/completions")).toEqual({
      ok: false,
      reason: "method_not_allowed",
    });
    expect(checkRoute(["POST"], patterns, "POST", "/v1/models")).toEqual({ ok: false, reason: "path_not_allowed" });
  });

  it("compilePatterns names the invalid pattern", () => {
    expect(() => compilePatterns(["/ok", "/v1/../x"])).toThrow("allowedPaths.1: no . or .. segments");
  });
});
