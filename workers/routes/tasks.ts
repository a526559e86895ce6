import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { ApiError } from "../errors.ts";
import { validate } from "../lib/validate.ts";
import { requireApiKey } from "../middleware/auth.ts";
import { operation } from "../openapi/registry.ts";
import {
  CreateTaskRequest,
  DisputeRequest,
  SubmitRequest,
  TaskId,
  TaskList,
  TaskListQuery,
  TaskView,
} from "../tasks/interface.ts";
import {
  approveTask,
  cancelTask,
  claimTask,
  createTask,
  disputeTask,
  getTask,
  listTaskViews,
  rejectTask,
  submitTask,
  type TasksContext,
} from "../tasks/tasks.ts";
import type { AuthEnv } from "../types.ts";

const IdParam = z.object({ id: TaskId });
const taskResponse = { 200: { description: "The task after the transition", schema: TaskView } };
const transitionErrors = ["not_found", "conflict", "forbidden", "dependency_unavailable"] as const;

/** One declaration per route (the OpenAPI document and its coverage test read these). */
export const tasksApi = [
  operation({
    method: "post",
    path: "/v1/tasks",
    operationId: "createTask",
    summary: "Post a task; its reward plus the buyer fee is held from your available balance",
    tags: ["tasks"],
    auth: "apiKey",
    body: CreateTaskRequest,
    responses: { 201: { description: "The open task", schema: TaskView } },
    errors: [
      "invalid_request",
      "payload_too_large",
      "insufficient_credit",
      "forbidden",
      "wallet_flagged",
      "dependency_unavailable",
    ],
  }),
  operation({
    method: "get",
    path: "/v1/tasks",
    operationId: "listTasks",
    summary: "Tasks, filtered by status, reward and poster; newest first, paginated",
    tags: ["tasks"],
    auth: "apiKey",
    query: TaskListQuery,
    responses: { 200: { description: "A page of tasks", schema: TaskList } },
    errors: ["invalid_request", "dependency_unavailable"],
  }),
  operation({
    method: "get",
    path: "/v1/tasks/:id",
    operationId: "getTask",
    summary: "One task (work and dispute reason shown to its poster and solver only)",
    tags: ["tasks"],
    auth: "apiKey",
    params: IdParam,
    responses: { 200: { description: "The task", schema: TaskView } },
    errors: ["not_found", "dependency_unavailable"],
  }),
  ...(
    [
      ["claim", "claimTask", "Claim an open task (one solver wins)"],
      ["approve", "approveTask", "Approve the submitted work: the solver is paid in the next settlement"],
      ["reject", "rejectTask", "Reject the submitted work and reopen the task"],
      ["cancel", "cancelTask", "Cancel an open task: the hold is released in full"],
    ] as const
  ).map(([verb, operationId, summary]) =>
    operation({
      method: "post",
      path: `/v1/tasks/:id/${verb}`,
      operationId,
      summary,
      tags: ["tasks"],
      auth: "apiKey",
      params: IdParam,
      responses: taskResponse,
      errors: transitionErrors,
    }),
  ),
  operation({
    method: "post",
    path: "/v1/tasks/:id/submit",
    operationId: "submitTask",
    summary: "Submit work for a claimed task (URL, text or content hash); starts the review window",
    tags: ["tasks"],
    auth: "apiKey",
    params: IdParam,
    body: SubmitRequest,
    responses: taskResponse,
    errors: [...transitionErrors, "invalid_request", "payload_too_large"],
  }),
  operation({
    method: "post",
    path: "/v1/tasks/:id/dispute",
    operationId: "disputeTask",
    summary: "Dispute a claimed or submitted task: it is frozen for platform resolution",
    tags: ["tasks"],
    auth: "apiKey",
    params: IdParam,
    body: DisputeRequest,
    responses: taskResponse,
    errors: [...transitionErrors, "invalid_request", "payload_too_large"],
  }),
];

/** Task bodies are small (the longest field, a text work reference, is 8 000 characters). */
const MAX_BODY_BYTES = 64 * 1024;

function contextOf(c: Context<AuthEnv>): TasksContext {
  return {
    env: c.env,
    waitUntil: (p) => c.executionCtx.waitUntil(p),
    wallet: c.var.wallet,
    requestId: c.var.requestId,
  };
}

/** The `:id` parameter, or a 404: a malformed id cannot name a task (nor reach Postgres). */
function taskId(c: Context<AuthEnv>): string {
  const parsed = TaskId.safeParse(c.req.param("id"));
  if (!parsed.success) throw new ApiError("not_found", "No such task");
  return parsed.data.toLowerCase();
}

const limit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError("payload_too_large", `Request body exceeds ${MAX_BODY_BYTES} bytes`);
  },
});

function transitionRoute(run: (ctx: TasksContext, id: string) => Promise<unknown>) {
  return async (c: Context<AuthEnv>) => {
    c.header("cache-control", "no-store");
    return c.json(await run(contextOf(c), taskId(c)));
  };
}

/**
 * The bounty board (mounted at `/v1/tasks`, all behind the API key). Rewards are escrowed from
 * the poster's balance as a WalletDO hold. Illegal transitions answer 409 `conflict` (403
 * `forbidden` when the caller is not the party that may act) and change nothing. See
 * docs/decisions/017-bounty-board.md.
 */
export const taskRoutes = new Hono<AuthEnv>()
  .use(requireApiKey())
  .post("/", limit, validate("json", CreateTaskRequest), async (c) => {
    c.header("cache-control", "no-store");
    return c.json(await createTask(contextOf(c), c.req.valid("json")), 201);
  })
  .get("/", validate("query", TaskListQuery), async (c) => {
    c.header("cache-control", "no-store");
    return c.json(await listTaskViews(contextOf(c), c.req.valid("query")));
  })
  .get("/:id", transitionRoute(getTask))
  .post("/:id/claim", transitionRoute(claimTask))
  .post("/:id/submit", limit, validate("json", SubmitRequest), async (c) => {
    c.header("cache-control", "no-store");
    return c.json(await submitTask(contextOf(c), taskId(c), c.req.valid("json")));
  })
  .post("/:id/approve", transitionRoute(approveTask))
  .post("/:id/reject", transitionRoute(rejectTask))
  .post("/:id/cancel", transitionRoute(cancelTask))
  .post("/:id/dispute", limit, validate("json", DisputeRequest), async (c) => {
    c.header("cache-control", "no-store");
    return c.json(await disputeTask(contextOf(c), taskId(c), c.req.valid("json")));
  });
