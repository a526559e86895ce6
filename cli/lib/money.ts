/**
 * USDC amounts as people type and read them ("1.5") ↔ integer micro-USDC as the gateway and the
 * chain use them (1500000n). Exact: string and bigint arithmetic only, never floats.
 */

const MICRO_PER_USDC = 1_000_000n;
const U64_MAX = 18_446_744_073_709_551_615n;
const DECIMAL = /^(\d+)(?:\.(\d*))?$|^\.(\d+)$/;

/**
 * Parses a USDC decimal ("1.5", "0.000001", "12", ".25") into micro-USDC. Throws a RangeError with
 * a message fit for a user on anything else: signs, exponents, more than 6 decimals, above u64.
 *
 * @example
 * parseUsdc("1.5"); // 1500000n
 */
export function parseUsdc(text: string): bigint {
  const match = DECIMAL.exec(text.trim());
  if (!match) throw new RangeError(`"${text}" is not a USDC amount (e.g. 1.5)`);
  const whole = match[1] ?? "0";
  const fraction = match[2] ?? match[3] ?? "";
  if (fraction.length > 6) throw new RangeError(`"${text}" has more than 6 decimals (USDC has 6)`);
  const micro = BigInt(whole) * MICRO_PER_USDC + BigInt(fraction.padEnd(6, "0") || "0");
  if (micro > U64_MAX) throw new RangeError(`"${text}" is too large`);
  return micro;
}

/** Like parseUsdc, but zero is refused too. */
export function parsePositiveUsdc(text: string): bigint {
  const micro = parseUsdc(text);
  if (micro === 0n) throw new RangeError(`"${text}" must be more than 0`);
  return micro;
}

/**
 * Formats micro-USDC (bigint or the gateway's decimal string) as USDC: at least 2 decimals, the
 * rest only when they carry value.
 *
 * @example
 * formatUsdc("1050"); // "0.00105"
 * formatUsdc(12_000_000n); // "12.00"
 */
export function formatUsdc(micro: bigint | string): string {
  const value = typeof micro === "bigint" ? micro : BigInt(micro);
  const sign = value < 0n ? "-" : "";
  const abs = value < 0n ? -value : value;
  const whole = abs / MICRO_PER_USDC;
  let fraction = (abs % MICRO_PER_USDC).toString().padStart(6, "0").replace(/0+$/, "");
  if (fraction.length < 2) fraction = fraction.padEnd(2, "0");
  return `${sign}${whole}.${fraction}`;
}
