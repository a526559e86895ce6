/** SSRF guard for listing upstream URLs: literal addresses in every spelling, local names, modes. */
import { describe, expect, it } from "vitest";
import { checkUpstreamUrl } from "../../workers/listings/upstream-url.ts";

describe("checkUpstreamUrl", () => {
  it("accepts public https hosts and normalizes away a trailing slash", () => {
    expect(checkUpstreamUrl("https://api.openai.com/", "production")).toEqual({
      ok: true,
      url: "https://api.openai.com",
    });
    expect(checkUpstreamUrl("https://API.Example.com:8443/v1/", "production")).toEqual({
      ok: true,
      url: "https://api.example.com:8443/v1",
    });
    expect(checkUpstreamUrl("https://8.8.8.8/x", "production")).toEqual({ ok: true, url: "https://8.8.8.8/x" });
    expect(checkUpstreamUrl("https://[2606:4700::1111]/", "production")).toEqual({
      ok: true,
      url: "https://[2606:4700::1111]",
    });
  });

  it("requires https in production; http is fine in local mode", () => {
    expect(checkUpstreamUrl("http://api.example.com", "production")).toEqual({ ok: false, reason: "must be https" });
    expect(checkUpstreamUrl("http://api.example.com", "local")).toEqual({ ok: true, url: "http://api.example.com" });
    expect(checkUpstreamUrl("ftp://api.example.com", "local")).toMatchObject({ ok: false, reason: "must be http(s)" });
    expect(checkUpstreamUrl("file:///etc/passwd", "local")).toMatchObject({ ok: false });
    expect(checkUpstreamUrl("not a url", "local")).toMatchObject({ ok: false, reason: "not a valid absolute URL" });
  });

  it("allows loopback only in local mode", () => {
    for (const url of [
      "http://127.0.0.1:8787",
      "http://localhost:8787/v1",
      "http://api.localhost",
      "http://[::1]:9000",
      "http://127.1",
      "http://0x7f.0.0.1",
      "http://2130706433",
      "http://0177.0.0.1",
      "http://[::ffff:127.0.0.1]",
      "https://localhost.",
    ]) {
      expect(checkUpstreamUrl(url, "local"), url).toMatchObject({ ok: true });
      const prod = checkUpstreamUrl(url.replace("http:", "https:"), "production");
      expect(prod, url).toEqual({ ok: false, reason: "loopback hosts are allowed only in local mode" });
    }
  });

  it("refuses private, link-local, metadata and reserved addresses in every mode", () => {
    for (const url of [
      "https://10.0.0.1",
      "https://10.255.255.255",
      "https://172.16.0.1",
      "https://172.31.255.254",
      "https://192.168.1.1",
      "https://169.254.169.254/latest/meta-data",
      "https://169.254.0.1",
      "https://100.64.0.1",
      "https://0.0.0.0",
      "https://0",
      "https://224.0.0.1",
      "https://255.255.255.255",
      "https://0xa9.0xfe.0xa9.0xfe",
      "https://2852039166", // 169.254.169.254 as one number
      "https://[::]",
      "https://[fc00::1]",
      "https://[fd12:3456::1]",
      "https://[fe80::1]",
      "https://[fec0::1]",
      "https://[ff02::1]",
      "https://[::ffff:10.0.0.1]",
      "https://[::ffff:169.254.169.254]",
      "https://[::ffff:a9fe:a9fe]",
      "https://[::10.0.0.1]",
      "https://[64:ff9b::a9fe:a9fe]",
      "https://[64:ff9b::7f00:1]",
      "https://[2002:a9fe:a9fe::1]",
      "https://[2001:db8::1]",
      "https://[2001::1]",
      "https://metadata.google.internal/computeMetadata/v1",
      "https://metadata",
      "https://instance-data",
      "https://printer.local",
      "https://db.internal",
      "https://router.home.arpa",
      "https://intranet",
    ]) {
      for (const mode of ["local", "production"] as const) {
        expect(checkUpstreamUrl(url, mode), `${url} (${mode})`).toMatchObject({ ok: false });
      }
    }
  });

  it("accepts public addresses next to the blocked ranges", () => {
    for (const url of ["https://172.32.0.1", "https://172.15.255.255", "https://100.128.0.1", "https://169.255.0.1"]) {
      expect(checkUpstreamUrl(url, "production"), url).toMatchObject({ ok: true });
    }
  });

  it("refuses credentials, queries and fragments without echoing the URL", () => {
    const secret = "sk-canary-in-url-1234";
    for (const url of [
      `https://user:${secret}@api.example.com`,
      `https://api.example.com/v1?key=${secret}`,
      `https://api.example.com/#${secret}`,
    ]) {
      const result = checkUpstreamUrl(url, "production");
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).not.toContain(secret);
    }
    expect(checkUpstreamUrl(`https://${"a".repeat(3000)}.com`, "production")).toMatchObject({ ok: false });
  });
});
