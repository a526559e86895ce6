import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commandHelp, list, overviewHelp, parse, resolve, str } from "../../cli/args.ts";
import { catalogQuery } from "../../cli/commands/apis.ts";
import { listingBody } from "../../cli/commands/listings.ts";
import { parseHeaders, proxyPath } from "../../cli/commands/proxy.ts";
import { receiptFromText } from "../../cli/commands/receipt.ts";
import { normalizeUrl } from "../../cli/config.ts";
import { CliError, describeFailure, EXIT, formatFailure } from "../../cli/errors.ts";
import { GatewayError, NetworkError } from "../../cli/lib/http.ts";
import { parseKeypairJson } from "../../cli/lib/keypair.ts";
import { COMMANDS, main } from "../../cli/main.ts";
import type { Io } from "../../cli/output.ts";
import { VERSION } from "../../cli/version.ts";

function usageExit(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(EXIT.usage);
    return err as CliError;
  }
  throw new Error("expected a usage error");
}

/** An Io that records everything and never touches the process. */
function fakeIo(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    async out(chunk) {
      out.push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
    },
    err: (line) => err.push(line),
    errRaw: (text) => err.push(text),
    interactive: false,
    env: { PROXYGATE_CONFIG: "/nonexistent/proxygate.json", ...env },
    stdin: async () => "",
  };
  return { io, out, err };
}

describe("CLI command resolution", () => {
  it("finds one- and two-word commands with global options anywhere", () => {
    const r = resolve(["--url", "http://x:1", "vault", "open", "--json"], COMMANDS);
    expect(r.kind === "command" && r.command.path).toEqual(["vault", "open"]);
    expect(r.kind === "command" && r.argv).toEqual(["--url", "http://x:1", "--json"]);

    const p = resolve(["proxy", "demo-llm", "/v1/models", "-X", "GET"], COMMANDS);
    expect(p.kind === "command" && p.command.path).toEqual(["proxy"]);
    expect(p.kind === "command" && p.argv).toEqual(["demo-llm", "/v1/models", "-X", "GET"]);

    const keys = resolve(["keys"], COMMANDS);
    expect(keys.kind === "command" && keys.command.path).toEqual(["keys"]);
    const revoke = resolve(["keys", "revoke", "abc"], COMMANDS);
    expect(revoke.kind === "command" && revoke.command.path).toEqual(["keys", "revoke"]);
  });

  it("answers help for the whole CLI, a group and a command", () => {
    expect(resolve([], COMMANDS)).toEqual({ kind: "help" });
    expect(resolve(["--help"], COMMANDS)).toEqual({ kind: "help" });
    expect(resolve(["--version"], COMMANDS)).toEqual({ kind: "version" });
    const group = resolve(["listings", "--help"], COMMANDS);
    expect(group.kind === "help" && group.command?.path).toEqual(["listings"]);
    const sub = resolve(["help", "receipt", "verify"], COMMANDS);
    expect(sub.kind === "help" && sub.command?.path).toEqual(["receipt", "verify"]);
    expect(resolve(["receipt", "-h"], COMMANDS)).toEqual({ kind: "help", group: "receipt" });
  });

  it("refuses unknown commands as usage errors", () => {
    expect(usageExit(() => resolve(["bogus"], COMMANDS)).message).toMatch(/unknown command "bogus"/);
    expect(usageExit(() => resolve(["receipt", "check"], COMMANDS)).message).toMatch(/unknown command "receipt check"/);
  });

  it("parses options strictly and counts positionals", () => {
    const proxy = COMMANDS.find((c) => c.path.join(" ") === "proxy")!;
    const parsed = parse(proxy, ["l1", "/p", "-H", "A: 1", "-H", "B: 2", "--stream", "-d", "@body.json", "--json"]);
    expect(parsed.positionals).toEqual(["l1", "/p"]);
    expect(list(parsed.values, "header")).toEqual(["A: 1", "B: 2"]);
    expect(str(parsed.values, "data")).toBe("@body.json");
    expect(parsed.values.stream).toBe(true);
    expect(parsed.values.json).toBe(true);

    expect(usageExit(() => parse(proxy, ["l1"])).message).toMatch(/missing argument/);
    expect(usageExit(() => parse(proxy, ["l1", "/p", "extra"])).message).toMatch(/unexpected argument "extra"/);
    expect(usageExit(() => parse(proxy, ["l1", "/p", "--nope"])).message).toMatch(/nope/);
    const balance = COMMANDS.find((c) => c.path.join(" ") === "balance")!;
    expect(usageExit(() => parse(balance, ["--url"])).message).toMatch(/url/);
  });

  it("every command has help naming its options, and the overview lists every visible command", () => {
    const overview = overviewHelp(COMMANDS);
    for (const command of COMMANDS) {
      const help = commandHelp(command);
      expect(help).toContain(`proxygate ${command.path.join(" ")}`);
      expect(help).toContain("--json");
      for (const option of Object.keys(command.options ?? {})) expect(help).toContain(`--${option}`);
      if (!command.hidden) expect(overview).toContain(command.path.join(" "));
    }
    expect(overview).toContain("Exit codes");
  });

  it("the CLI's version is the published package's", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "../../cli/package.json"), "utf8")) as {
      version: string;
      bin: Record<string, string>;
    };
    expect(VERSION).toBe(pkg.version);
    expect(pkg.bin.proxygate).toBe("dist/proxygate.js");
  });
});

