/**
 * The fee function: what a buyer pays, what the payee receives and what the platform keeps for a
 * listing price. Pure integer micro-USDC arithmetic (bigint), no floats anywhere.
 *
 * Rounding (deterministic, documented in docs/decisions/006-wallet-credit-model.md): each fee is
 * `price × bps / 10 000` rounded to the nearest micro-USDC, halves rounded up. The split is then
 * built from those two integers, so `charge − sellerPayout = platformFee` holds exactly.
 */

/** Basis points: 1 bps = 0.01 %. 10 000 bps = 100 %. */
export const BPS_DENOMINATOR = 10_000n;

export interface FeeConfig {
  /** Added on top of the price, paid by the buyer. Integer 0‥10 000. */
  buyerFeeBps: number;
  /** Taken off the price, withheld from the seller. Integer 0‥10 000 (so the payout is never negative). */
  sellerFeeBps: number;
}

/** DESIGN §3: buyer pays price + 5 %, seller receives price − 5 %, the platform keeps both. */
export const DEFAULT_FEES: FeeConfig = { buyerFeeBps: 500, sellerFeeBps: 500 };

export interface FeeSplit {
  price: bigint;
  /** What the buyer is charged: `price + buyerFee`. */
  charge: bigint;
  /** What the payee receives: `price − sellerFee`. */
  sellerPayout: bigint;
  /** `buyerFee + sellerFee` = `charge − sellerPayout`. */
  platformFee: bigint;
  buyerFee: bigint;
  sellerFee: bigint;
}

/** `price × bps / 10 000`, rounded to nearest, halves up. Exact for any non-negative bigint. */
function bpsOf(price: bigint, bps: number): bigint {
  return (price * BigInt(bps) * 2n + BPS_DENOMINATOR) / (2n * BPS_DENOMINATOR);
}

function assertBps(name: string, bps: number): void {
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) {
    throw new RangeError(`${name} must be an integer between 0 and 10000, got ${bps}`);
  }
}

/**
 * Splits a listing price into charge, payout and platform fee.
 *
 * Invariants (property-tested): all ≥ 0, `sellerPayout ≤ price ≤ charge`,
 * `charge − sellerPayout = platformFee`, and `charge` is non-decreasing in `price` (so the charge
 * for a reserved ceiling price is an upper bound for any smaller actual price).
 *
 * @example
 * computeFees(1_000_000n) // { charge: 1_050_000n, sellerPayout: 950_000n, platformFee: 100_000n, … }
 */
export function computeFees(price: bigint, config: FeeConfig = DEFAULT_FEES): FeeSplit {
  if (price < 0n) throw new RangeError(`price must be ≥ 0, got ${price}`);
  assertBps("buyerFeeBps", config.buyerFeeBps);
  assertBps("sellerFeeBps", config.sellerFeeBps);
  const buyerFee = bpsOf(price, config.buyerFeeBps);
  const sellerFee = bpsOf(price, config.sellerFeeBps);
  return {
    price,
    charge: price + buyerFee,
    sellerPayout: price - sellerFee,
    platformFee: buyerFee + sellerFee,
    buyerFee,
    sellerFee,
  };
}

/**
 * Price of `tokens` tokens at `pricePer1k` micro-USDC per 1 000 tokens: rounded up, and at least
 * 1 micro-USDC whenever tokens > 0 (a call that used tokens is never free). 0 tokens → 0.
 *
 * @example
 * priceForTokens(2_000n, 1_234) // 2_468n
 * priceForTokens(1n, 1)         // 1n (ceil(1/1000) = 1)
 */
export function priceForTokens(pricePer1k: bigint, tokens: number | bigint): bigint {
  const n = BigInt(tokens);
  if (n < 0n) throw new RangeError(`tokens must be ≥ 0, got ${n}`);
  if (pricePer1k < 0n) throw new RangeError(`pricePer1k must be ≥ 0, got ${pricePer1k}`);
  if (n === 0n) return 0n;
  const price = (pricePer1k * n + 999n) / 1000n;
  return price > 0n ? price : 1n;
}
