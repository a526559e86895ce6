// The bounty board: tasks with a status filter, one task with the actions its caller may take
// (claim, submit, approve, reject, cancel, dispute — each behind a confirmation), and the form that
// posts a task with a live preview of the hold (reward + buyer fee, from app/fees.js).
import { ApiError, api } from "../api.js";
import { h, icon, mount } from "../dom.js";
import { computeFees } from "../fees.js";
import { formatUsdc, parseUsdc } from "../money.js";
import { go, hashQuery } from "../route.js";
import { shortAddress, wallet } from "../session.js";
import {
  badge,
  card,
  confirmDialog,
  copyButton,
  dateTime,
  empty,
  errorText,
  field,
  load,
  pageHeader,
  statusBadge,
  table,
  toast,
} from "../ui.js";

/**
 * @typedef {{ kind: "url" | "text" | "hash", value: string }} WorkReference
 * @typedef {{ id: string, poster: string, title: string, description: string, reward: string, holdAmount: string, solverPayout: string, status: string, solver: string | null, submission: WorkReference | null, reviewWindowSeconds: number, deadline: string | null, reviewDeadline: string | null, claimedAt: string | null, submittedAt: string | null, resolvedAt: string | null, disputedBy: string | null, disputeReason: string | null, createdAt: string, updatedAt: string }} Task
 * @typedef {{ tasks: Task[], nextCursor: string | null }} TaskPage
 */

export const TASK_STATUSES = ["open", "claimed", "submitted", "approved", "released", "cancelled", "disputed"];

/** @type {Record<string, string>} */
const STATUS_TEXT = {
  open: "Open: waiting for a solver to claim it.",
  claimed: "Claimed: the solver is working on it.",
  submitted: "Submitted: the poster reviews the work.",
  approved: "Approved: the solver is paid in the next settlement.",
  released: "Released: the review window passed, so the solver was paid automatically.",
  cancelled: "Cancelled: the hold went back to the poster.",
  disputed: "Disputed: frozen until the platform resolves it.",
};

/**
 * A wallet for display: "you", or its short form with the full address as a tooltip.
 * @param {string | null} address
 */
function party(address) {
  if (address === null) return h("span", { class: "muted" }, "—");
  if (address === wallet()) return badge("you", "accent");
  return h("span", { class: "mono", title: address }, shortAddress(address));
}

/** @param {number} seconds */
export function durationText(seconds) {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day${seconds === 86_400 ? "" : "s"}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? "" : "s"}`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** @param {string | null} iso */
function passed(iso) {
  return iso !== null && new Date(iso).getTime() <= Date.now();
}

/** @param {Task} t */
function taskRow(t) {
  return [
    h(
      "div",
      { class: "cell-main" },
      h("a", { href: `#/tasks/${t.id}`, class: "strong" }, t.title),
      h("span", { class: "muted small mono" }, t.id.slice(0, 8)),
    ),
    statusBadge(t.status),
    h("strong", {}, `${formatUsdc(t.reward)} USDC`),
    party(t.poster),
    party(t.solver),
    dateTime(t.createdAt),
  ];
}

