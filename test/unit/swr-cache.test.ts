/** The stale-while-revalidate cache (workers/lib/swr-cache.ts) with an injected clock. */
import { describe, expect, it } from "vitest";
import { SwrCache } from "../../workers/lib/swr-cache.ts";

function harness() {
  let now = 1_000;
  const background: Promise<unknown>[] = [];
  const errors: string[] = [];
  const cache = new SwrCache<number>({ freshMs: 10, maxAgeMs: 30, retryMs: 5, onError: (k) => errors.push(k) });
  let loads = 0;
  let fail = false;
  const load = async () => {
    loads += 1;
    if (fail) throw new Error("down");
    return loads;
  };
  return {
    cache,
    clock: () => now,
    tick: (ms: number) => {
      now += ms;
    },
    get: () =>
      cache.get(
        "k",
        now,
        load,
        (p) => background.push(p),
        () => now,
      ),
    peek: () =>
      cache.peek(
        "k",
        now,
        load,
        (p) => background.push(p),
        () => now,
      ),
    settle: () => Promise.all(background.splice(0)),
    loads: () => loads,
    setFail: (v: boolean) => {
      fail = v;
    },
    errors,
  };
}

describe("SwrCache", () => {
  it("loads once, serves fresh, revalidates stale in the background, reloads when too old", async () => {
    const h = harness();
    expect(await h.get()).toBe(1);
    h.tick(5);
    expect(await h.get()).toBe(1);
    expect(h.loads()).toBe(1);
    h.tick(10); // stale: served, one background reload
    const [stale, again] = [h.get(), h.get()];
    expect(await stale).toBe(1);
    expect(await again).toBe(1);
    await h.settle();
    expect(h.loads()).toBe(2);
    expect(await h.get()).toBe(2);
    h.tick(31); // too old: waits for the load
    expect(await h.get()).toBe(3);
  });

  it("coalesces concurrent loads of one key", async () => {
    const h = harness();
    const [a, b] = await Promise.all([h.get(), h.get()]);
    expect([a, b, h.loads()]).toEqual([1, 1, 1]);
  });

  it("peek never waits: undefined first, the value once the background load landed", async () => {
    const h = harness();
    expect(h.peek()).toBeUndefined();
    await h.settle();
    expect(h.peek()).toBe(1);
  });

  it("keeps the old value when a background reload fails, and waits retryMs before the next", async () => {
    const h = harness();
    await h.get();
    h.tick(12);
    h.setFail(true);
    expect(await h.get()).toBe(1);
    await h.settle();
    expect(h.errors).toEqual(["k"]);
    expect(await h.get()).toBe(1); // within retryMs: no new reload
    await h.settle();
    expect(h.loads()).toBe(2);
    h.tick(6);
    h.setFail(false);
    expect(await h.get()).toBe(1);
    await h.settle();
    expect(await h.get()).toBe(3);
  });
});
