import { describe, expect, it } from "vitest";
import { decideCronRun } from "../../workers/cron/decide.ts";

describe("decideCronRun", () => {
  it("settles on the ten-minute trigger once settlement is enabled", () => {
    expect(decideCronRun("*/10 * * * *", true)).toEqual({ action: "settle" });
  });
  it("skips, saying why, while settlement is not enabled", () => {
    expect(decideCronRun("*/10 * * * *", false)).toEqual({
      action: "skip",
      reason: "settlement not enabled in this build",
    });
  });
  it("skips unknown triggers", () => {
    expect(decideCronRun("0 0 * * *", true)).toMatchObject({ action: "skip" });
  });
});
