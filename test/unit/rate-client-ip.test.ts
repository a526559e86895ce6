import { describe, expect, it } from "vitest";
import { clientSubject, ipSubject } from "../../workers/ratelimit/client-ip.ts";

describe("client IP subject (workers/ratelimit/client-ip.ts)", () => {
  it("keeps an IPv4 address as it is", () => {
    expect(ipSubject("203.0.113.9")).toBe("203.0.113.9");
    expect(ipSubject(" 10.0.0.1 ")).toBe("10.0.0.1");
  });

  it("groups IPv6 addresses by their /64, however they are written", () => {
    const subject = "2001:db8:0:1::/64";
    for (const a of [
      "2001:db8:0:1::7",
      "2001:0db8:0000:0001:ffff:ffff:ffff:ffff",
      "2001:DB8:0:1:0:0:0:1",
      "2001:db8:0:1:1::",
    ]) {
      expect(ipSubject(a), a).toBe(subject);
    }
    expect(ipSubject("2001:db8:0:2::7")).toBe("2001:db8:0:2::/64");
    expect(ipSubject("::1")).toBe("0:0:0:0::/64");
    expect(ipSubject("::ffff:192.0.2.1")).toBe("0:0:0:0::/64");
  });

  it("refuses what is not an address", () => {
    for (const a of [
      "",
      "localhost",
      "1.2.3",
      "256.1.1.1",
      "1::2::3",
      "2001:db8:0:1:2:3:4:5:6",
      "12345::",
      ":::",
      "1.2.3.4, 5.6.7.8",
    ]) {
      expect(ipSubject(a), a).toBeNull();
    }
  });

  it("trusts only CF-Connecting-IP; without it, one shared local or unknown bucket", () => {
    const h = (init: Record<string, string>) => new Headers(init);
    expect(clientSubject(h({ "cf-connecting-ip": "198.51.100.4" }), "production")).toBe("198.51.100.4");
    expect(clientSubject(h({ "x-forwarded-for": "198.51.100.4" }), "production")).toBe("unknown");
    expect(clientSubject(h({}), "local")).toBe("local");
    expect(clientSubject(h({ "cf-connecting-ip": "garbage" }), "local")).toBe("local");
  });
});
