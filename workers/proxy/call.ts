/**
 * One proxied call, DESIGN §2 steps 1–7, for `ANY /v1/proxy/:target/*` where the target is a
 * listing id (pinned) or a service name (routed among its sellers, with failover):
 * validate → choose candidates (workers/routing/) → reserve credit (WalletDO) and admit
 * (CapacityFenceDO) in parallel → open the seller's key → forward (allowlisted headers, key
 * injected) → stream the answer back → after the response: confirm or refund, health telemetry.
 * Before the upstream request only the two Durable Objects are touched (a cold isolate routing
 * by service reads the service's listings from Postgres once). docs/decisions/010-proxy.md and
 * 012-routing.md have the tables.
 */
import { bearerToken, parseApiKey } from "../auth/api-key.ts";
import type { LedgerEntryDraft, ReserveResult } from "../credit/interface.ts";
import type { Env } from "../env.ts";
import { ApiError, type ErrorCode, errorResponse } from "../errors.ts";
import type { AdmitRefusal, AdmitResult, ListingConfig } from "../fence/interface.ts";
import { normalizeRequestPath } from "../fence/paths.ts";
import { fenceStub } from "../fence/stub.ts";
import { redactError } from "../lib/redact.ts";
import { walletStub } from "../lib/wallet-stub.ts";
import { ServiceSlug } from "../listings/interface.ts";
import { openListingKey } from "../listings/vault.ts";
import { walletCallRate } from "../ratelimit/wallet-rates.ts";
import { issueReceipt } from "../receipts/signer.ts";
import { routeService } from "../routing/candidates.ts";
import {
  type AttemptState,
  afterFailure,
  exhausted,
  type Failure,
  type FailureKind,
  mayTryNext,
  TOTAL_DEADLINE_MS,
} from "../routing/failover.ts";
import { localFeedback } from "../routing/feedback.ts";
import { queueHealth } from "../telemetry/health-batch.ts";
import type { HealthSample } from "../telemetry/health-window.ts";
import { inspectTokenRequest, readCappedBody, type TokenRequest } from "./body.ts";
import { listingConfigs } from "./caches.ts";
import { forwardRequestHeaders, forwardResponseHeaders } from "./headers.ts";
import { callId, IDEMPOTENCY_HEADER } from "./idempotency.ts";
import { injectKeyHeader, upstreamUrl } from "./inject.ts";
import { admitRefusal, judgeUpstream, type Refusal, reserveRefusal } from "./outcomes.ts";
import { estimateTokens, type Metered, meter, type Pricing, reserveAmount, tokenCeiling } from "./pricing.ts";
import { meterSse, type SseEnd } from "./sse.ts";
import { outputChars, usageTokens } from "./usage.ts";

/** How long the upstream may take to send its response headers (the body may stream for longer). */
export const UPSTREAM_HEADERS_TIMEOUT_MS = 100_000;

export const COST_HEADER = "x-proxygate-cost";
export const RECEIPT_HEADER = "x-proxygate-receipt";
export const LISTING_HEADER = "x-proxygate-listing";
/** The SSE event name of the trailer carrying a stream's cost and receipt (after `data: [DONE]`). */
export const TRAILER_EVENT = "proxygate";

const LISTING_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ProxyRequest {
  env: Env;
  request: Request;
  /** The gateway's id of this HTTP request (request-id middleware). */
  requestId: string;
  /** A listing id (pinned) or a service name (routed). */
  target: string;
  waitUntil(promise: Promise<unknown>): void;
}

function log(level: "warn" | "error", msg: string, fields: Record<string, unknown>): void {
  console[level](JSON.stringify({ level, msg, ...fields }));
}

/** Everything known about a call once it is admitted and reserved. */
interface Admitted {
  env: Env;
  requestId: string;
  /** Reservation / ledger / receipt id. */
  callId: string;
  wallet: string;
  config: ListingConfig;
  pricing: Pricing;
  tokenRequest: TokenRequest;
  promptBytes: number;
  ceiling: number;
  /** Abort the upstream request if its headers take longer than this, ms. */
  timeoutMs: number;
  waitUntil(promise: Promise<unknown>): void;
}

