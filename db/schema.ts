// The Postgres system of record (DESIGN §1). drizzle-kit reads this file; db/migrations is generated from it.
export * from "./schema/enums.ts";
export * from "./schema/ledger.ts";
export * from "./schema/listings.ts";
export * from "./schema/security.ts";
export * from "./schema/settlement.ts";
export * from "./schema/tasks.ts";
export * from "./schema/vaults.ts";
export * from "./schema/wallets.ts";
