import { afterAll, inject } from "vitest";
import { captured } from "./workers-capture.ts";
import "./engines.ts";

// The Workers test pool resolves @solana/kit's *browser* build (it forces the `browser` field),
// which refuses to sign unless `isSecureContext`; workerd has no such global. The deployed bundle
// uses kit's workerd/node build, which has no such check (verified with `npm run build`).
Object.defineProperty(globalThis, "isSecureContext", { value: true, configurable: true });

// Every console line of every test file (the Worker's and Durable Objects' logs run in this isolate
// too), still printed, and every response the Worker gave through SELF (test/workers/self.ts): handed
// to the engines' control server after the file, for the secrets scan (test/scan/secrets.test.ts).
for (const method of ["log", "info", "warn", "error", "debug"] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    captured.logs.push(args.map((a) => (typeof a === "string" ? a : (JSON.stringify(a) ?? String(a)))).join(" "));
    original(...args);
  };
}
afterAll(async () => {
  const controlUrl = inject("engines").controlUrl;
  const { logs, responses } = captured.drain();
  if (!controlUrl || logs.length + responses.length === 0) return;
  await fetch(`${controlUrl}/capture`, { method: "POST", body: JSON.stringify({ logs, responses }) });
});