function refusalResponse(refusal: Refusal, requestId: string, listingId: string | null): Response {
  return errorResponse(refusal.code, refusal.message, requestId, refusal.retryAfter, {
    ...(listingId === null ? {} : { [LISTING_HEADER]: listingId }),
    [COST_HEADER]: "0",
  });
}

function fail(code: ErrorCode, message: string): Refusal {
  return { code, message };
}

/** Runs one proxied call and returns the buyer's response (errors as our envelope). */
export async function proxyCall(input: ProxyRequest): Promise<Response> {
  const { env, requestId, target } = input;
  const listingHeader = LISTING_ID.test(target) ? target : null;
  try {
    return await runCall(input);
  } catch (err) {
    if (err instanceof ApiError) return refusalResponse(err, requestId, listingHeader);
    log("error", "proxy call failed", {
      requestId,
      target,
      reason: redactError(err, [env.VAULT_MASTER_KEYS, env.RECEIPT_KEY]),
    });
    return refusalResponse(
      fail("internal_error", "Internal error; quote the request id when reporting it."),
      requestId,
      listingHeader,
    );
  }
}

/** A listing to try, with the price this isolate believes it has (null: unknown, admit first). */
interface Target {
  listingId: string;
  pricing: Pricing | null;
}

function pricingOf(config: ListingConfig): Pricing {
  return { price: config.price, pricingUnit: config.pricingUnit };
}

