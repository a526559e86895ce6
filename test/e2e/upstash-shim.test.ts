import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisHandle, startRedis } from "../../dev/engines/redis.ts";
import { RedisConnection } from "../../dev/engines/redis-connection.ts";
import { encodeCommand, RedisReplyError, RespParser, type RespReply } from "../../dev/engines/resp.ts";
import { startUpstashShim, type UpstashShimHandle } from "../../dev/engines/upstash-shim.ts";
import { MissingDependencyError } from "../../dev/lib/process.ts";

// The real @upstash/redis client against the shim in front of a real redis-server.
let redisServer: RedisHandle;
let shim: UpstashShimHandle;
let redis: Redis;
let raw: Redis;

beforeAll(async () => {
  redisServer = await startRedis();
  shim = await startUpstashShim({ redisPort: redisServer.port, token: "test-token" });
  redis = new Redis({ url: shim.url, token: shim.token, retry: false });
  raw = new Redis({ url: shim.url, token: shim.token, retry: false, automaticDeserialization: false });
});

afterAll(async () => {
  await shim?.stop();
  await redisServer?.stop();
});

/** POST one REST request to the shim, as curl would. */
async function rest(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${shim.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${shim.token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

describe("upstash shim with @upstash/redis", () => {
  it("round-trips strings, JSON objects, unicode and control characters", async () => {
    const weird = "tab\there\u0000nul \u00ff\u0100 \u{1F600} 日本語";
    await redis.set("s:plain", "hello world");
    await redis.set("s:json", { nested: { list: [1, "two", null] }, ok: true });
    await redis.set("s:unicode", "héllo 🌍 — ünïcödé");
    await redis.set("s:weird", weird);
    expect(await redis.get("s:plain")).toBe("hello world");
    expect(await redis.get("s:json")).toEqual({ nested: { list: [1, "two", null] }, ok: true });
    expect(await redis.get("s:unicode")).toBe("héllo 🌍 — ünïcödé");
    expect(await redis.get("s:weird")).toBe(weird);
    expect(await redis.get("s:missing")).toBeNull();
  });

  it("keeps values raw without automatic deserialization", async () => {
    await raw.set("raw:num", "00123");
    await raw.set("raw:json", '{"a":1}');
    expect(await raw.get("raw:num")).toBe("00123");
    expect(await raw.get("raw:json")).toBe('{"a":1}');
    // With deserialization on, the same JSON text comes back parsed.
    expect(await redis.get("raw:json")).toEqual({ a: 1 });
  });

  it("counts with INCR and expires keys", async () => {
    expect(await redis.incr("counter")).toBe(1);
    expect(await redis.incrby("counter", 41)).toBe(42);
    expect(await redis.ttl("counter")).toBe(-1);
    expect(await redis.expire("counter", 100)).toBe(1);
    const ttl = await redis.ttl("counter");
    expect(ttl).toBeGreaterThan(95);
    expect(ttl).toBeLessThanOrEqual(100);
    expect(await redis.ttl("no-such-key")).toBe(-2);
  });

  it("reads hashes with HGETALL as objects", async () => {
    expect(await redis.hset("h", { name: "ada", age: 36, tags: ["x", "y"] })).toBe(3);
    expect(await redis.hgetall("h")).toEqual({ name: "ada", age: 36, tags: ["x", "y"] });
    expect(await redis.hget("h", "name")).toBe("ada");
    expect(await redis.hgetall("h:missing")).toBeNull();
  });

  it("returns sorted sets with scores", async () => {
    await redis.zadd("z", { score: 2.5, member: "b" }, { score: 1, member: "a" }, { score: -3, member: "c" });
    expect(await redis.zrange("z", 0, -1)).toEqual(["c", "a", "b"]);
    expect(await redis.zrange("z", 0, -1, { withScores: true })).toEqual(["c", -3, "a", 1, "b", 2.5]);
    expect(await redis.zscore("z", "b")).toBe(2.5);
  });

  it("runs pipelines and keeps per-command errors", async () => {
    const p = redis.pipeline();
    p.set("p:a", "x");
    p.incr("p:a");
    p.incr("p:n");
    p.get("p:a");
    const results = await p.exec({ keepErrors: true });
    expect(results.map((r) => r.error ?? null)).toEqual([
      null,
      "ERR value is not an integer or out of range",
      null,
      null,
    ]);
    expect(results[2]?.result).toBe(1);
    expect(results[3]?.result).toBe("x");
  });

  it("runs multi-exec transactions atomically", async () => {
    const tx = redis.multi();
    tx.set("tx:a", 1);
    tx.incr("tx:a");
    tx.lpush("tx:list", "x", "y");
    tx.lrange("tx:list", 0, -1);
    expect(await tx.exec()).toEqual(["OK", 2, 2, ["y", "x"]]);
  });

  it("is atomic under concurrent transactions", async () => {
    await Promise.all(
      Array.from({ length: 50 }, () => {
        const tx = redis.multi();
        tx.incr("tx:x");
        tx.incr("tx:y");
        return tx.exec();
      }),
    );
    expect(await redis.mget("tx:x", "tx:y")).toEqual([50, 50]);
  });

  it("serves 200 concurrent increments without losing any", async () => {
    await Promise.all(Array.from({ length: 200 }, () => redis.incr("concurrent")));
    expect(await redis.get("concurrent")).toBe(200);
  });

  it("falls back from EVALSHA to EVAL in createScript, then EVALSHA works", async () => {
    await redis.scriptFlush();
    const script = redis.createScript<number>(
      // KEYS[1]: counter key; ARGV[1]: increment (integer)
      "return redis.call('INCRBY', KEYS[1], ARGV[1])",
    );
    await expect(script.evalsha(["lua:n"], ["5"])).rejects.toThrow(/NOSCRIPT/);
    expect(await script.exec(["lua:n"], ["5"])).toBe(5);
    // EVAL cached the script, so EVALSHA alone now succeeds.
    expect(await script.evalsha(["lua:n"], ["2"])).toBe(7);
    const sha = await redis.scriptLoad("return 1");
    expect(await redis.scriptExists(sha)).toEqual([1]);
  });

  it("returns Lua tables as nested arrays", async () => {
    const result = await redis.eval<[], unknown>("return {1, 'two', {3, 'four'}, false}", [], []);
    expect(result).toEqual([1, "two", [3, "four"], null]);
  });

  it("surfaces Redis errors as thrown errors with the Redis message", async () => {
    await redis.set("e:str", "not a number");
    await expect(redis.incr("e:str")).rejects.toThrow(/ERR value is not an integer or out of range/);
    await expect(redis.eval("return redis.call('NOPE')", [], [])).rejects.toThrow(/Unknown Redis command/i);
    await expect(redis.lpush("e:str", "x")).rejects.toThrow(/WRONGTYPE/);
  });

  it("rejects a wrong token with 401", async () => {
    const intruder = new Redis({ url: shim.url, token: "wrong-token", retry: false });
    await expect(intruder.get("s:plain")).rejects.toThrow(/Unauthorized/);
    const res = await fetch(`${shim.url}/get/s:plain`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "Unauthorized" });
  });
});

describe("upstash shim REST wire format", () => {
  it("answers single commands with {result} and errors with 400 {error}", async () => {
    expect(await rest("/", ["SET", "w:k", "v", "EX", 100])).toEqual({ status: 200, body: { result: "OK" } });
    expect(await rest("/", ["GET", "w:k"])).toEqual({ status: 200, body: { result: "v" } });
    expect(await rest("/", ["NOPE"])).toEqual({
      status: 400,
      body: { error: expect.stringMatching(/^ERR unknown command 'NOPE'/) },
    });
    expect((await rest("/", { not: "an array" })).status).toBe(400);
  });

  it("base64-encodes every string (nested too) but not integers, nil or OK", async () => {
    const b64 = { "upstash-encoding": "base64" };
    const enc = (s: string) => Buffer.from(s).toString("base64");
    expect(await rest("/", ["SET", "w:b", "bär"], b64)).toEqual({ status: 200, body: { result: "OK" } });
    expect(await rest("/", ["GET", "w:b"], b64)).toEqual({ status: 200, body: { result: enc("bär") } });
    await rest("/", ["ZADD", "w:z", 1.5, "m"]);
    expect((await rest("/", ["ZRANGE", "w:z", 0, -1, "WITHSCORES"], b64)).body).toEqual({
      result: [enc("m"), enc("1.5")],
    });
    expect((await rest("/pipeline", [["STRLEN", "w:b"], ["GET", "w:none"], ["PING"]], b64)).body).toEqual([
      { result: 4 },
      { result: null },
      { result: enc("PONG") },
    ]);
    expect((await rest("/", ["EVAL", "return {1, {'x', 2}}", 0], b64)).body).toEqual({ result: [1, [enc("x"), 2]] });
  });

  it("is binary safe for values sent as a raw POST body", async () => {
    const bytes = Buffer.from([0, 255, 254, 13, 10, 0x80, 0x41]);
    const set = await fetch(`${shim.url}/set/w:bin`, {
      method: "POST",
      headers: { authorization: `Bearer ${shim.token}` },
      body: bytes,
    });
    expect(await set.json()).toEqual({ result: "OK" });
    const get = await fetch(`${shim.url}/get/w:bin?_token=${shim.token}`, {
      headers: { "upstash-encoding": "base64" },
    });
    expect(await get.json()).toEqual({ result: bytes.toString("base64") });
  });

  it("supports path-style commands with query options", async () => {
    const auth = { authorization: `Bearer ${shim.token}` };
    const set = await fetch(`${shim.url}/set/w:path/hello%20there/EX/100`, { headers: auth });
    expect(await set.json()).toEqual({ result: "OK" });
    expect(await (await fetch(`${shim.url}/get/w:path`, { headers: auth })).json()).toEqual({ result: "hello there" });
    const post = await fetch(`${shim.url}/set/w:path2?EX=50`, { method: "POST", headers: auth, body: "posted" });
    expect(await post.json()).toEqual({ result: "OK" });
    expect(await (await fetch(`${shim.url}/ttl/w:path2`, { headers: auth })).json()).toEqual({ result: 50 });
  });

  it("discards a whole multi-exec when one command is rejected at queue time", async () => {
    await rest("/", ["SET", "w:tx", "before"]);
    const res = await rest("/multi-exec", [
      ["SET", "w:tx", "after"],
      ["NOPE", "x"],
    ]);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringMatching(/unknown command 'NOPE'/) });
    expect((await rest("/", ["GET", "w:tx"])).body).toEqual({ result: "before" });
  });

  it("refuses commands that would change a pooled connection's state", async () => {
    expect((await rest("/", ["SELECT", 1])).status).toBe(400);
    expect((await rest("/pipeline", [["MULTI"], ["PING"]])).body).toEqual([
      { error: expect.stringMatching(/not available/) },
      { result: "PONG" },
    ]);
  });
});

