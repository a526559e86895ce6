import { RpcCode, RpcError } from "../rpc-error.ts";
import { accountMethods } from "./accounts.ts";
import { clusterMethods } from "./cluster.ts";
import type { MethodContext, RpcMethod } from "./params.ts";
import { transactionMethods } from "./transactions.ts";

export type { MethodContext } from "./params.ts";

const methods: Record<string, RpcMethod> = { ...clusterMethods, ...accountMethods, ...transactionMethods };

/** Runs one JSON-RPC method; throws RpcError for unknown methods, bad params and Solana-level failures. */
export async function callMethod(method: string, params: unknown[], ctx: MethodContext): Promise<unknown> {
  const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (!handler) throw new RpcError(RpcCode.methodNotFound, "Method not found");
  checkMinContextSlot(params, ctx);
  return handler(params, ctx);
}

/** A request may demand a slot this node has not reached yet; answer as a lagging node would. */
function checkMinContextSlot(params: unknown[], ctx: MethodContext): void {
  const last = params.at(-1);
  if (typeof last !== "object" || last === null || !("minContextSlot" in last)) return;
  const { minContextSlot } = last;
  if (
    (typeof minContextSlot === "number" || typeof minContextSlot === "bigint") &&
    BigInt(minContextSlot) > ctx.chain.blocks.slot
  ) {
    throw new RpcError(RpcCode.minContextSlotNotReached, "Minimum context slot has not been reached", {
      contextSlot: ctx.chain.blocks.slot,
    });
  }
}
