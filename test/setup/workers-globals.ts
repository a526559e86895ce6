// The Workers test pool resolves @solana/kit's *browser* build (it forces the `browser` field),
// which refuses to sign unless `isSecureContext`; workerd has no such global. The deployed bundle
// uses kit's workerd/node build, which has no such check (verified with `npm run build`).
Object.defineProperty(globalThis, "isSecureContext", { value: true, configurable: true });
