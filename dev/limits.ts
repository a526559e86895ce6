/**
 * Rate limits high enough never to trip: for the test projects and the benchmarks, which fire
 * hundreds of calls from one address and one wallet. `npm start` keeps the production defaults
 * (workers/env.ts); the tests that prove the limits set their own low values.
 */
export const RELAXED_LIMITS = {
  RATE_LIMIT_PUBLIC_PER_MINUTE: "1000000",
  RATE_LIMIT_SIGNIN_PER_MINUTE: "1000000",
  RATE_LIMIT_WALLET_CALLS_PER_SECOND: "1000000",
  RATE_LIMIT_WALLET_CALLS_BURST: "1000000",
  RATE_LIMIT_WALLET_API_PER_SECOND: "1000000",
  RATE_LIMIT_WALLET_API_BURST: "1000000",
} as const;