function admitFailureKind(reason: AdmitRefusal): FailureKind {
  return reason === "method_not_allowed" || reason === "path_not_allowed" ? "route" : "unavailable";
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runCall(input: ProxyRequest): Promise<Response> {
  const { env, request, requestId, target } = input;
  const pinned = LISTING_ID.test(target);
  const refuse = (r: Refusal, listingId: string | null = pinned ? target : null) =>
    refusalResponse(r, requestId, listingId);

  // 1. Validate: target, path (raw, still percent-encoded), key shape, body size.
  if (!pinned && !ServiceSlug.safeParse(target).success) {
    return refuse(fail("not_found", "Unknown listing or service"));
  }
  const url = new URL(request.url);
  const prefix = `/v1/proxy/${target}`;
  const rawPath = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : "";
  const normalized = normalizeRequestPath(rawPath);
  if (!normalized.ok) return refuse(fail("invalid_request", `Refused upstream path: ${normalized.reason}`));

  const header = request.headers.get("authorization");
  if (!header) return refuse(fail("unauthorized", "Missing API key: send Authorization: Bearer pgk_<wallet>_<secret>"));
  const apiKey = bearerToken(header);
  const parsedKey = apiKey === null ? null : parseApiKey(apiKey);
  if (apiKey === null || parsedKey === null) {
    return refuse(fail("unauthorized", "Malformed API key: expected Authorization: Bearer pgk_<wallet>_<secret>"));
  }
  const id = await callId(requestId, parsedKey.wallet, request.headers.get(IDEMPOTENCY_HEADER));
  const encoding = request.headers.get("content-encoding");
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity") {
    return refuse(fail("invalid_request", "Compressed request bodies are not supported"));
  }
  const method = request.method.toUpperCase();
  // In memory (capped): the same bytes are replayed to every attempt.
  const body = method === "GET" || method === "HEAD" ? null : await readCappedBody(request);
  const promptBytes = body?.byteLength ?? 0;

  // Token-priced calls read the body (stream flag, completion cap); computed once, when the unit is known.
  let tokenRequest: TokenRequest | null = null;
  const tokenInfo = (pricing: Pricing): TokenRequest => {
    if (pricing.pricingUnit === "per_call") return { body, stream: false, maxTokens: null, usageInjected: false };
    tokenRequest ??= inspectTokenRequest(body, request.headers.get("content-type"));
    return tokenRequest;
  };
  const ceilingFor = (pricing: Pricing) => tokenCeiling(promptBytes, tokenInfo(pricing).maxTokens);
  const amountFor = (pricing: Pricing) => reserveAmount(pricing, ceilingFor(pricing));

  // 2. Candidates: the pinned listing, or the service's listings in weighted-random score order.
  const started = Date.now();
  let targets: Target[];
  let backoffRetryAfter: number | null = null;
  if (pinned) {
    const cached = listingConfigs.get(target, started);
    targets = [{ listingId: target, pricing: cached === undefined ? null : pricingOf(cached) }];
  } else {
    const routed = await routeService(env, target, amountFor, input.waitUntil);
    if (!routed.known) return refuse(fail("not_found", "Unknown listing or service"));
    targets = routed.candidates;
    backoffRetryAfter = routed.backoffRetryAfter;
  }

  const wallet = walletStub(env, parsedKey.wallet);
  const failures: Failure[] = [];
  let reservation: { id: string; amount: bigint } | null = null;
  // Each reservation of this call gets its own id (a refunded id is remembered by the WalletDO):
  // the call id, then `<id>-r`, `<id>-r2`, … The one that is confirmed is the ledger and receipt id.
  // Only a reservation that was made takes an id (a refused one records nothing), so the first is
  // always the call id itself: a retry with the same Idempotency-Key meets it as a duplicate.
  let reservations = 0;
  const nextReserveId = () => (reservations === 0 ? id : reservations === 1 ? `${id}-r` : `${id}-r${reservations}`);
  let upstreamAttempts = 0;
  let tried = 0;
  const headersTimeoutMs =
    env.UPSTREAM_TIMEOUT_MS === undefined ? UPSTREAM_HEADERS_TIMEOUT_MS : Number(env.UPSTREAM_TIMEOUT_MS);
  const remaining = () => (pinned ? headersTimeoutMs : started + TOTAL_DEADLINE_MS - Date.now());
  const giveUp = (r: Refusal, listingId: string | null) => {
    if (reservation) {
      const open = reservation.id;
      input.waitUntil(refund(wallet, open, requestId));
    }
    return refuse(r, listingId);
  };

  // A Durable Object call that throws mid-failover must not leave this call's credit reserved
  // until the reservation expires: refund it, then report the error (proxyCall).
  try {
    for (const candidate of targets) {
      if (!mayTryNext(tried, upstreamAttempts, remaining())) break;
      tried += 1;
      const { listingId } = candidate;
      const fence = fenceStub(env, listingId);
      const cachedConfig = listingConfigs.get(listingId, Date.now());
      const knownVersion = cachedConfig?.configVersion;

      // 3. Reserve and admit: in parallel when the price is known, else admit first. Later
      // candidates only admit; the reservation is swapped when one needs more than it covers.
      let admitted: AdmitResult;
      if (reservation === null && candidate.pricing !== null) {
        const reserveId = nextReserveId();
        const [r, a] = await Promise.allSettled([
          wallet.reserve(reserveId, apiKey, amountFor(candidate.pricing), walletCallRate(env)),
          fence.admit(id, method, normalized.path, knownVersion),
        ]);
        if (a.status === "rejected" || r.status === "rejected") {
          if (r.status === "fulfilled" && r.value.ok) input.waitUntil(refund(wallet, reserveId, requestId));
          throw a.status === "rejected" ? a.reason : (r as PromiseRejectedResult).reason;
        }
        const reserved: ReserveResult = r.value;
        admitted = a.value;
        // An unknown key is reported first: nothing about the listing is told to a stranger.
        if (!reserved.ok && reserved.reason === "unauthorized") return refuse(reserveRefusal("unauthorized", reserved));
        if (reserved.ok) {
          reservation = { id: reserveId, amount: reserved.amount };
          reservations += 1;
        } else {
          // Refused credit (an admission stays counted: capacity errs on the safe side). Routed, only
          // "too dear for this buyer" lets a cheaper seller try: a duplicate Idempotency-Key, a flag or
          // the rate limit ends the call whatever the fence said (a next seller would reserve anew).
          const refusal = reserveRefusal(reserved.reason, reserved);
          if (!pinned && reserved.reason !== "insufficient_credit") return giveUp(refusal, null);
          if (admitted.ok) {
            if (pinned) return giveUp(refusal, listingId);
            failures.push({ kind: "unavailable", refusal, listingId });
            continue;
          }
        }
      } else {
        admitted = await fence.admit(id, method, normalized.path, knownVersion);
      }
      if (!admitted.ok) {
        const refusal = admitRefusal(admitted.reason, admitted.retryAfter);
        if (admitted.reason === "backoff" && admitted.retryAfter !== undefined) {
          localFeedback.backoff(listingId, Date.now() + admitted.retryAfter * 1000, Date.now());
        }
        if (admitted.reason === "capacity") localFeedback.headroom(listingId, 1, 1, Date.now());
        if (pinned) return giveUp(refusal, listingId);
        failures.push({ kind: admitFailureKind(admitted.reason), refusal, listingId });
        continue;
      }
      // null: the fence holds the very version cached here.
      const config = admitted.config ?? cachedConfig;
      if (config === undefined) throw new Error("the fence sent no config for a version this isolate does not hold");
      localFeedback.headroom(listingId, admitted.usedInWindow, admitted.resaleCapacity, Date.now());
      const pricing = pricingOf(config);
      listingConfigs.set(listingId, config, Date.now());
      const needed = amountFor(pricing);
      if (reservation === null || needed > reservation.amount) {
        // No reservation yet, or this seller costs more than it covers: (re)reserve, refunding the old one first.
        if (reservation !== null) await refund(wallet, reservation.id, requestId);
        reservation = null;
        const reserveId = nextReserveId();
        const again = await wallet.reserve(reserveId, apiKey, needed, walletCallRate(env));
        if (!again.ok) {
          // Too dear for this buyer: a cheaper seller of the service may still do.
          if (!pinned && again.reason === "insufficient_credit") {
            failures.push({ kind: "unavailable", refusal: reserveRefusal(again.reason, again), listingId });
            continue;
          }
          return refuse(reserveRefusal(again.reason, again), pinned ? listingId : null);
        }
        reservation = { id: reserveId, amount: again.amount };
        reservations += 1;
      }

      const call: Admitted = {
        env,
        requestId,
        callId: reservation.id,
        wallet: parsedKey.wallet,
        config,
        pricing,
        tokenRequest: tokenInfo(pricing),
        promptBytes,
        ceiling: ceilingFor(pricing),
        timeoutMs: Math.min(headersTimeoutMs, Math.max(1, remaining())),
        waitUntil: input.waitUntil,
      };
      let retried = false;
      for (;;) {
        upstreamAttempts += 1;
        const result = await forward(call, request, method, normalized.path, url.search);
        if (result.ok) return result.response;
        failures.push(result.failure);
        const state: AttemptState = { pinned, retried, upstreamAttempts, remainingMs: remaining() };
        const step = afterFailure(result.failure.kind, state, Math.random);
        if (step.action === "stop") return giveUp(result.failure.refusal, listingId);
        if (step.action === "next") break;
        retried = true;
        call.timeoutMs = Math.min(headersTimeoutMs, Math.max(1, remaining() - step.delayMs));
        await sleep(step.delayMs);
      }
    }
  } catch (err) {
    if (reservation !== null) input.waitUntil(refund(wallet, reservation.id, requestId));
    throw err;
  }
  return giveUp(exhausted(failures, backoffRetryAfter), null);
}

