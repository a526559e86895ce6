import type { Env } from "../env.ts";

/** The CapacityFenceDO of one listing (one object per listing id). */
export function fenceStub(env: Pick<Env, "CAPACITY_FENCE">, listingId: string) {
  return env.CAPACITY_FENCE.get(env.CAPACITY_FENCE.idFromName(listingId));
}
