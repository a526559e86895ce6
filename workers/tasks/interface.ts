/**
 * Wire shapes of the bounty board (`/v1/tasks`). Types are inferred from the schemas. Rewards are
 * integer micro-USDC as decimal strings; the hold escrowed from the poster is reward + buyer fee.
 */
import { z } from "zod";
import { taskStatus } from "../../db/schema/enums.ts";
import { MicroUsdc, PositiveMicroUsdc } from "../lib/money.ts";
import { noControl } from "../lib/text.ts";

export const TASK_STATUSES = taskStatus.enumValues;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Highest reward: 1,000,000 USDC (the hold must stay far inside the wallets' 2^53 bound). */
export const MAX_REWARD = 1_000_000_000_000n;
/** Review window bounds: one second (tests, quick jobs) up to 30 days. */
export const MIN_REVIEW_WINDOW_SECONDS = 1;
export const MAX_REVIEW_WINDOW_SECONDS = 30 * 24 * 60 * 60;
export const MAX_WORK_LENGTH = 8_000;

const Title = z.string().trim().min(1).max(200).refine(noControl(), "no control characters");
const Description = z.string().max(10_000).refine(noControl("\t\n\r"), "no control characters except tab and newline");
const Reward = PositiveMicroUsdc.refine((r) => r <= MAX_REWARD, "at most 1000000000000 micro-USDC");

export const CreateTaskRequest = z.strictObject({
  title: Title,
  description: Description.default(""),
  /** micro-USDC, decimal string (a safe integer is accepted too). */
  reward: Reward,
  reviewWindowSeconds: z.int().min(MIN_REVIEW_WINDOW_SECONDS).max(MAX_REVIEW_WINDOW_SECONDS),
  /** Optional deadline for the work (ISO 8601 with offset), in the future. */
  deadline: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .optional(),
});
export type CreateTaskRequest = z.infer<typeof CreateTaskRequest>;

/**
 * The solver's work reference: a URL (http/https), free text, or a content hash
 * (`sha256:<64 hex>`). Only the parties of the task see it.
 */
export const WorkReference = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("url"),
    value: z.url({ protocol: /^https?$/ }).max(2048),
  }),
  z.strictObject({
    kind: z.literal("text"),
    value: z.string().min(1).max(MAX_WORK_LENGTH).refine(noControl("\t\n\r"), "no control characters"),
  }),
  z.strictObject({
    kind: z.literal("hash"),
    value: z.string().regex(/^sha256:[0-9a-f]{64}$/, "sha256:<64 lowercase hex digits>"),
  }),
]);
export type WorkReference = z.infer<typeof WorkReference>;

export const SubmitRequest = z.strictObject({ work: WorkReference });
export type SubmitRequest = z.infer<typeof SubmitRequest>;

export const DisputeRequest = z.strictObject({
  reason: z.string().trim().min(1).max(2000).refine(noControl("\t\n\r"), "no control characters"),
});
export type DisputeRequest = z.infer<typeof DisputeRequest>;

const WalletAddress = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, "a base58 wallet address");

export const TaskListQuery = z
  .strictObject({
    status: z.enum(TASK_STATUSES).optional(),
    minReward: MicroUsdc.optional(),
    maxReward: MicroUsdc.optional(),
    poster: WalletAddress.optional(),
    solver: WalletAddress.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    /** Opaque: the previous page's `nextCursor`. */
    cursor: z.uuid().optional(),
  })
  .refine((q) => q.minReward === undefined || q.maxReward === undefined || BigInt(q.minReward) <= BigInt(q.maxReward), {
    error: "minReward must not exceed maxReward",
  });
export type TaskListQuery = z.infer<typeof TaskListQuery>;

export const TaskId = z.uuid();

/** A task as the API shows it. `submission` and `disputeReason` only to its poster and solver. */
export const TaskView = z.object({
  id: z.uuid(),
  poster: z.string(),
  title: z.string(),
  description: z.string(),
  /** micro-USDC the solver's payout is computed from (decimal string). */
  reward: z.string(),
  /** reward + buyer fee, escrowed from the poster's balance while the task is live. */
  holdAmount: z.string(),
  /** What the solver receives on approval: reward − seller fee. */
  solverPayout: z.string(),
  status: z.enum(TASK_STATUSES),
  solver: z.string().nullable(),
  submission: WorkReference.nullable(),
  reviewWindowSeconds: z.int(),
  deadline: z.iso.datetime().nullable(),
  reviewDeadline: z.iso.datetime().nullable(),
  claimedAt: z.iso.datetime().nullable(),
  submittedAt: z.iso.datetime().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  disputedBy: z.string().nullable(),
  disputeReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TaskView = z.infer<typeof TaskView>;

export const TaskList = z.object({ tasks: z.array(TaskView), nextCursor: z.uuid().nullable() });
export type TaskList = z.infer<typeof TaskList>;