async function refund(wallet: ReturnType<typeof walletStub>, id: string, requestId: string): Promise<void> {
  try {
    const result = await wallet.refund(id);
    if (!result.ok) log("warn", "refund refused", { requestId, callId: id, reason: result.reason });
  } catch (err) {
    log("error", "refund failed", { requestId, callId: id, reason: redactError(err, []) });
  }
}

/**
 * An attempt's outcome: into this isolate's routing feedback at once, and into the health
 * telemetry (batched per isolate, then Redis Lua) after the response, best effort.
 */
function recordAfter(call: Admitted, sample: HealthSample): void {
  const now = Date.now();
  const local = sample.outcome === "ok" ? "ok" : sample.outcome === "client_error" ? "client_error" : "failed";
  localFeedback.record(call.config.listingId, local, sample.latencyMs, now);
  queueHealth(call.env, call.waitUntil, call.config.listingId, sample, now);
}

function fenceBackoff(call: Admitted, seconds: number): void {
  localFeedback.backoff(call.config.listingId, Date.now() + seconds * 1000, Date.now());
  call.waitUntil(
    fenceStub(call.env, call.config.listingId)
      .backoff(seconds)
      .catch((err: unknown) =>
        log("warn", "fence backoff failed", { requestId: call.requestId, reason: redactError(err, []) }),
      ),
  );
}

