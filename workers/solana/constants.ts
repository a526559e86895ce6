/** USDC (and the local dev mint) has 6 decimals: amounts everywhere are integer micro-USDC. */
export const USDC_DECIMALS = 6;

/** The allowance given to the settlement delegate: all of it, for good (u64::MAX). */
export const UNLIMITED_ALLOWANCE = 2n ** 64n - 1n;
