/**
 * Path patterns of a listing and the normalization of a buyer's request path, as pure functions.
 *
 * Pattern syntax (each pattern is relative to the listing's upstream base URL):
 * - starts with `/`; segments are separated by `/` (runs of `//` collapse to one);
 * - a literal segment is made of RFC 3986 path characters except `%` and `*`
 *   (`A–Z a–z 0–9 - . _ ~ ! $ & ' ( ) + , ; = : @`) and is never `.` or `..`;
 * - `*` is exactly one non-empty segment: `/data/quotes/*` matches `/data/quotes/AAPL`, not
 *   `/data/quotes` nor `/data/quotes/AAPL/x`;
 * - `**`, only as the last segment, is zero or more segments: `/v1/**` matches `/v1`, `/v1/` and
 *   `/v1/a/b`;
 * - a trailing `/` is a literal empty last segment: `/v1/models/` does not match `/v1/models`.
 * Matching is case-sensitive, on whole segments.
 *
 * A request path is refused outright (never "cleaned") when it could mean something else to the
 * upstream than to this matcher: `.`/`..` segments (also `..;param`), backslashes, encoded slashes or backslashes
 * (`%2F`, `%5C`), encoded dots (`%2E`), double encoding (`%25`), encoded control characters,
 * malformed `%`, raw control/space/non-ASCII characters, `?` or `#`.
 */

export const MAX_PATTERN_LENGTH = 512;
export const MAX_PATH_LENGTH = 2048;
const MAX_PATTERN_SEGMENTS = 32;

const LITERAL_SEGMENT = /^[A-Za-z0-9\-._~!$&'()+,;=:@]+$/;
/** Raw characters a request path may carry: RFC 3986 pchar plus `/` and `%` (checked separately). */
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
const UNRESERVED = /^[A-Za-z0-9\-_~]$/;

export type PathCheck = { ok: true; path: string } | { ok: false; reason: string };

/** A compiled pattern: its segments, `*` and `**` kept as such. */
export type CompiledPattern = readonly string[];

function collapse(path: string): string {
  return path.replace(/\/{2,}/g, "/");
}

function segmentsOf(path: string): string[] {
  return path.slice(1).split("/");
}

/**
 * Validates and normalizes one allowed-path pattern.
 *
 * @example
 * parsePathPattern("/data//quotes/*"); // { ok: true, path: "/data/quotes/*" }
 * parsePathPattern("/v1/../admin");    // { ok: false, reason: "…" }
 */
export function parsePathPattern(pattern: string): PathCheck {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, reason: `must be 1–${MAX_PATTERN_LENGTH} characters` };
  }
  if (!pattern.startsWith("/")) return { ok: false, reason: "must start with /" };
  const path = collapse(pattern);
  const segments = segmentsOf(path);
  if (segments.length > MAX_PATTERN_SEGMENTS) return { ok: false, reason: `at most ${MAX_PATTERN_SEGMENTS} segments` };
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (segment === "**") {
      if (!last) return { ok: false, reason: "** is only allowed as the last segment" };
    } else if (segment === "*") {
      // one segment wildcard
    } else if (segment === "") {
      if (!last) return { ok: false, reason: "empty segment" };
    } else if (segment === "." || segment === "..") {
      return { ok: false, reason: "no . or .. segments" };
    } else if (!LITERAL_SEGMENT.test(segment)) {
      return {
        ok: false,
        reason: "segments are *, ** (last only) or literals of A-Z a-z 0-9 - . _ ~ ! $ & ' ( ) + , ; = : @",
      };
    }
  }
  return { ok: true, path };
}

