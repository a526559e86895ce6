import { type Address, address } from "@solana/kit";

export const SYSTEM_PROGRAM = address("11111111111111111111111111111111");
export const TOKEN_PROGRAM = address("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
export const TOKEN_2022_PROGRAM = address("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");
export const ASSOCIATED_TOKEN_PROGRAM = address("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
export const COMPUTE_BUDGET_PROGRAM = address("ComputeBudget111111111111111111111111111111");
/** Memo v2 (what wallets use) and the legacy v1 program; both are loaded by LiteSVM. */
export const MEMO_PROGRAMS: ReadonlySet<Address> = new Set([
  address("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr"),
  address("Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo"),
]);

export const TOKEN_PROGRAMS: ReadonlySet<Address> = new Set([TOKEN_PROGRAM, TOKEN_2022_PROGRAM]);

/** Agave's MAX_PROCESSING_AGE: a blockhash stays usable for 150 blocks after the one that produced it. */
export const BLOCKHASH_VALID_BLOCKS = 150n;
/** LiteSVM's default fee structure: 5000 lamports per signature (plus the priority fee). */
export const LAMPORTS_PER_SIGNATURE = 5000n;
/** u64::MAX, what real validators report as rentEpoch for rent-exempt accounts. */
export const RENT_EPOCH_EXEMPT = 18446744073709551615n;

/** Version the server claims; JSON-RPC `context.apiVersion` and getVersion use it. */
export const SOLANA_CORE_VERSION = "2.2.0";
export const FEATURE_SET = 3294202862;

/** The dev USDC-like mint: 6 decimals, keys derived from fixed seeds so its address is stable across restarts. */
export const DEV_MINT_DECIMALS = 6;
export const DEV_MINT_SEED = "proxygate/dev/usdc-mint";
export const DEV_AUTHORITY_SEED = "proxygate/dev/mint-authority";
/** Lamports given to the dev authority (it pays faucet transfers and ATA rent): 100M SOL. */
export const DEV_AUTHORITY_LAMPORTS = 100_000_000_000_000_000n;
