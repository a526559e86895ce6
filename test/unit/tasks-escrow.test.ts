/** The pure escrow rules (workers/tasks/escrow.ts): hold amount, reward split, and what the alarm does. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeFees } from "../../workers/credit/fees.ts";
import { escrowAction, holdAmountFor, ORPHAN_GRACE_MS, rewardSplit } from "../../workers/tasks/escrow.ts";

const SOLVER = "Solver1111111111111111111111111111111111111";
const NOW = 1_800_000_000_000;

describe("reward split", () => {
  it("holds reward + buyer fee and pays reward − seller fee (5 % each by default)", () => {
    expect(holdAmountFor(1_000_000n)).toBe(1_050_000n);
    expect(rewardSplit(1_000_000n, 1_050_000n)).toEqual({
      charge: 1_050_000n,
      sellerPayout: 950_000n,
      platformFee: 100_000n,
    });
  });

  it("charge = payout + fee exactly, and equals computeFees for any reward", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1_000_000_000_000n }), (reward) => {
        const split = rewardSplit(reward, holdAmountFor(reward));
        const fees = computeFees(reward);
        expect(split.charge).toBe(split.sellerPayout + split.platformFee);
        expect(split).toEqual({ charge: fees.charge, sellerPayout: fees.sellerPayout, platformFee: fees.platformFee });
        expect(split.sellerPayout).toBeLessThanOrEqual(reward);
      }),
    );
  });

  it("refuses a hold smaller than the reward", () => {
    expect(() => rewardSplit(100n, 99n)).toThrow(RangeError);
  });
});

describe("escrowAction", () => {
  const row = { solver: SOLVER, reward: 500n, reviewDeadline: NOW };

  it("captures approved and released tasks", () => {
    expect(escrowAction({ ...row, status: "approved" }, 0, NOW)).toEqual({
      kind: "capture",
      solver: SOLVER,
      reward: 500n,
    });
    expect(escrowAction({ ...row, status: "released" }, 0, NOW)).toEqual({
      kind: "capture",
      solver: SOLVER,
      reward: 500n,
    });
  });

  it("auto-releases a submitted task at its review deadline, not before", () => {
    expect(escrowAction({ ...row, status: "submitted" }, 0, NOW - 1)).toEqual({ kind: "recheck", at: NOW });
    expect(escrowAction({ ...row, status: "submitted" }, 0, NOW)).toEqual({
      kind: "auto_release",
      solver: SOLVER,
      reward: 500n,
    });
  });

  it("releases the hold of a cancelled task, and of a task row that never appeared after the grace", () => {
    expect(escrowAction({ ...row, status: "cancelled", solver: null }, 0, NOW)).toEqual({ kind: "release" });
    expect(escrowAction(null, NOW, NOW + 1)).toEqual({ kind: "recheck", at: NOW + ORPHAN_GRACE_MS });
    expect(escrowAction(null, NOW, NOW + ORPHAN_GRACE_MS)).toEqual({ kind: "release" });
  });

  it("leaves open, claimed and disputed tasks alone (disputed is frozen)", () => {
    for (const status of ["open", "claimed", "disputed"] as const) {
      expect(escrowAction({ ...row, status }, 0, NOW + 10 ** 9)).toEqual({ kind: "idle" });
    }
  });
});