/** Charges the call (after the response started): confirm with the fee split, booked at `timestamp`. */
async function confirmCall(call: Admitted, metered: Metered, timestamp: number): Promise<void> {
  const entry: LedgerEntryDraft = {
    kind: "call",
    listingId: call.config.listingId,
    sellerId: call.config.sellerId,
    payeeWallet: call.config.sellerWallet,
    units: metered.units,
    sellerPayout: metered.split.sellerPayout,
    platformFee: metered.split.platformFee,
    occurredAt: timestamp,
  };
  try {
    const result = await walletStub(call.env, call.wallet).confirm(call.callId, metered.split.charge, entry);
    if (!result.ok)
      log("error", "confirm refused", { requestId: call.requestId, callId: call.callId, reason: result.reason });
  } catch (err) {
    log("error", "confirm failed", { requestId: call.requestId, callId: call.callId, reason: redactError(err, []) });
  }
  if (metered.clamped) log("warn", "usage above the reserved ceiling; charged the ceiling", { callId: call.callId });
}

function refundAfter(call: Admitted): void {
  call.waitUntil(refund(walletStub(call.env, call.wallet), call.callId, call.requestId));
}

async function receiptFor(call: Admitted, metered: Metered, timestamp: number): Promise<string> {
  return issueReceipt(call.env, {
    requestId: call.callId,
    wallet: call.wallet,
    listing: call.config.listingId,
    charge: metered.split.charge,
    timestamp,
  });
}

type AttemptResult = { ok: true; response: Response } | { ok: false; failure: Failure };

/** Which failure an upstream status is, for failover (workers/routing/failover.ts). */
function upstreamFailureKind(status: number, health: HealthSample["outcome"]): FailureKind {
  if (health === "client_error") return "client";
  if (health === "rate_limited") return "rate_limited";
  // Refused credentials and redirects do not get better by asking the same seller again.
  if (status === 401 || status === 402 || status === 403 || status === 407 || (status >= 300 && status < 400)) {
    return "unusable";
  }
  return "seller";
}

/**
 * One upstream attempt for an admitted, reserved call: the served response, or a failure for the
 * failover loop (nothing has reached the buyer then; the reservation stays open for the caller).
 */