/** @param {import("../main.js").ViewContext} ctx */
export function tasksView(ctx) {
  const wanted = hashQuery().get("status") ?? "";
  const status = h(
    "select",
    { name: "status", id: "f-task-status" },
    h("option", { value: "" }, "All statuses"),
    ...TASK_STATUSES.map((s) => h("option", { value: s, selected: s === wanted }, s)),
  );
  const whose = h(
    "select",
    { name: "whose", id: "f-task-whose" },
    h("option", { value: "" }, "Everyone's"),
    h("option", { value: "poster" }, "Posted by me"),
    h("option", { value: "solver" }, "Claimed by me"),
  );
  const minReward = h("input", {
    name: "minReward",
    id: "f-task-min",
    inputmode: "decimal",
    placeholder: "any",
    autocomplete: "off",
  });
  const results = h("div", { "aria-live": "polite" });
  const me = wallet() ?? "";

  /** @param {string | null} cursor */
  const query = (cursor) => {
    const q = new URLSearchParams();
    if (status.value) q.set("status", status.value);
    if (whose.value) q.set(whose.value, me);
    const min = parseUsdc(minReward.value);
    if (min !== null && minReward.value.trim() !== "") q.set("minReward", min.toString());
    q.set("limit", "25");
    if (cursor) q.set("cursor", cursor);
    return `/v1/tasks?${q}`;
  };

  const refresh = () => {
    minReward.setAttribute(
      "aria-invalid",
      minReward.value.trim() !== "" && parseUsdc(minReward.value) === null ? "true" : "false",
    );
    return load(
      results,
      () => api(query(null), { signal: ctx.signal }),
      (/** @type {TaskPage} */ page) => {
        if (page.tasks.length === 0) {
          return card(
            "Tasks",
            empty(
              status.value || whose.value || minReward.value ? "No tasks match" : "No tasks yet",
              "Post a task with a USDC reward: it is held from your balance and paid to the solver on approval.",
              h("a", { class: "btn btn-primary", href: "#/tasks/new" }, icon("plus", 16), "Post a task"),
            ),
          );
        }
        const rows = h("div");
        const tableEl = table(
          "Tasks",
          ["Task", "Status", "Reward", "Poster", "Solver", "Posted"],
          page.tasks.map(taskRow),
          { numeric: [2], testid: "tasks-table" },
        );
        rows.append(tableEl);
        const tbody = /** @type {HTMLElement} */ (tableEl.querySelector("tbody"));
        /** @param {string | null} cursor */
        const more = (cursor) => {
          if (!cursor) return null;
          const btn = h(
            "button",
            {
              class: "btn btn-secondary",
              type: "button",
              onclick: async () => {
                btn.disabled = true;
                try {
                  const next = /** @type {TaskPage} */ (await api(query(cursor), { signal: ctx.signal }));
                  for (const t of next.tasks) {
                    tbody.append(
                      h("tr", {}, ...taskRow(t).map((cell, i) => h("td", { class: i === 2 ? "num" : null }, cell))),
                    );
                  }
                  const replacement = more(next.nextCursor);
                  if (replacement) btn.replaceWith(replacement);
                  else btn.remove();
                } catch (err) {
                  btn.disabled = false;
                  toast(errorText(err), "bad");
                }
              },
            },
            "Load more",
          );
          return btn;
        };
        const moreBtn = more(page.nextCursor);
        return card("Tasks", [rows, moreBtn ? h("div", { class: "actions" }, moreBtn) : null], { wide: true });
      },
      { what: "the bounty board" },
    );
  };
  for (const control of [status, whose]) control.addEventListener("change", refresh);
  minReward.addEventListener("change", refresh);

  mount(
    ctx.main,
    pageHeader(
      "Bounties",
      "Tasks with a USDC reward. Claim one, submit your work and get paid on approval — or automatically when the poster does not review in time.",
      h(
        "a",
        { class: "btn btn-primary", href: "#/tasks/new", "data-testid": "new-task" },
        icon("plus", 16),
        "Post a task",
      ),
    ),
    card(
      "Filters",
      h(
        "form",
        {
          class: "filters",
          onsubmit: (e) => {
            e.preventDefault();
            refresh();
          },
        },
        h("div", { class: "field" }, h("label", { for: "f-task-status" }, "Status"), status),
        h("div", { class: "field" }, h("label", { for: "f-task-whose" }, "Whose"), whose),
        h("div", { class: "field" }, h("label", { for: "f-task-min" }, "Min reward (USDC)"), minReward),
      ),
    ),
    results,
  );
  refresh();
}

/**
 * The hold a reward takes from the poster's balance, previewed with the gateway's fee function.
 * @param {HTMLInputElement} rewardInput
 * @param {() => bigint | null} available the poster's available balance, once loaded
 */