describe("startRedis", () => {
  it("stops by PID, and refuses a port that another server holds", async () => {
    const second = await startRedis();
    await expect(startRedis({ port: second.port })).rejects.toThrow(/exited early[\s\S]*in use/);
    await second.stop();
    await expect(RedisConnection.open(second.port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it("names the package to install when redis-server is missing", async () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      const failure = startRedis();
      await expect(failure).rejects.toBeInstanceOf(MissingDependencyError);
      await expect(failure).rejects.toThrow("sudo apt-get install -y --no-install-recommends redis-server");
    } finally {
      process.env.PATH = path;
    }
  });
});

describe("RESP layer", () => {
  it("parses replies split at every possible byte boundary", () => {
    const wire = Buffer.concat([
      Buffer.from("+OK\r\n-ERR boom\r\n:-42\r\n$-1\r\n*-1\r\n$0\r\n\r\n"),
      Buffer.from("$4\r\n\r\n\x00\xff\r\n", "latin1"),
      Buffer.from("*3\r\n:1\r\n*2\r\n$1\r\nx\r\n$-1\r\n+QUEUED\r\n"),
    ]);
    const expected: RespReply[] = [
      "OK",
      new RedisReplyError("ERR boom"),
      -42,
      null,
      null,
      Buffer.alloc(0),
      Buffer.from([13, 10, 0, 255]),
      [1, [Buffer.from("x"), null], "QUEUED"],
    ];
    for (let cut = 0; cut <= wire.length; cut++) {
      const replies: RespReply[] = [];
      const parser = new RespParser((r) => replies.push(r));
      parser.push(wire.subarray(0, cut));
      for (const byte of wire.subarray(cut)) parser.push(Buffer.from([byte]));
      expect(replies).toEqual(expected);
    }
  });

  it("encodes binary arguments byte for byte", async () => {
    const bytes = Buffer.from([0, 13, 10, 255, 36]);
    expect(encodeCommand(["SET", bytes, "é"])).toEqual(
      Buffer.concat([Buffer.from("*3\r\n$3\r\nSET\r\n$5\r\n"), bytes, Buffer.from("\r\n$2\r\né\r\n")]),
    );
    const conn = await RedisConnection.open(redisServer.port);
    try {
      expect(await conn.send(["SET", "resp:bin", bytes])).toBe("OK");
      expect(await conn.send(["GET", "resp:bin"])).toEqual(bytes);
    } finally {
      conn.close();
    }
  });

  it("moves an 8 MiB value through the shim intact", async () => {
    const big = "0123456789abcdef".repeat(512 * 1024);
    await raw.set("big", big);
    const back = await raw.get<string>("big");
    expect(back?.length).toBe(big.length);
    expect(back === big).toBe(true);
  });
});

describe("upstash shim latency", () => {
  it("serves 1000 sequential GETs through @upstash/redis", async () => {
    await redis.set("lat", "x");
    for (let i = 0; i < 100; i++) await redis.get("lat");
    const started = performance.now();
    for (let i = 0; i < 1000; i++) await redis.get("lat");
    const perCall = (performance.now() - started) / 1000;
    console.log(`upstash shim: ${perCall.toFixed(3)} ms per sequential GET (client → HTTP → redis-server)`);
    // Generous bound for a shared 2-core machine; catches pathological regressions (e.g. Nagle stalls ≈ 40 ms).
    expect(perCall).toBeLessThan(15);
  });
});
