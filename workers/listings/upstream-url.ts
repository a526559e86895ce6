/**
 * Checks a listing's upstream base URL (SSRF guard), as a pure function. The gateway forwards
 * buyers' calls to this URL with the seller's key, so it must not point into a private network,
 * at the host itself or at a cloud metadata service.
 *
 * The WHATWG URL parser canonicalizes first (`http://0x7f.1/` → `127.0.0.1`, `[::ffff:127.0.0.1]`
 * → `[::ffff:7f00:1]`), then literal addresses are checked against the reserved IPv4/IPv6 ranges
 * (IPv6 forms that embed an IPv4 address are checked as that IPv4 address), and names against
 * local-only suffixes. Names are not resolved here (a Worker cannot resolve before it fetches);
 * Cloudflare's egress does not reach private networks, which covers names that resolve to them.
 */
import type { GatewayMode } from "./interface.ts";

export type UpstreamCheck = { ok: true; url: string } | { ok: false; reason: string };

const MAX_URL_LENGTH = 2048;

/** [first octet pattern as network, prefix length] of IPv4 ranges that are never an upstream. */
const BLOCKED_V4: ReadonlyArray<readonly [string, number]> = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, incl. the 169.254.169.254 metadata service
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, incl. broadcast
];

/** Host names (and their subdomains) that only ever mean something local or internal. */
const BLOCKED_NAME_SUFFIXES = [
  "localhost",
  "local",
  "internal",
  "localdomain",
  "home.arpa",
  "in-addr.arpa",
  "ip6.arpa",
];
const BLOCKED_NAMES = new Set(["metadata", "instance-data", "metadata.google.internal"]);

function v4ToInt(ip: string): number | null {
  const parts = ip.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value;
}

function inV4Range(ip: number, network: string, prefix: number): boolean {
  const base = v4ToInt(network) ?? 0;
  const size = 2 ** (32 - prefix);
  return ip >= base && ip < base + size;
}

function isLoopbackV4(ip: number): boolean {
  return inV4Range(ip, "127.0.0.0", 8);
}

/** Expands a (bracket-less, canonical) IPv6 literal into its eight 16-bit groups. */
function v6Groups(ip: string): number[] | null {
  let text = ip;
  const groups: number[] = [];
  // A trailing dotted IPv4 (the URL parser rewrites these, but be safe).
  const dotted = text.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  let tail: number[] = [];
  if (dotted) {
    const v4 = v4ToInt(dotted[2] ?? "");
    if (v4 === null) return null;
    tail = [Math.floor(v4 / 65536), v4 % 65536];
    text = `${dotted[1]}0:0`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16)));
  const head = parse(halves[0] ?? "");
  const rest = halves.length === 2 ? parse(halves[1] ?? "") : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 && missing !== 0) return null;
  if (missing < 0) return null;
  groups.push(...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest);
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g) || g < 0 || g > 0xffff)) return null;
  if (tail.length === 2) groups.splice(6, 2, tail[0] ?? 0, tail[1] ?? 0);
  return groups;
}

type Verdict = "public" | "loopback" | "blocked";

function classifyV4(ip: number): Verdict {
  if (isLoopbackV4(ip)) return "loopback";
  return BLOCKED_V4.some(([network, prefix]) => inV4Range(ip, network, prefix)) ? "blocked" : "public";
}

function classifyV6(groups: number[]): Verdict {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const embedded = g6 * 65536 + g7;
  const zeroPrefix = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroPrefix && g5 === 0 && g6 === 0 && g7 === 1) return "loopback"; // ::1
  if (zeroPrefix && g5 === 0 && g6 === 0 && g7 === 0) return "blocked"; // ::
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address decides.
  if (zeroPrefix && g5 === 0xffff) return classifyV4(embedded);
  if (zeroPrefix && g5 === 0) return "blocked"; // IPv4-compatible (::a.b.c.d): deprecated, never routed
  // NAT64 (64:ff9b::/96) embeds an IPv4 address in the last 32 bits.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return classifyV4(embedded) === "public" ? "public" : "blocked";
  }
  // 6to4 (2002::/16) embeds one in bits 16–47.
  if (g0 === 0x2002) return classifyV4(g1 * 65536 + g2) === "public" ? "public" : "blocked";
  if ((g0 & 0xfe00) === 0xfc00) return "blocked"; // fc00::/7 unique local
  if ((g0 & 0xffc0) === 0xfe80) return "blocked"; // fe80::/10 link-local
  if ((g0 & 0xffc0) === 0xfec0) return "blocked"; // fec0::/10 site-local (deprecated)
  if ((g0 & 0xff00) === 0xff00) return "blocked"; // ff00::/8 multicast
  if (g0 === 0x2001 && g1 === 0x0db8) return "blocked"; // documentation
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return "blocked"; // discard-only
  if (g0 === 0x2001 && g1 === 0) return "blocked"; // Teredo: tunnels to an unknown IPv4 address
  return "public";
}

function classifyHost(hostname: string): Verdict | "invalid" {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host.startsWith("[") && host.endsWith("]")) {
    const groups = v6Groups(host.slice(1, -1));
    return groups === null ? "invalid" : classifyV6(groups);
  }
  const v4 = v4ToInt(host);
  if (v4 !== null) return classifyV4(v4);
  if (/^[\d.]+$/.test(host)) return "invalid";
  if (host === "localhost" || host.endsWith(".localhost")) return "loopback";
  if (BLOCKED_NAMES.has(host)) return "blocked";
  if (BLOCKED_NAME_SUFFIXES.some((suffix) => host === suffix || host.endsWith(`.${suffix}`))) return "blocked";
  // A single-label name is resolved through search domains, i.e. inside some private network.
  if (!host.includes(".")) return "blocked";
  return "public";
}

/**
 * Validates and normalizes an upstream base URL for `mode`. Production: https only, public hosts
 * only. Local: http allowed too, and loopback hosts (the demo upstream) are allowed. Private,
 * link-local, metadata and reserved addresses are refused in both. The result has no trailing `/`.
 * Reasons never echo the URL (it may carry credentials).
 *
 * @example
 * checkUpstreamUrl("https://api.openai.com/", "production"); // { ok: true, url: "https://api.openai.com" }
 * checkUpstreamUrl("http://169.254.169.254/latest", "local"); // { ok: false, reason: "…" }
 */
export function checkUpstreamUrl(raw: string, mode: GatewayMode): UpstreamCheck {
  if (raw.length > MAX_URL_LENGTH) return { ok: false, reason: `must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a valid absolute URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: "must be http(s)" };
  if (mode === "production" && url.protocol !== "https:") return { ok: false, reason: "must be https" };
  if (url.username !== "" || url.password !== "") {
    return { ok: false, reason: "must not contain credentials (use keyInjection for the provider key)" };
  }
  if (url.search !== "" || url.hash !== "" || raw.includes("?") || raw.includes("#")) {
    return { ok: false, reason: "must not have a query or fragment (use keyInjection kind query for a key parameter)" };
  }
  const verdict = classifyHost(url.hostname);
  if (verdict === "invalid") return { ok: false, reason: "host is not a valid name or address" };
  if (verdict === "blocked")
    return { ok: false, reason: "host is a private, link-local, reserved or metadata address" };
  if (verdict === "loopback" && mode !== "local")
    return { ok: false, reason: "loopback hosts are allowed only in local mode" };
  const path = url.pathname.replace(/\/+$/, "");
  return { ok: true, url: `${url.protocol}//${url.host}${path}` };
}
