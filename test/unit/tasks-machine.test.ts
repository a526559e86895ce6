/**
 * The bounty-board state machine (workers/tasks/machine.ts): every legal transition, every illegal
 * one, and properties over arbitrary snapshots, actions, actors and times.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TASK_STATUSES, type TaskStatus } from "../../workers/tasks/interface.ts";
import {
  type Actor,
  applyPatch,
  FINAL_STATUSES,
  type TaskAction,
  type TaskSnapshot,
  transition,
} from "../../workers/tasks/machine.ts";

const POSTER = "Poster1111111111111111111111111111111111111";
const SOLVER = "Solver1111111111111111111111111111111111111";
const STRANGER = "Strangr111111111111111111111111111111111111";
const NOW = 1_800_000_000_000;

const poster: Actor = { wallet: POSTER };
const solver: Actor = { wallet: SOLVER };
const stranger: Actor = { wallet: STRANGER };
const system: Actor = { system: true };

function task(status: TaskStatus, extra: Partial<TaskSnapshot> = {}): TaskSnapshot {
  const hasSolver = status !== "open" && status !== "cancelled";
  const submitted = status === "submitted" || status === "approved" || status === "released";
  return {
    status,
    poster: POSTER,
    solver: hasSolver ? SOLVER : null,
    deadline: null,
    reviewDeadline: submitted ? NOW + 60_000 : null,
    reviewWindowSeconds: 60,
    ...extra,
  };
}

const claim: TaskAction = { type: "claim" };
const submit: TaskAction = { type: "submit", work: '{"kind":"text","value":"done"}' };
const approve: TaskAction = { type: "approve" };
const reject: TaskAction = { type: "reject" };
const cancel: TaskAction = { type: "cancel" };
const dispute: TaskAction = { type: "dispute", reason: "no work" };
const autoRelease: TaskAction = { type: "auto_release" };

function ok(result: ReturnType<typeof transition>) {
  if (!result.ok) throw new Error(`expected a transition, got ${result.code}: ${result.message}`);
  return result;
}

describe("legal transitions", () => {
  it("open → claimed by anyone but the poster", () => {
    const r = ok(transition(task("open"), claim, solver, NOW));
    expect(r).toEqual({ ok: true, from: "open", patch: { status: "claimed", solver: SOLVER, claimedAt: NOW } });
  });

  it("claimed → submitted by the solver, with the review deadline = now + window", () => {
    const r = ok(transition(task("claimed"), submit, solver, NOW));
    expect(r.from).toBe("claimed");
    expect(r.patch).toMatchObject({ status: "submitted", submittedAt: NOW, reviewDeadline: NOW + 60_000 });
  });

  it("submitted → approved by the poster (also after the review deadline, before the alarm)", () => {
    expect(ok(transition(task("submitted"), approve, poster, NOW)).patch).toEqual({
      status: "approved",
      resolvedAt: NOW,
    });
    expect(ok(transition(task("submitted"), approve, poster, NOW + 120_000)).patch.status).toBe("approved");
  });

  it("submitted → released by the platform once the review window has ended", () => {
    const r = ok(transition(task("submitted"), autoRelease, system, NOW + 60_000));
    expect(r.patch).toEqual({ status: "released", resolvedAt: NOW + 60_000 });
  });

  it("submitted → open (reject) by the poster during the review window, clearing the solver", () => {
    const r = ok(transition(task("submitted"), reject, poster, NOW));
    expect(r.from).toBe("submitted");
    expect(r.patch).toEqual({
      status: "open",
      solver: null,
      submission: null,
      claimedAt: null,
      submittedAt: null,
      reviewDeadline: null,
    });
  });

  it("claimed → open (reject) by the poster once the work deadline has passed", () => {
    const r = ok(transition(task("claimed", { deadline: NOW - 1 }), reject, poster, NOW));
    expect(r.from).toBe("claimed");
    expect(r.patch.status).toBe("open");
  });

  it("open → cancelled by the poster", () => {
    expect(ok(transition(task("open"), cancel, poster, NOW)).patch).toEqual({ status: "cancelled", resolvedAt: NOW });
  });

  it("claimed/submitted → disputed by either party", () => {
    for (const status of ["claimed", "submitted"] as const) {
      for (const actor of [poster, solver]) {
        const r = ok(transition(task(status), dispute, actor, NOW));
        expect(r.patch).toEqual({
          status: "disputed",
          disputedBy: "wallet" in actor ? actor.wallet : null,
          disputeReason: "no work",
        });
      }
    }
  });
});

describe("illegal transitions", () => {
  const cases: Array<[string, TaskSnapshot, TaskAction, Actor, "conflict" | "forbidden", number?]> = [
    ["double claim", task("claimed"), claim, stranger, "conflict"],
    ["claim of a submitted task", task("submitted"), claim, stranger, "conflict"],
    ["poster claims own task", task("open"), claim, poster, "forbidden"],
    ["claim after the deadline", task("open", { deadline: NOW }), claim, solver, "conflict"],
    ["claim of a cancelled task", task("cancelled"), claim, solver, "conflict"],
    ["submit by a non-solver", task("claimed"), submit, stranger, "forbidden"],
    ["submit by the poster", task("claimed"), submit, poster, "forbidden"],
    ["submit to an open task", task("open"), submit, solver, "conflict"],
    ["submit twice", task("submitted"), submit, solver, "conflict"],
    ["submit after the deadline", task("claimed", { deadline: NOW - 5 }), submit, solver, "conflict"],
    ["approve by a stranger", task("submitted"), approve, stranger, "forbidden"],
    ["approve by the solver", task("submitted"), approve, solver, "forbidden"],
    ["approve before submission", task("claimed"), approve, poster, "conflict"],
    ["approve twice", task("approved"), approve, poster, "conflict"],
    ["approve after auto-release", task("released"), approve, poster, "conflict"],
    ["approve a disputed task", task("disputed"), approve, poster, "conflict"],
    ["cancel after claim", task("claimed"), cancel, poster, "conflict"],
    ["cancel after submit", task("submitted"), cancel, poster, "conflict"],
    ["cancel by a stranger", task("open"), cancel, stranger, "forbidden"],
    ["cancel twice", task("cancelled"), cancel, poster, "conflict"],
    ["reject by the solver", task("submitted"), reject, solver, "forbidden"],
    ["reject an open task", task("open"), reject, poster, "conflict"],
    ["reject a claimed task before its deadline", task("claimed"), reject, poster, "conflict"],
    ["reject a claimed task without a deadline", task("claimed", { deadline: null }), reject, poster, "conflict"],
    ["reject after the review window", task("submitted"), reject, poster, "conflict", NOW + 60_000],
    ["dispute by a stranger", task("submitted"), dispute, stranger, "forbidden"],
    ["dispute an open task", task("open"), dispute, poster, "conflict"],
    ["dispute twice", task("disputed"), dispute, solver, "conflict"],
    ["dispute after the review window", task("submitted"), dispute, poster, "conflict", NOW + 60_000],
    ["dispute an approved task", task("approved"), dispute, solver, "conflict"],
    ["auto-release during the review window", task("submitted"), autoRelease, system, "conflict"],
    ["auto-release by a wallet", task("submitted"), autoRelease, poster, "forbidden", NOW + 60_000],
    ["auto-release of an approved task", task("approved"), autoRelease, system, "conflict", NOW + 60_000],
    ["auto-release of a disputed task", task("disputed"), autoRelease, system, "conflict", NOW + 60_000],
    ["the platform approving", task("submitted"), approve, system, "forbidden"],
  ];
  it.each(cases)("%s → %s", (_name, snapshot, action, actor, code, at) => {
    const r = transition(snapshot, action, actor, at ?? NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.message.length).toBeGreaterThan(10);
    }
  });
});

/** Every edge of the machine; anything else must be refused. */
const EDGES = new Set([
  "open>claimed",
  "claimed>submitted",
  "submitted>approved",
  "submitted>released",
  "open>cancelled",
  "submitted>open",
  "claimed>open",
  "claimed>disputed",
  "submitted>disputed",
]);