export function holdPreview(rewardInput, available) {
  const out = h("div", { class: "fee-preview", "aria-live": "polite", "data-testid": "hold-preview" });
  const update = () => {
    const reward = parseUsdc(rewardInput.value);
    if (reward === null || reward <= 0n) {
      mount(out, h("p", { class: "muted small" }, "Enter a reward above 0 (up to 6 decimals) to see the hold."));
      rewardInput.setAttribute("aria-invalid", rewardInput.value.trim() === "" ? "false" : "true");
      return;
    }
    rewardInput.setAttribute("aria-invalid", "false");
    const f = computeFees(reward);
    const avail = available();
    mount(
      out,
      h(
        "div",
        { class: "fee-item" },
        h("span", {}, "Held from your balance"),
        h("strong", { "data-testid": "hold-amount" }, `${formatUsdc(f.charge)} USDC`),
        h("span", { class: "muted small" }, `reward + ${formatUsdc(f.buyerFee)} fee`),
      ),
      h(
        "div",
        { class: "fee-item accent" },
        h("span", {}, "Solver receives"),
        h("strong", { "data-testid": "hold-payout" }, `${formatUsdc(f.sellerPayout)} USDC`),
        h("span", { class: "muted small" }, "reward − 5%"),
      ),
      h(
        "div",
        { class: "fee-item" },
        h("span", {}, "Available after posting"),
        h("strong", { "data-testid": "hold-after" }, avail === null ? "—" : `${formatUsdc(avail - f.charge)} USDC`),
        avail !== null && avail < f.charge
          ? h("span", { class: "small bad-text" }, "More than your available balance")
          : h("span", { class: "muted small" }, "until the task ends"),
      ),
    );
  };
  rewardInput.addEventListener("input", update);
  update();
  return { element: out, update };
}

/** @param {import("../main.js").ViewContext} ctx */
export function newTaskView(ctx) {
  const title = h("input", { name: "title", required: true, maxlength: 200, autocomplete: "off" });
  const description = h("textarea", {
    name: "description",
    rows: 5,
    maxlength: 10_000,
    placeholder: "What to deliver, how you will judge it, where to put it…",
  });
  const reward = h("input", {
    name: "reward",
    required: true,
    inputmode: "decimal",
    placeholder: "2.5",
    autocomplete: "off",
  });
  const windowValue = h("input", { name: "reviewWindow", type: "number", min: 1, required: true, value: "1" });
  const windowUnit = h(
    "select",
    { name: "reviewWindowUnit" },
    h("option", { value: "60" }, "minutes"),
    h("option", { value: "3600" }, "hours"),
    h("option", { value: "86400", selected: true }, "days"),
  );
  const deadline = h("input", { name: "deadline", type: "datetime-local" });
  /** @type {bigint | null} */
  let available = null;
  const preview = holdPreview(reward, () => available);
  api("/v1/balance", { signal: ctx.signal })
    .then((/** @type {{ available: string }} */ b) => {
      available = BigInt(b.available);
      preview.update();
    })
    .catch(() => {});
  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });

  const form = h(
    "form",
    {
      class: "form-grid",
      "data-testid": "task-form",
      onsubmit: async (event) => {
        event.preventDefault();
        const micro = parseUsdc(reward.value);
        if (micro === null || micro <= 0n) {
          status.className = "form-status error";
          status.textContent = "Enter a reward above 0 with at most 6 decimals.";
          reward.focus();
          return;
        }
        const seconds = Number(windowValue.value) * Number(windowUnit.value);
        /** @type {Record<string, unknown>} */
        const body = {
          title: title.value.trim(),
          description: description.value,
          reward: micro.toString(),
          reviewWindowSeconds: seconds,
        };
        if (deadline.value) body.deadline = new Date(deadline.value).toISOString();
        const hold = computeFees(micro).charge;
        const ok = await confirmDialog({
          title: "Post this task?",
          text: `${formatUsdc(hold)} USDC (the reward plus the 5% fee) is held from your balance until the task is approved, released or cancelled.`,
          confirm: "Post task",
        });
        if (!ok) return;
        const submit = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
        submit.disabled = true;
        status.className = "form-status";
        status.textContent = "Holding the reward and posting the task…";
        try {
          const created = /** @type {Task} */ (await api("/v1/tasks", { body, signal: ctx.signal }));
          toast(`Task posted: ${formatUsdc(created.holdAmount)} USDC held`);
          go(`/tasks/${created.id}`);
        } catch (err) {
          status.className = "form-status error";
          status.textContent = errorText(err);
        } finally {
          submit.disabled = false;
        }
      },
    },
    h(
      "fieldset",
      {},
      h("legend", {}, "The task"),
      field("Title", title, "One line: what is to be done."),
      field("Description", description, "Acceptance criteria help the solver and make reviews quick."),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "Reward"),
      field("Reward (USDC)", reward, "What the work is worth to you; the solver receives it minus 5%."),
      preview.element,
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "Timing"),
      h(
        "div",
        { class: "grid three tight" },
        field("Review window", windowValue),
        field("Unit", windowUnit),
        field("Deadline (optional)", deadline),
      ),
      h(
        "p",
        { class: "hint" },
        "After a submission you have the review window to approve or reject; when it passes, the solver is paid automatically.",
      ),
    ),
    h(
      "div",
      { class: "actions" },
      h("button", { class: "btn btn-primary", type: "submit" }, "Post task"),
      h("a", { class: "btn btn-ghost", href: "#/tasks" }, "Cancel"),
    ),
    status,
  );

  mount(
    ctx.main,
    pageHeader("Post a task", "Escrowed in USDC: nobody can spend the reward while the task is live."),
    h(
      "div",
      { class: "form-layout" },
      card("Task details", form, { wide: true }),
      h(
        "aside",
        { class: "form-aside", "aria-label": "How it works" },
        card(
          "How it works",
          h(
            "ol",
            { class: "tips" },
            h("li", {}, "Posting holds the reward + 5% from your available balance."),
            h("li", {}, "One solver claims the task and submits a link, text or a content hash."),
            h("li", {}, "You approve (paid in the next settlement) or reject (the task reopens)."),
            h("li", {}, "Cancel any time while it is open: the whole hold comes back."),
            h("li", {}, "Either side can dispute a claimed or submitted task: the platform decides."),
          ),
        ),
      ),
    ),
  );
  title.focus();
}

