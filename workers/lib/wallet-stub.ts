import type { Env } from "../env.ts";

/** The WalletDO of one buyer wallet (one object per wallet address). */
export function walletStub(env: Pick<Env, "WALLET">, wallet: string) {
  return env.WALLET.get(env.WALLET.idFromName(wallet));
}