const wallets = [POSTER, SOLVER, STRANGER];
const snapshotArb: fc.Arbitrary<TaskSnapshot> = fc
  .record({
    status: fc.constantFrom(...TASK_STATUSES),
    solver: fc.constantFrom(SOLVER, STRANGER),
    deadline: fc.option(fc.integer({ min: NOW - 10_000, max: NOW + 10_000 })),
    reviewDeadline: fc.integer({ min: NOW - 10_000, max: NOW + 10_000 }),
    reviewWindowSeconds: fc.integer({ min: 1, max: 3600 }),
  })
  .map((r) => {
    const base = task(r.status);
    return {
      ...base,
      deadline: r.deadline,
      reviewWindowSeconds: r.reviewWindowSeconds,
      solver: base.solver === null ? null : r.solver,
      reviewDeadline: base.reviewDeadline === null ? null : r.reviewDeadline,
    };
  });
const actionArb: fc.Arbitrary<TaskAction> = fc.constantFrom(
  claim,
  submit,
  approve,
  reject,
  cancel,
  dispute,
  autoRelease,
);
const actorArb: fc.Arbitrary<Actor> = fc.oneof(
  fc.constantFrom(...wallets).map((wallet) => ({ wallet })),
  fc.constant(system),
);
const nowArb = fc.integer({ min: NOW - 20_000, max: NOW + 20_000 });

