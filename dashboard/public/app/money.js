// Money on the wire is integer micro-USDC as decimal strings (USDC has 6 decimals). Everything here
// is bigint and string arithmetic: no floats ever touch an amount.

export const MICRO = 1_000_000n;

/**
 * Formats micro-USDC as USDC: at least two decimals, trailing zeros beyond them trimmed, thousands
 * grouped.
 * @param {string | bigint} micro
 * @returns {string}
 * @example formatUsdc("1050") // "0.00105"
 * @example formatUsdc(12_500_000n) // "12.50"
 */
export function formatUsdc(micro) {
  const value = typeof micro === "bigint" ? micro : BigInt(micro);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = (abs / MICRO).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  let frac = (abs % MICRO).toString().padStart(6, "0").replace(/0+$/, "");
  if (frac.length < 2) frac = frac.padEnd(2, "0");
  return `${negative ? "-" : ""}${whole}.${frac}`;
}

/**
 * Parses a USDC amount typed by a person ("0.001", "12", "1,000.5") into micro-USDC.
 * @param {string} text
 * @returns {bigint | null} null when it is not a non-negative amount with at most 6 decimals
 * @example parseUsdc("0.00105") // 1050n
 */
export function parseUsdc(text) {
  const clean = text.trim().replaceAll(",", "");
  const match = /^(\d{0,13})(?:\.(\d{0,6}))?$/.exec(clean);
  if (!match || clean === "" || clean === ".") return null;
  const whole = match[1] === "" || match[1] === undefined ? "0" : match[1];
  const frac = (match[2] ?? "").padEnd(6, "0");
  return BigInt(whole) * MICRO + BigInt(frac);
}

/**
 * A pricing unit for people.
 * @param {string} unit
 */
export function unitLabel(unit) {
  return unit === "per_1k_tokens" ? "per 1k tokens" : "per call";
}
