/**
 * Operator command: block or unblock a wallet on the bounty board (no admin HTTP route exists).
 *
 *   npm run wallet:block -- <address> <reason…>
 *   npm run wallet:unblock -- <address> <reason…>
 *
 * DATABASE_URL (required) and PG_WS_PROXY (local relay, optional) come from the environment. A
 * blocked wallet cannot post, claim or submit tasks (403 `forbidden`); both actions are recorded
 * in security_events. Tasks already funded or claimed keep their state.
 */
import { blockWallet, unblockWallet } from "../workers/tasks/store.ts";
import { createDb, createNodePool } from "./node.ts";

const [command, address, ...words] = process.argv.slice(2);
const reason = words.join(" ").trim();
const usage = "usage: wallet-block-cli.ts block|unblock <address> <reason>";

if ((command !== "block" && command !== "unblock") || !address || !reason) {
  console.error(usage);
  process.exit(2);
}
if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(address)) {
  console.error(`wallet:${command}: not a base58 wallet address: ${address}`);
  process.exit(2);
}
if (reason.length > 500) {
  console.error(`wallet:${command}: the reason is limited to 500 characters`);
  process.exit(2);
}
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error(`wallet:${command}: DATABASE_URL is not set`);
  process.exit(1);
}

const pool = createNodePool({ DATABASE_URL: databaseUrl, PG_WS_PROXY: process.env.PG_WS_PROXY || undefined });
try {
  const db = createDb(pool);
  if (command === "block") {
    await blockWallet(db, address, reason);
    console.log(`wallet:block: ${address} is blocked from the bounty board`);
  } else {
    const lifted = await unblockWallet(db, address, reason);
    console.log(lifted ? `wallet:unblock: ${address} is unblocked` : `wallet:unblock: ${address} was not blocked`);
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`wallet:${command}: failed: ${message.split(databaseUrl).join("<DATABASE_URL>").slice(0, 300)}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