describe("properties", () => {
  it("every accepted transition is an edge of the machine, from the snapshot's own status", () => {
    fc.assert(
      fc.property(snapshotArb, actionArb, actorArb, nowArb, (t, action, actor, now) => {
        const r = transition(t, action, actor, now);
        if (!r.ok) return;
        expect(r.from).toBe(t.status);
        expect(EDGES.has(`${r.from}>${r.patch.status}`)).toBe(true);
      }),
    );
  });

  it("final and disputed tasks accept nothing", () => {
    fc.assert(
      fc.property(
        snapshotArb.filter((t) => FINAL_STATUSES.includes(t.status) || t.status === "disputed"),
        actionArb,
        actorArb,
        nowArb,
        (t, action, actor, now) => {
          expect(transition(t, action, actor, now).ok).toBe(false);
        },
      ),
    );
  });

  it("only the right party moves money: approve/reject/cancel by the poster, submit by the solver, release by the platform", () => {
    fc.assert(
      fc.property(snapshotArb, actionArb, actorArb, nowArb, (t, action, actor, now) => {
        const r = transition(t, action, actor, now);
        if (!r.ok) return;
        const who = "wallet" in actor ? actor.wallet : "system";
        if (action.type === "approve" || action.type === "reject" || action.type === "cancel") expect(who).toBe(POSTER);
        if (action.type === "submit") expect(who).toBe(t.solver);
        if (action.type === "claim") expect(who).not.toBe(POSTER);
        if (action.type === "dispute") expect([POSTER, t.solver]).toContain(who);
        if (action.type === "auto_release") expect(who).toBe("system");
      }),
    );
  });

  it("after any transition the row meets the table's CHECKs (solver ⇔ status, submission ⇒ review deadline)", () => {
    fc.assert(
      fc.property(snapshotArb, actionArb, actorArb, nowArb, (t, action, actor, now) => {
        const r = transition(t, action, actor, now);
        if (!r.ok) return;
        const next = applyPatch(t, r.patch);
        if (next.status === "open") expect(next.solver).toBeNull();
        if (["claimed", "submitted", "approved", "released"].includes(next.status)) {
          expect(next.solver).not.toBeNull();
          expect(next.solver).not.toBe(t.poster);
        }
        if (["submitted", "approved", "released"].includes(next.status)) expect(next.reviewDeadline).not.toBeNull();
      }),
    );
  });

  it("reject, dispute-after-submit and auto-release split time exactly at the review deadline", () => {
    fc.assert(
      fc.property(
        snapshotArb.filter((t) => t.status === "submitted"),
        nowArb,
        (t, now) => {
          const released = transition(t, autoRelease, system, now).ok;
          const rejected = transition(t, reject, poster, now).ok;
          const disputed = transition(t, dispute, { wallet: t.solver! }, now).ok;
          // Exactly one side of the deadline: the poster's window or the solver's reward.
          expect(released).toBe(!rejected);
          expect(disputed).toBe(rejected);
        },
      ),
    );
  });
});