describe("CLI argument values", () => {
  it("-H takes Name: value and refuses the headers proxygate owns", () => {
    expect(parseHeaders(["Accept: text/plain", "X-Thing:  a:b "])).toEqual({ accept: "text/plain", "x-thing": "a:b" });
    expect(usageExit(() => parseHeaders(["Authorization: Bearer x"])).message).toMatch(/set by proxygate/);
    expect(usageExit(() => parseHeaders(["no colon"])).message).toMatch(/Name: value/);
    expect(usageExit(() => parseHeaders([": empty"])).message).toMatch(/Name: value/);
  });

  it("the proxy path is one target segment plus an absolute upstream path", () => {
    expect(proxyPath("demo-llm", "/v1/models?x=1")).toBe("/v1/proxy/demo-llm/v1/models?x=1");
    usageExit(() => proxyPath("a/b", "/x"));
    usageExit(() => proxyPath("../v1", "/x"));
    usageExit(() => proxyPath("demo", "v1/models"));
  });

  it("apis filters: max price in USDC goes out as micro-USDC", () => {
    expect(catalogQuery({})).toBe("");
    expect(catalogQuery({ service: "openai", maxPrice: "0.002", sort: "price" })).toBe(
      "?service=openai&maxPrice=2000&sort=price",
    );
    usageExit(() => catalogQuery({ maxPrice: "-1" }));
    usageExit(() => catalogQuery({ sort: "cheapest" }));
  });

  it("listings create builds the API body from flags, prices in micro-USDC", () => {
    const body = listingBody(
      {},
      {
        service: "weather",
        category: "data",
        upstream: "https://api.example.com",
        method: ["get,post"],
        path: ["/v1/forecast", "/v1/cities/*"],
        price: "0.0002",
        capacity: "600",
        window: "minute",
        "key-header": "X-Api-Key",
      },
    );
    expect(body).toEqual({
      service: "weather",
      category: "data",
      upstreamBaseUrl: "https://api.example.com",
      allowedMethods: ["GET", "POST"],
      allowedPaths: ["/v1/forecast", "/v1/cities/*"],
      price: "200",
      capacity: { total: 600, window: "minute" },
      keyInjection: { kind: "header", name: "X-Api-Key" },
    });
    expect(usageExit(() => listingBody({}, { service: "x" })).message).toMatch(/missing for a listing: category/);
    usageExit(() => listingBody({}, { "key-header": "A", "key-query": "b" }));
    usageExit(() => listingBody({}, { capacity: "1.5" }));
  });

  it("keypair files are 64 bytes of JSON", () => {
    expect(parseKeypairJson(JSON.stringify(Array.from({ length: 64 }, (_, i) => i)))).toHaveLength(64);
    expect(() => parseKeypairJson("[1,2,3]")).toThrow(/64 numbers/);
    expect(() => parseKeypairJson(JSON.stringify(Array(64).fill(256)))).toThrow(/0 to 255/);
    expect(() => parseKeypairJson("nope")).toThrow(/not JSON/);
  });

  it("a receipt is read from its own text or from JSON carrying it", () => {
    expect(receiptFromText("pgr1.a.b.c.1.2.sig\n")).toBe("pgr1.a.b.c.1.2.sig");
    expect(receiptFromText('{"receipt":"pgr1.x"}')).toBe("pgr1.x");
    expect(receiptFromText("hello")).toBeNull();
  });

  it("gateway URLs are normalized; anything else is a usage error", () => {
    expect(normalizeUrl("http://127.0.0.1:8787/")).toBe("http://127.0.0.1:8787");
    expect(normalizeUrl("https://gw.example.com/base//")).toBe("https://gw.example.com/base");
    usageExit(() => normalizeUrl("ftp://x"));
    usageExit(() => normalizeUrl("not a url"));
  });
});

describe("CLI failures", () => {
  it("map to exit codes: API 1, usage 2, auth 3 (missing or refused), network 4", () => {
    const envelope = (code: string, status: number) =>
      new GatewayError("GET /x", status, JSON.stringify({ error: { code, message: "m", requestId: "r1" } }));
    expect(describeFailure(envelope("insufficient_credit", 402))).toMatchObject({
      exitCode: 1,
      code: "insufficient_credit",
      requestId: "r1",
    });
    expect(describeFailure(envelope("unauthorized", 401)).exitCode).toBe(3);
    expect(describeFailure(new GatewayError("GET /x", 502, "<html>bad gateway</html>"))).toMatchObject({
      exitCode: 1,
      code: "http_502",
    });
    expect(describeFailure(new NetworkError("cannot reach x")).exitCode).toBe(4);
    expect(describeFailure(new TypeError("fetch failed")).exitCode).toBe(4);
    expect(describeFailure(new Error("boom\n  at somewhere")).message).toBe("boom at somewhere");
    expect(formatFailure({ exitCode: 1, code: "conflict", message: "later", retryAfter: 5 })).toBe(
      "proxygate: later (conflict, retry after 5s)",
    );
  });

  it("main prints help, refuses bad arguments before any I/O, and reports one line", async () => {
    const help = fakeIo();
    expect(await main(["--help"], help.io)).toBe(0);
    expect(help.out.join("")).toContain("proxygate <command>");

    const bad = fakeIo();
    expect(await main(["deposit", "1.5.5", "--key", "k"], bad.io)).toBe(EXIT.usage);
    expect(bad.err).toHaveLength(1);
    expect(bad.err[0]).toMatch(/^proxygate: amount: "1.5.5" is not a USDC amount/);

    const noKey = fakeIo();
    expect(await main(["balance", "--json"], noKey.io)).toBe(EXIT.auth);
    expect(JSON.parse(noKey.err[0] as string)).toMatchObject({ error: { code: "auth_missing", exitCode: 3 } });
  });
});
