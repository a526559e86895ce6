/**
 * What a proxied call reserves and what it is finally charged, from the listing's price and unit.
 * Pure integer arithmetic on top of the fee function (workers/credit/fees.ts).
 */
import { computeFees, type FeeSplit, priceForTokens } from "../credit/fees.ts";
import type { PricingUnit } from "../fence/interface.ts";

export interface Pricing {
  /** Seller's price per unit (per call, or per 1k tokens), micro-USDC. */
  price: bigint;
  pricingUnit: PricingUnit;
}

/** Completion cap assumed when a token-priced request names none. */
export const DEFAULT_COMPLETION_TOKENS = 4096;
/** Larger caps are clamped: the reservation must stay a sane amount. */
export const MAX_COMPLETION_TOKENS = 1_000_000;

/**
 * The most tokens a token-priced call is reserved for: the completion cap plus a prompt bound of
 * one token per two body bytes (real tokenizers average ~4 bytes per token, so this is generous;
 * a call that still uses more is charged at this ceiling, never above its reservation).
 *
 * @example
 * tokenCeiling(1_000, 256); // 756
 * tokenCeiling(0, null);    // 4096
 */
export function tokenCeiling(bodyBytes: number, maxTokens: number | null): number {
  const completion = Math.min(maxTokens ?? DEFAULT_COMPLETION_TOKENS, MAX_COMPLETION_TOKENS);
  return completion + Math.ceil(bodyBytes / 2);
}

/**
 * The amount to reserve: the buyer's charge for one call, or for `ceilingTokens` tokens. Because
 * the charge is non-decreasing in the price, any actual usage up to the ceiling fits.
 */
export function reserveAmount(pricing: Pricing, ceilingTokens: number): bigint {
  const price = pricing.pricingUnit === "per_call" ? pricing.price : priceForTokens(pricing.price, ceilingTokens);
  return computeFees(price).charge;
}

export interface Metered {
  /** Units billed: 1 per call, or tokens. Never 0 for a served call. */
  units: number;
  split: FeeSplit;
  /** Usage exceeded the reserved ceiling and was cut to it. */
  clamped: boolean;
}

/**
 * The final charge of a served call. `tokens` is the measured (or estimated) usage for token
 * pricing, ignored for per-call pricing. At least one unit; at most the reserved ceiling.
 *
 * @example
 * meter({ price: 2_000n, pricingUnit: "per_1k_tokens" }, 1_500, 4_096).split.charge; // 3_150n
 */
export function meter(pricing: Pricing, tokens: number | null, ceilingTokens: number): Metered {
  if (pricing.pricingUnit === "per_call") return { units: 1, split: computeFees(pricing.price), clamped: false };
  const measured = Math.max(1, Math.ceil(tokens ?? 1));
  const units = Math.min(measured, ceilingTokens);
  return { units, split: computeFees(priceForTokens(pricing.price, units)), clamped: measured > ceilingTokens };
}

/** Usage estimate when the upstream reported none: ~4 bytes per token of prompt and of output text. */
export function estimateTokens(promptBytes: number, outputChars: number): number {
  return Math.max(1, Math.ceil(promptBytes / 4) + Math.ceil(outputChars / 4));
}