/** Decodes `%XX` when it stands for an unreserved character; refuses the dangerous encodings. */
function normalizeEncodings(path: string): PathCheck {
  let out = "";
  for (let i = 0; i < path.length; i++) {
    const ch = path[i] as string;
    if (ch !== "%") {
      out += ch;
      continue;
    }
    const hex = path.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return { ok: false, reason: "malformed percent-encoding" };
    const code = Number.parseInt(hex, 16);
    if (code === 0x2f || code === 0x5c) return { ok: false, reason: "encoded slash or backslash" };
    if (code === 0x25) return { ok: false, reason: "double percent-encoding" };
    if (code === 0x2e) return { ok: false, reason: "encoded dot" };
    if (code < 0x20 || code === 0x7f) return { ok: false, reason: "encoded control character" };
    const decoded = String.fromCharCode(code);
    out += UNRESERVED.test(decoded) ? decoded : `%${hex.toUpperCase()}`;
    i += 2;
  }
  return { ok: true, path: out };
}

/**
 * Normalizes a buyer's request path (the part after `/v1/proxy/<listing>`, percent-encoded as it
 * arrived — take it from `new URL(request.url).pathname`, not from a decoded router path):
 * collapses `//`, decodes percent-encoded unreserved characters, upper-cases other escapes, and
 * refuses anything ambiguous (see the module comment). The result is what is matched and forwarded.
 *
 * @example
 * normalizeRequestPath("/v1//chat/completions"); // { ok: true, path: "/v1/chat/completions" }
 * normalizeRequestPath("/data/%2e%2e/admin");     // { ok: false, reason: "encoded dot" }
 */
export function normalizeRequestPath(path: string): PathCheck {
  if (path.length === 0 || path.length > MAX_PATH_LENGTH) {
    return { ok: false, reason: `must be 1–${MAX_PATH_LENGTH} characters` };
  }
  if (!path.startsWith("/")) return { ok: false, reason: "must start with /" };
  if (path.includes("\\")) return { ok: false, reason: "backslash" };
  if (path.includes("?") || path.includes("#")) return { ok: false, reason: "query or fragment in the path" };
  if (!PATH_CHARS.test(path)) return { ok: false, reason: "characters outside RFC 3986 path characters" };
  const decoded = normalizeEncodings(collapse(path));
  if (!decoded.ok) return decoded;
  for (const segment of segmentsOf(decoded.path)) {
    // `..;x` is `..` to servlet containers (path parameters), so it counts as a dot segment too.
    const name = segment.split(";")[0];
    if (name === "." || name === "..") return { ok: false, reason: "dot segment" };
  }
  return decoded;
}

/** Compiles validated patterns; throws a TypeError naming the first invalid one. */
export function compilePatterns(patterns: readonly string[]): CompiledPattern[] {
  return patterns.map((pattern, i) => {
    const parsed = parsePathPattern(pattern);
    if (!parsed.ok) throw new TypeError(`allowedPaths.${i}: ${parsed.reason}`);
    return segmentsOf(parsed.path);
  });
}

function matchOne(pattern: CompiledPattern, segments: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p === "**") return true;
    const s = segments[i];
    if (s === undefined) return false;
    if (p === "*") {
      if (s === "") return false;
    } else if (p !== s) return false;
  }
  return segments.length === pattern.length;
}

/** Whether an already normalized request path matches any of the compiled patterns. */
export function matchPath(patterns: readonly CompiledPattern[], normalizedPath: string): boolean {
  const segments = segmentsOf(normalizedPath);
  return patterns.some((p) => matchOne(p, segments));
}

export type RouteCheck =
  | { ok: true; path: string }
  | { ok: false; reason: "method_not_allowed" | "path_not_allowed"; detail?: string };

/**
 * The fence's routing check: the method must be one of the listing's (case-insensitively), the
 * path must normalize and match one of its patterns.
 */
export function checkRoute(
  allowedMethods: readonly string[],
  patterns: readonly CompiledPattern[],
  method: string,
  path: string,
): RouteCheck {
  if (!allowedMethods.includes(method.toUpperCase())) return { ok: false, reason: "method_not_allowed" };
  const normalized = normalizeRequestPath(path);
  if (!normalized.ok) return { ok: false, reason: "path_not_allowed", detail: normalized.reason };
  if (!matchPath(patterns, normalized.path)) return { ok: false, reason: "path_not_allowed" };
  return { ok: true, path: normalized.path };
}