async function forward(
  call: Admitted,
  request: Request,
  method: string,
  path: string,
  search: string,
): Promise<AttemptResult> {
  const { env, config } = call;
  const failed = (kind: FailureKind, refusal: Refusal): AttemptResult => ({
    ok: false,
    failure: { kind, refusal, listingId: config.listingId },
  });
  if (env.GATEWAY_MODE === "production" && !config.upstreamBaseUrl.startsWith("https://")) {
    return failed("unusable", fail("upstream_error", "The listing's upstream is not reachable over https"));
  }

  // 4. The seller's key: plaintext only in this isolate's memory, ≤ 30 s.
  let key: string;
  try {
    key = await openListingKey(env, config);
  } catch (err) {
    log("error", "provider key did not open", {
      requestId: call.requestId,
      listingId: config.listingId,
      reason: String(err),
    });
    return failed("unusable", fail("upstream_error", "The listing's provider key is unusable"));
  }

  // 5. Forward: allowlisted headers, key injected, redirects never followed.
  const headers = forwardRequestHeaders(request.headers);
  let target: string;
  try {
    injectKeyHeader(headers, config.keyInjection, key);
    target = upstreamUrl(config.upstreamBaseUrl, path, search, config.keyInjection, key);
  } catch {
    return failed("unusable", fail("upstream_error", "The listing's key injection is misconfigured"));
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), call.timeoutMs);
  const sentAt = Date.now();
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method,
      headers,
      body: call.tokenRequest.body,
      redirect: "manual",
      signal: abort.signal,
    });
  } catch {
    // The error text may carry the upstream URL (and so a query-injected key): never logged or shown.
    recordAfter(call, { outcome: "error", latencyMs: null });
    return abort.signal.aborted
      ? failed("seller", fail("upstream_timeout", "The upstream did not answer in time"))
      : failed("seller", fail("upstream_error", "The upstream could not be reached"));
  } finally {
    clearTimeout(timer);
  }
  const latencyMs = Date.now() - sentAt;

  // 6. The answer: upstream error bodies are replaced by our envelope, never passed on.
  const verdict = judgeUpstream(upstream.status, upstream.headers.get("retry-after"), Date.now());
  if (!verdict.ok) {
    await upstream.body?.cancel().catch(() => {});
    if (verdict.backoff !== undefined) fenceBackoff(call, verdict.backoff);
    recordAfter(call, { outcome: verdict.health, latencyMs });
    const { code, message, retryAfter } = verdict;
    return failed(upstreamFailureKind(upstream.status, verdict.health), {
      code,
      message,
      ...(retryAfter === undefined ? {} : { retryAfter }),
    });
  }

  const out = forwardResponseHeaders(upstream.headers);
  out.set(LISTING_HEADER, config.listingId);
  const contentType = upstream.headers.get("content-type") ?? "";
  if (/^text\/event-stream\b/i.test(contentType) && upstream.body !== null) {
    return { ok: true, response: streamed(call, upstream, out, latencyMs) };
  }

  // A token-priced JSON answer is read whole for its usage; everything else streams straight through.
  let responseBody: BodyInit | null = upstream.body;
  let tokens: number | null = null;
  if (call.pricing.pricingUnit === "per_1k_tokens") {
    if (/\bjson\b/i.test(contentType)) {
      const text = await upstream.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      tokens = usageTokens(json) ?? estimateTokens(call.promptBytes, outputChars(json));
      responseBody = text;
    } else tokens = estimateTokens(call.promptBytes, 0);
  }
  const metered = meter(call.pricing, tokens, call.ceiling);
  const timestamp = Date.now();
  out.set(COST_HEADER, metered.split.charge.toString());
  out.set(RECEIPT_HEADER, await receiptFor(call, metered, timestamp));
  // 7. After the response has started: confirm, telemetry.
  call.waitUntil(confirmCall(call, metered, timestamp));
  recordAfter(call, { outcome: "ok", latencyMs });
  return {
    ok: true,
    response: new Response(method === "HEAD" ? null : responseBody, { status: upstream.status, headers: out }),
  };
}

function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** An SSE answer: passed through as it arrives; cost and receipt follow as a trailer event. */
function streamed(call: Admitted, upstream: Response, headers: Headers, latencyMs: number): Response {
  const errorEvent = sseEvent("error", {
    error: {
      code: "upstream_error",
      message: "The upstream stream broke off; this call is not charged",
      requestId: call.requestId,
    },
  });
  const { body, ended } = meterSse(upstream.body as ReadableStream<Uint8Array>, {
    dropUsageOnlyChunk: call.tokenRequest.usageInjected,
    errorEvent,
    async onEnd(end: SseEnd) {
      if (end.kind === "cut") {
        refundAfter(call);
        recordAfter(call, { outcome: "error", latencyMs });
        return null;
      }
      // Complete, or the buyer left mid-stream: what was served is charged.
      const tokens = end.tokens ?? estimateTokens(call.promptBytes, end.outputChars);
      const metered = meter(call.pricing, tokens, call.ceiling);
      const timestamp = Date.now();
      call.waitUntil(confirmCall(call, metered, timestamp));
      recordAfter(call, { outcome: "ok", latencyMs });
      if (end.kind === "cancelled") return null;
      const receipt = await receiptFor(call, metered, timestamp);
      return sseEvent(TRAILER_EVENT, { requestId: call.callId, cost: metered.split.charge.toString(), receipt });
    },
  });
  // Keeps the request alive until the stream ended and its confirm/refund was handed to waitUntil.
  call.waitUntil(ended);
  headers.set("cache-control", headers.get("cache-control") ?? "no-cache");
  return new Response(body, { status: upstream.status, headers });
}
