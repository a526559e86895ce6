import { createApp } from "./app.ts";
import { runScheduled } from "./cron/scheduled.ts";
import { type Env, validateEnv } from "./env.ts";

export { CapacityFenceDO } from "../durable-objects/capacity-fence.ts";
export { WalletDO } from "../durable-objects/wallet.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    const checked = validateEnv(env);
    if (!checked.ok) {
      console.error(
        JSON.stringify({ level: "error", event: "cron", msg: `bad_environment: ${checked.problems.join("; ")}` }),
      );
      return;
    }
    ctx.waitUntil(runScheduled(controller, checked.env));
  },
} satisfies ExportedHandler<Env>;
