/**
 * The one migrate command (`npm run db:migrate`): DATABASE_URL (required) and PG_WS_PROXY (local relay,
 * optional) come from the environment. On failure: one line on stderr, exit code 1, password redacted.
 */
import { migrate } from "./migrate.ts";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("db:migrate: DATABASE_URL is not set");
  process.exit(1);
}

try {
  await migrate({ databaseUrl, wsProxy: process.env.PG_WS_PROXY || undefined });
  console.log(`db:migrate: up to date (${describe(databaseUrl)})`);
} catch (error) {
  console.error(`db:migrate: failed (${describe(databaseUrl)}): ${redact(reason(error), databaseUrl)}`);
  process.exit(1);
}

/** host:port/database, never the credentials. */
function describe(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return "unparsable DATABASE_URL";
  }
}

/**
 * The innermost useful message, on one line. drizzle wraps driver errors ("Failed query: <sql>"), and
 * WebSocket failures arrive as an ErrorEvent whose `error` holds the real one.
 */
function reason(error: unknown): string {
  let message = "unknown error";
  let e: unknown = error;
  for (let depth = 0; e && typeof e === "object" && depth < 8; depth++) {
    const { message: m, code } = e as { message?: unknown; code?: unknown };
    if (typeof m === "string" && m.trim()) message = m;
    else if (typeof code === "string") message = code;
    const next = e as { cause?: unknown; error?: unknown };
    e = next.cause ?? next.error;
  }
  if (typeof error !== "object" || error === null) message = String(error);
  return message.replace(/\s+/g, " ").trim().slice(0, 500) + hint(message);
}

function hint(message: string): string {
  if (!process.env.PG_WS_PROXY) return "";
  if (/ECONNREFUSED/.test(message) && message.includes(process.env.PG_WS_PROXY)) {
    return " (is the local relay at PG_WS_PROXY running?)";
  }
  if (/Unexpected server response: 403/.test(message)) return " (the local relay only forwards to loopback addresses)";
  return "";
}

function redact(text: string, url: string): string {
  let out = text.split(url).join("<DATABASE_URL>");
  try {
    const u = new URL(url);
    for (const secret of [u.password, decodeURIComponent(u.password)]) {
      if (secret) out = out.split(secret).join("***");
    }
  } catch {}
  return out;
}
