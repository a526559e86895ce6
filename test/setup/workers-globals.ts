import { afterAll, inject } from "vitest";
import "./engines.ts";

// The Workers test pool resolves @solana/kit's *browser* build (it forces the `browser` field),
// which refuses to sign unless `isSecureContext`; workerd has no such global. The deployed bundle
// uses kit's workerd/node build, which has no such check (verified with `npm run build`).
Object.defineProperty(globalThis, "isSecureContext", { value: true, configurable: true });

// Every console line of every test file (the Worker's and Durable Objects' logs run in this isolate
// too), still printed, and handed to the engines' control server after the file: the secrets scan
// (test/workers/secrets-scan.serial.test.ts) searches them all for every secret the suite used.
const captured: string[] = [];
for (const method of ["log", "info", "warn", "error", "debug"] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    captured.push(args.map((a) => (typeof a === "string" ? a : (JSON.stringify(a) ?? String(a)))).join(" "));
    original(...args);
  };
}
afterAll(async () => {
  const controlUrl = inject("engines").controlUrl;
  if (!controlUrl || captured.length === 0) return;
  await fetch(`${controlUrl}/capture`, { method: "POST", body: JSON.stringify(captured.splice(0)) });
});