/**
 * The actions the signed-in wallet may take on `t` now (the gateway enforces them all again).
 * @param {Task} t
 * @returns {{ claim: boolean, submit: boolean, approve: boolean, reject: boolean, cancel: boolean, dispute: boolean }}
 */
export function allowedActions(t) {
  const me = wallet();
  const poster = me === t.poster;
  const solver = me !== null && me === t.solver;
  const inReview = t.status === "submitted" && !passed(t.reviewDeadline);
  const claimedLate = t.status === "claimed" && passed(t.deadline);
  return {
    claim: t.status === "open" && !poster && !passed(t.deadline),
    submit: t.status === "claimed" && solver,
    approve: t.status === "submitted" && poster,
    reject: poster && (inReview || claimedLate),
    cancel: t.status === "open" && poster,
    dispute: (poster || solver) && (t.status === "claimed" || inReview),
  };
}

/**
 * @param {WorkReference} w
 */
function workView(w) {
  if (w.kind === "url") {
    return h(
      "a",
      { href: w.value, target: "_blank", rel: "noopener noreferrer nofollow", class: "break" },
      w.value,
      icon("external", 14),
    );
  }
  if (w.kind === "hash") return h("code", { class: "mono break" }, w.value);
  return h("div", { class: "work-text" }, w.value);
}

/**
 * @param {import("../main.js").ViewContext} ctx
 */
