/**
 * A Wallet-Standard test wallet for the browser tests. The page side (an init script) registers a
 * wallet with `standard:connect`, `solana:signMessage` and `solana:signAndSendTransaction`; every
 * signature is made in Node with the test keypair, through functions exposed to the page.
 */
import { createSolanaRpc, getBase58Encoder, type KeyPairSigner, signBytes } from "@solana/kit";
import type { BrowserContext } from "playwright-core";
import { signAndSend } from "../../dev/lib/buyer.ts";

export const TEST_WALLET_NAME = "Proxygate Test Wallet";

/** Runs in the page before any of its scripts: announces the wallet the Wallet Standard way. */
function installWallet(opts: { name: string; address: string; publicKey: number[] }): void {
  type Api = { register(...wallets: unknown[]): unknown };
  const w = window as unknown as {
    __testWalletSignMessage(b64: string): Promise<string>;
    __testWalletSignAndSend(b64: string): Promise<string>;
  };
  const toB64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
  const fromB64 = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const account = {
    address: opts.address,
    publicKey: new Uint8Array(opts.publicKey),
    chains: ["solana:localnet"],
    features: ["solana:signMessage", "solana:signAndSendTransaction"],
  };
  const wallet = {
    version: "1.0.0",
    name: opts.name,
    icon: "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAyNCAyNCI+PHJlY3Qgd2lkdGg9IjI0IiBoZWlnaHQ9IjI0IiByeD0iNiIgZmlsbD0iIzE0YjhhNiIvPjwvc3ZnPg==",
    chains: ["solana:localnet"],
    accounts: [] as (typeof account)[],
    features: {
      "standard:connect": {
        version: "1.0.0",
        connect: async () => {
          wallet.accounts = [account];
          return { accounts: wallet.accounts };
        },
      },
      "standard:events": { version: "1.0.0", on: () => () => {} },
      "solana:signMessage": {
        version: "1.0.0",
        signMessage: async (...inputs: { message: Uint8Array }[]) =>
          Promise.all(
            inputs.map(async (input) => ({
              signedMessage: input.message,
              signature: fromB64(await w.__testWalletSignMessage(toB64(input.message))),
            })),
          ),
      },
      "solana:signAndSendTransaction": {
        version: "1.0.0",
        supportedTransactionVersions: ["legacy", 0],
        signAndSendTransaction: async (...inputs: { transaction: Uint8Array }[]) =>
          Promise.all(
            inputs.map(async (input) => ({
              signature: fromB64(await w.__testWalletSignAndSend(toB64(input.transaction))),
            })),
          ),
      },
    },
  };
  const callback = ({ register }: Api) => register(wallet);
  window.dispatchEvent(new CustomEvent("wallet-standard:register-wallet", { detail: callback }));
  window.addEventListener("wallet-standard:app-ready", (event) => callback((event as CustomEvent<Api>).detail));
}

/** Installs the test wallet for `signer` in every page of `context`. */
export async function installTestWallet(context: BrowserContext, signer: KeyPairSigner, rpcUrl: string): Promise<void> {
  const rpc = createSolanaRpc(rpcUrl);
  await context.exposeFunction("__testWalletSignMessage", async (b64: string) => {
    const signature = await signBytes(signer.keyPair.privateKey, Buffer.from(b64, "base64"));
    return Buffer.from(signature).toString("base64");
  });
  await context.exposeFunction("__testWalletSignAndSend", async (b64: string) => {
    const signature = await signAndSend(rpc, b64, signer);
    return Buffer.from(getBase58Encoder().encode(signature)).toString("base64");
  });
  const publicKey = [...getBase58Encoder().encode(signer.address)];
  await context.addInitScript(installWallet, { name: TEST_WALLET_NAME, address: signer.address, publicKey });
}
