// The fee function of workers/credit/fees.ts, ported line for line to JavaScript so the browser can
// preview a price without a build step. test/unit/dashboard-fees.test.ts checks that both agree on
// every price (property test), so the preview can never drift from what the gateway charges.

/** Basis points: 1 bps = 0.01 %. 10 000 bps = 100 %. */
export const BPS_DENOMINATOR = 10_000n;

/** @typedef {{ buyerFeeBps: number, sellerFeeBps: number }} FeeConfig */
/** @typedef {{ price: bigint, charge: bigint, sellerPayout: bigint, platformFee: bigint, buyerFee: bigint, sellerFee: bigint }} FeeSplit */

/** DESIGN §3: buyer pays price + 5 %, seller receives price − 5 %, the platform keeps both. @type {FeeConfig} */
export const DEFAULT_FEES = { buyerFeeBps: 500, sellerFeeBps: 500 };

/**
 * `price × bps / 10 000`, rounded to nearest, halves up.
 * @param {bigint} price
 * @param {number} bps
 */
function bpsOf(price, bps) {
  return (price * BigInt(bps) * 2n + BPS_DENOMINATOR) / (2n * BPS_DENOMINATOR);
}

/**
 * @param {string} name
 * @param {number} bps
 */
function assertBps(name, bps) {
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) {
    throw new RangeError(`${name} must be an integer between 0 and 10000, got ${bps}`);
  }
}

/**
 * Splits a listing price into charge, payout and platform fee (see workers/credit/fees.ts).
 * @param {bigint} price
 * @param {FeeConfig} [config]
 * @returns {FeeSplit}
 * @example computeFees(1_000_000n).charge // 1_050_000n
 */
export function computeFees(price, config = DEFAULT_FEES) {
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