export function taskDetailView(ctx) {
  const id = (ctx.params[0] ?? "").toLowerCase();
  const body = h("div", { class: "stack-lg" });
  mount(ctx.main, body);
  const reload = () =>
    load(
      body,
      () => api(`/v1/tasks/${id}`, { signal: ctx.signal }),
      (/** @type {Task} */ t) => renderTask(t),
      { lines: 6, what: "this task" },
    );

  /**
   * Runs a transition after its confirmation, then shows the task as it is now.
   * @param {string} verb
   * @param {{ title: string, text: string, confirm: string, danger?: boolean }} dialog
   * @param {unknown} [payload]
   * @param {string} [done]
   */
  async function act(verb, dialog, payload, done) {
    if (!(await confirmDialog(dialog))) return;
    try {
      const updated = /** @type {Task} */ (
        await api(`/v1/tasks/${id}/${verb}`, { method: "POST", body: payload ?? {}, signal: ctx.signal })
      );
      toast(done ?? `Task ${updated.status}`);
      mount(body, ...renderTask(updated));
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") return;
      toast(errorText(err), "bad");
      if (err instanceof ApiError && err.status === 409) reload();
    }
  }

  /** @param {Task} t */
  function actionsCard(t) {
    const can = allowedActions(t);
    /** @type {import("../dom.js").Child[]} */
    const parts = [];
    const buttons = h("div", { class: "actions" });
    if (can.claim) {
      buttons.append(
        h(
          "button",
          {
            class: "btn btn-primary",
            type: "button",
            "data-testid": "task-claim",
            onclick: () =>
              act(
                "claim",
                {
                  title: "Claim this task?",
                  text: `You commit to deliver "${t.title}". Only one solver can hold it; you are paid ${formatUsdc(t.solverPayout)} USDC on approval.`,
                  confirm: "Claim task",
                },
                undefined,
                "Claimed: submit your work when it is ready",
              ),
          },
          "Claim task",
        ),
      );
    }
    if (can.approve) {
      buttons.append(
        h(
          "button",
          {
            class: "btn btn-primary",
            type: "button",
            "data-testid": "task-approve",
            onclick: () =>
              act(
                "approve",
                {
                  title: "Approve the work?",
                  text: `The solver is paid ${formatUsdc(t.solverPayout)} USDC in the next settlement; the ${formatUsdc(t.holdAmount)} USDC hold is spent. This cannot be undone.`,
                  confirm: "Approve and pay",
                },
                undefined,
                "Approved: the solver is paid in the next settlement",
              ),
          },
          "Approve and pay",
        ),
      );
    }
    if (can.reject) {
      buttons.append(
        h(
          "button",
          {
            class: "btn btn-secondary",
            type: "button",
            "data-testid": "task-reject",
            onclick: () =>
              act(
                "reject",
                {
                  title: "Reject and reopen?",
                  text: "The solver is not paid and the task opens for another solver. The hold stays in place.",
                  confirm: "Reject work",
                  danger: true,
                },
                undefined,
                "Rejected: the task is open again",
              ),
          },
          t.status === "claimed" ? "Reopen (deadline passed)" : "Reject work",
        ),
      );
    }
    if (can.cancel) {
      buttons.append(
        h(
          "button",
          {
            class: "btn btn-danger-ghost",
            type: "button",
            "data-testid": "task-cancel",
            onclick: () =>
              act(
                "cancel",
                {
                  title: "Cancel this task?",
                  text: `Nobody can claim it any more; the ${formatUsdc(t.holdAmount)} USDC hold returns to your balance.`,
                  confirm: "Cancel task",
                  danger: true,
                },
                undefined,
                `Cancelled: ${formatUsdc(t.holdAmount)} USDC released`,
              ),
          },
          icon("trash", 16),
          "Cancel task",
        ),
      );
    }
    if (buttons.childElementCount > 0) parts.push(buttons);
    if (can.submit) parts.push(submitForm(t));
    if (can.dispute) parts.push(disputeForm(t));
    if (parts.length === 0) {
      const why =
        t.status === "open" && t.poster === wallet()
          ? "Waiting for a solver."
          : t.status === "claimed" || t.status === "submitted"
            ? "Only the poster and the solver act on this task now."
            : "This task is finished: nothing more to do.";
      parts.push(h("p", { class: "muted", "data-testid": "task-no-actions" }, why));
    }
    return card("What you can do", parts, { id: "task-actions" });
  }

  /** @param {Task} t */
  function submitForm(t) {
    const kind = h(
      "select",
      { name: "kind" },
      h("option", { value: "url" }, "A link (https)"),
      h("option", { value: "text" }, "Text"),
      h("option", { value: "hash" }, "A content hash (sha256:…)"),
    );
    const value = h("textarea", { name: "work", rows: 3, required: true, maxlength: 8000, spellcheck: "false" });
    const placeholders = /** @type {Record<string, string>} */ ({
      url: "https://github.com/you/repo/pull/1",
      text: "The work itself, up to 8000 characters",
      hash: "sha256:<64 lowercase hex digits>",
    });
    const sync = () => {
      value.placeholder = placeholders[kind.value] ?? "";
    };
    kind.addEventListener("change", sync);
    sync();
    return h(
      "form",
      {
        class: "stack",
        "data-testid": "task-submit-form",
        onsubmit: (e) => {
          e.preventDefault();
          const work = { kind: kind.value, value: kind.value === "text" ? value.value : value.value.trim() };
          act(
            "submit",
            {
              title: "Submit this work?",
              text: `The poster then has ${durationText(t.reviewWindowSeconds)} to review it; if they do not, you are paid automatically.`,
              confirm: "Submit work",
            },
            { work },
            "Submitted: the review window has started",
          );
        },
      },
      h("h3", { class: "sub-title" }, "Submit your work"),
      h("div", { class: "grid two tight" }, field("Kind", kind), h("div")),
      field("Work", value, "Only the poster and you can see it."),
      h("div", {}, h("button", { class: "btn btn-primary", type: "submit" }, "Submit work")),
    );
  }

  /** @param {Task} t */
  function disputeForm(t) {
    const reason = h("textarea", { name: "reason", rows: 2, required: true, maxlength: 2000 });
    return h(
      "details",
      { class: "dispute" },
      h("summary", {}, "Something wrong? Dispute the task"),
      h(
        "form",
        {
          class: "stack",
          onsubmit: (e) => {
            e.preventDefault();
            act(
              "dispute",
              {
                title: "Dispute this task?",
                text: `"${t.title}" is frozen: nobody can approve, reject or submit until the platform resolves it.`,
                confirm: "Dispute task",
                danger: true,
              },
              { reason: reason.value },
              "Disputed: the platform will look at it",
            );
          },
        },
        field("Reason", reason, "What went wrong; the other party and the platform see it."),
        h("div", {}, h("button", { class: "btn btn-danger", type: "submit" }, "Dispute task")),
      ),
    );
  }

  /**
   * @param {Task} t
   * @returns {import("../dom.js").Child[]}
   */
  function renderTask(t) {
    document.title = `${t.title} · proxygate`;
    return [
      pageHeader(
        t.title,
        STATUS_TEXT[t.status] ?? "",
        h("span", { "data-testid": "task-status" }, statusBadge(t.status)),
        h("a", { class: "btn btn-ghost", href: "#/tasks" }, "All bounties"),
      ),
      h(
        "div",
        { class: "grid two" },
        card(
          "Reward",
          h(
            "dl",
            { class: "facts task-facts", "data-testid": "task-facts" },
            h(
              "div",
              {},
              h("dt", {}, "Reward"),
              h("dd", { "data-testid": "task-reward" }, `${formatUsdc(t.reward)} USDC`),
            ),
            h("div", {}, h("dt", {}, "Solver receives"), h("dd", {}, `${formatUsdc(t.solverPayout)} USDC`)),
            h("div", {}, h("dt", {}, "Held from poster"), h("dd", {}, `${formatUsdc(t.holdAmount)} USDC`)),
            h("div", {}, h("dt", {}, "Review window"), h("dd", {}, durationText(t.reviewWindowSeconds))),
            h("div", {}, h("dt", {}, "Deadline"), h("dd", {}, t.deadline ? dateTime(t.deadline) : "none")),
            h(
              "div",
              {},
              h("dt", {}, "Review until"),
              h("dd", {}, t.reviewDeadline ? dateTime(t.reviewDeadline) : "after a submission"),
            ),
          ),
        ),
        card(
          "Parties",
          h(
            "dl",
            { class: "facts task-facts" },
            h("div", {}, h("dt", {}, "Poster"), h("dd", { "data-testid": "task-poster" }, party(t.poster))),
            h("div", {}, h("dt", {}, "Solver"), h("dd", { "data-testid": "task-solver" }, party(t.solver))),
            h("div", {}, h("dt", {}, "Posted"), h("dd", {}, dateTime(t.createdAt))),
            h("div", {}, h("dt", {}, "Claimed"), h("dd", {}, dateTime(t.claimedAt))),
            h("div", {}, h("dt", {}, "Submitted"), h("dd", {}, dateTime(t.submittedAt))),
            h("div", {}, h("dt", {}, "Resolved"), h("dd", {}, dateTime(t.resolvedAt))),
          ),
          { action: copyButton(t.id, "Copy id") },
        ),
      ),
      card(
        "Description",
        t.description ? h("div", { class: "work-text" }, t.description) : h("p", { class: "muted" }, "No description."),
      ),
      t.submission
        ? card("Submitted work", h("div", { "data-testid": "task-work" }, workView(t.submission)), {
            description: "Visible to the poster and the solver only.",
          })
        : null,
      t.status === "disputed"
        ? h(
            "div",
            { class: "notice notice-bad", role: "note" },
            `Disputed by ${t.disputedBy === wallet() ? "you" : t.disputedBy === t.poster ? "the poster" : "the solver"}`,
            t.disputeReason ? `: ${t.disputeReason}` : ".",
          )
        : null,
      actionsCard(t),
    ].filter((n) => n !== null);
  }

  reload();
}
