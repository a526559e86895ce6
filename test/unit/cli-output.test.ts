import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatBalance, formatUsage } from "../../cli/commands/account.ts";
import { formatCatalog, unitPrice } from "../../cli/commands/apis.ts";
import { ProxyStreamFilter, streamingBody } from "../../cli/lib/stream.ts";
import { type Io, percent, spinner, table } from "../../cli/output.ts";

describe("CLI output formatting", () => {
  it("tables pad columns and right-align numbers", () => {
    expect(
      table(
        ["ID", "PRICE"],
        [
          ["a", "1.00"],
          ["bbb", "12.50"],
        ],
        ["left", "right"],
      ),
    ).toBe("ID   PRICE\na     1.00\nbbb  12.50\n");
  });

  it("the catalog shows the buyer's price per unit in USDC and health in percent", () => {
    const text = formatCatalog({
      apis: [
        {
          id: "11111111-1111-4111-8111-111111111111",
          service: "openai",
          type: "proxy",
          category: "llm",
          description: "",
          pricingUnit: "per_1k_tokens",
          price: "1050",
          sellerPrice: "1000",
          capacity: { window: "minute", resale: 100, headroom: 0.83 },
          health: { uptime: 0.99, errorRate: 0.01, p50Ms: 120, p95Ms: 300, samples: 42 },
          sellerCount: 3,
          proxyUrl: "/v1/proxy/11111111-1111-4111-8111-111111111111",
        },
      ],
      services: [{ service: "openai", sellerCount: 3 }],
    });
    expect(text).toContain("0.00105/1k tokens");
    expect(text).toContain("83%");
    expect(text).toContain("99%");
    expect(text).toContain("120 ms");
    expect(formatCatalog({ apis: [], services: [] })).toBe("No APIs match.\n");
    expect(unitPrice("200", "per_call")).toBe("0.0002/call");
    expect(percent(null)).toBe("–");
  });

  it("balance and usage print USDC, not micro-USDC", () => {
    const balance = formatBalance({
      wallet: "W",
      available: "2499790",
      onChain: "2500000",
      chainSlot: 7,
      reserved: "0",
      unsettled: "210",
      held: "0",
      cooldownUntil: null,
      flagged: false,
    });
    expect(balance).toMatch(/available\s+2\.49979 USDC/);
    expect(balance).toMatch(/on chain\s+2\.50 USDC \(slot 7\)/);
    expect(balance).not.toContain("held");
    const usage = formatUsage({
      entries: [
        {
          requestId: "req_1",
          kind: "call",
          listingId: "L",
          taskId: null,
          charge: "210",
          units: 200,
          status: "unsettled",
          settlementBatchId: null,
          createdAt: "2026-11-23T10:00:00.123Z",
        },
      ],
      nextCursor: null,
    });
    expect(usage).toContain("2026-11-23 10:00:00");
    expect(usage).toContain("0.00021");
  });
});

describe("the proxied SSE stream on its way to stdout", () => {
  const trailer = 'event: proxygate\ndata: {"requestId":"r1","cost":"210","receipt":"pgr1.x"}\n\n';
  const events = ['data: {"a":1}\n\n', 'data: {"b":2}\n\n', "data: [DONE]\n\n"];

  it("passes every event through byte for byte and takes the trailer out, however the chunks are cut", () => {
    const whole = events.join("") + trailer;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: whole.length }), { maxLength: 8 }), (cuts) => {
        const points = [...new Set([0, ...cuts, whole.length])].sort((a, b) => a - b);
        const filter = new ProxyStreamFilter();
        let out = "";
        for (let i = 1; i < points.length; i++) out += filter.push(whole.slice(points[i - 1], points[i]));
        out += filter.end();
        expect(out).toBe(events.join(""));
        expect(filter.trailer).toEqual({ requestId: "r1", cost: "210", receipt: "pgr1.x" });
        expect(filter.error).toBeNull();
      }),
    );
  });

  it("remembers an error event (a cut stream) and still passes it on", () => {
    const filter = new ProxyStreamFilter();
    const cut = 'event: error\ndata: {"error":{"code":"upstream_error","message":"cut"}}\n\n';
    expect(filter.push(events[0] + cut)).toBe(events[0] + cut);
    expect(filter.error).toMatchObject({ code: "upstream_error", message: "cut" });
  });

  it("--stream adds stream: true to a JSON object body, and nothing else", () => {
    expect(JSON.parse(streamingBody('{"model":"m"}'))).toEqual({ model: "m", stream: true });
    expect(streamingBody('{"stream":false}')).toBe('{"stream":false}');
    expect(streamingBody("[1]")).toBe("[1]");
    expect(streamingBody("plain")).toBe("plain");
  });
});

describe("the spinner", () => {
  function io(interactive: boolean): { io: Io; drawn: string[] } {
    const drawn: string[] = [];
    return {
      drawn,
      io: {
        out: async () => {},
        err: () => {},
        errRaw: (text) => drawn.push(text),
        interactive,
        env: {},
        stdin: async () => "",
      },
    };
  }

  it("draws on an interactive terminal and clears its line when it stops", () => {
    const tty = io(true);
    const spin = spinner(tty.io, "waiting");
    spin.update("still waiting");
    spin.stop();
    expect(tty.drawn.some((d) => d.includes("still waiting"))).toBe(true);
    expect(tty.drawn.at(-1)).toBe("\r\x1b[2K");
  });

  it("draws nothing into a pipe or with --json", () => {
    const pipe = io(false);
    spinner(pipe.io, "waiting").stop();
    const json = io(true);
    spinner(json.io, "waiting", false).stop();
    expect([...pipe.drawn, ...json.drawn]).toEqual([]);
  });
});
