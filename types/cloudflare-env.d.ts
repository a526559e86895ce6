// `env` from "cloudflare:test" and the runtime's `Cloudflare.Env` are the gateway's validated Env.
type ProxygateEnv = import("../workers/env.ts").Env;

declare namespace Cloudflare {
  interface Env extends ProxygateEnv {}
}
