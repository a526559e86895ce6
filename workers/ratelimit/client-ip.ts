/**
 * Who a request comes from, for per-IP rate limits. Cloudflare sets `CF-Connecting-IP` on every
 * request and overwrites any value a client sent, so in production it is the client's address.
 * Locally (Miniflare, `npm start`) it may be absent or set by anyone: there, requests without it
 * share one bucket named `local`. Nothing else (`X-Forwarded-For`, …) is trusted: a client writes it.
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The 8 hextets of an IPv6 address (`::` expanded, an embedded IPv4 tail converted), or null. */
function ipv6Hextets(text: string): number[] | null {
  if (!/^[0-9a-f:.]+$/i.test(text) || text.split("::").length > 2) return null;
  let address = text;
  const v4 = IPV4.exec(address.slice(address.lastIndexOf(":") + 1));
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    if ([a, b, c, d].some((n) => n > 255)) return null;
    address = `${address.slice(0, address.lastIndexOf(":") + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = address.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":"));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  return groups.map((g) => Number.parseInt(g, 16));
}

/**
 * The rate-limit subject of an address: an IPv4 address as is; an IPv6 address by its /64 prefix
 * (one subscriber usually holds a whole /64, so per-address limits would be free to dodge);
 * anything unreadable → null.
 *
 * @example
 * ipSubject("2001:db8:0:1::7") // "2001:db8:0:1::/64"
 */
export function ipSubject(address: string): string | null {
  const text = address.trim();
  const v4 = IPV4.exec(text);
  if (v4) return v4.slice(1).every((n) => Number(n) <= 255) ? v4.slice(1).map(Number).join(".") : null;
  const hextets = ipv6Hextets(text);
  if (hextets === null) return null;
  return `${hextets
    .slice(0, 4)
    .map((h) => h.toString(16))
    .join(":")}::/64`;
}

/** The subject for `headers`: the `CF-Connecting-IP` address, else `local` (local mode) or `unknown`. */
export function clientSubject(headers: Headers, mode: "local" | "production"): string {
  const header = headers.get("cf-connecting-ip");
  const subject = header === null ? null : ipSubject(header);
  if (subject !== null) return subject;
  return mode === "local" ? "local" : "unknown";
}
