// Solana browser wallets: the Wallet Standard (wallets announce themselves with the
// `wallet-standard:register-wallet` event; features `standard:connect`, `solana:signMessage`,
// `solana:signAndSendTransaction`) and, as a fallback, the older injected provider
// (`window.phantom.solana` / `window.solana` with `connect()` and `signMessage()`).
import { base64ToBytes, encodeBase58 } from "./base58.js";

/**
 * @typedef {{ address: string, publicKey: Uint8Array }} StandardAccount
 * @typedef {{ connect(input?: { silent?: boolean }): Promise<{ accounts: readonly StandardAccount[] }> }} ConnectFeature
 * @typedef {{ signMessage(...inputs: { account: StandardAccount, message: Uint8Array }[]): Promise<readonly { signature: Uint8Array }[]> }} SignMessageFeature
 * @typedef {{ signAndSendTransaction(...inputs: { account: StandardAccount, transaction: Uint8Array, chain: string }[]): Promise<readonly { signature: Uint8Array }[]> }} SignAndSendFeature
 * @typedef {{ name: string, icon: string, chains: readonly string[], accounts: readonly StandardAccount[], features: Record<string, unknown> }} StandardWallet
 * @typedef {{ publicKey?: { toString(): string } | null, connect(): Promise<{ publicKey: { toString(): string } }>, signMessage(message: Uint8Array, display?: string): Promise<{ signature: Uint8Array } | Uint8Array>, signAndSendTransaction?: (tx: unknown) => Promise<{ signature: string }> }} InjectedProvider
 */

/**
 * A connected wallet, whatever kind it is.
 * @typedef {{ name: string, icon: string | null, connect(): Promise<string>, signMessage(address: string, message: Uint8Array): Promise<string>, signAndSend: ((address: string, tx: Uint8Array) => Promise<string>) | null }} WalletAdapter
 */

/** @type {Set<StandardWallet>} */
const standardWallets = new Set();
/** @type {Set<() => void>} */
const listeners = new Set();

const registry = Object.freeze({
  /** @param {...StandardWallet} wallets */
  register(...wallets) {
    for (const w of wallets) standardWallets.add(w);
    for (const l of listeners) l();
    return () => {
      for (const w of wallets) standardWallets.delete(w);
      for (const l of listeners) l();
    };
  },
});

/** Starts listening for Wallet Standard wallets (call once, early). */
export function startWalletDiscovery() {
  window.addEventListener("wallet-standard:register-wallet", (event) => {
    const callback = /** @type {CustomEvent<(api: typeof registry) => void>} */ (event).detail;
    if (typeof callback === "function") callback(registry);
  });
  window.dispatchEvent(new CustomEvent("wallet-standard:app-ready", { detail: registry }));
}

/** @param {() => void} listener */
export function onWalletsChanged(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * @param {StandardWallet} w
 * @returns {boolean}
 */
function isSolanaWallet(w) {
  return (
    w.chains.some((c) => c.startsWith("solana:")) &&
    "solana:signMessage" in w.features &&
    "standard:connect" in w.features
  );
}

/**
 * @param {StandardWallet} w
 * @returns {WalletAdapter}
 */
function fromStandard(w) {
  const connectFeature = /** @type {ConnectFeature} */ (w.features["standard:connect"]);
  const signFeature = /** @type {SignMessageFeature} */ (w.features["solana:signMessage"]);
  const sendFeature = /** @type {SignAndSendFeature | undefined} */ (w.features["solana:signAndSendTransaction"]);
  /** @param {string} address */
  const accountFor = (address) => {
    const account = w.accounts.find((a) => a.address === address);
    if (!account) throw new Error(`${w.name} is no longer connected to ${address}`);
    return account;
  };
  return {
    name: w.name,
    icon: w.icon,
    async connect() {
      const { accounts } = await connectFeature.connect();
      const first = accounts[0];
      if (!first) throw new Error(`${w.name} shared no account`);
      return first.address;
    },
    async signMessage(address, message) {
      const [out] = await signFeature.signMessage({ account: accountFor(address), message });
      if (!out) throw new Error(`${w.name} returned no signature`);
      return encodeBase58(out.signature);
    },
    signAndSend: sendFeature
      ? async (address, transaction) => {
          const chain = w.chains.find((c) => c.startsWith("solana:")) ?? "solana:mainnet";
          const [out] = await sendFeature.signAndSendTransaction({ account: accountFor(address), transaction, chain });
          if (!out) throw new Error(`${w.name} returned no signature`);
          return encodeBase58(out.signature);
        }
      : null,
  };
}

/**
 * @param {InjectedProvider} p
 * @returns {WalletAdapter}
 */
function fromInjected(p) {
  return {
    name: "Browser wallet",
    icon: null,
    async connect() {
      const { publicKey } = await p.connect();
      return publicKey.toString();
    },
    async signMessage(_address, message) {
      const out = await p.signMessage(message, "utf8");
      return encodeBase58(out instanceof Uint8Array ? out : out.signature);
    },
    signAndSend: null,
  };
}

/** @returns {WalletAdapter[]} every wallet that can sign in, Wallet Standard ones first */
export function availableWallets() {
  const found = [...standardWallets].filter(isSolanaWallet).map(fromStandard);
  const w = /** @type {{ phantom?: { solana?: InjectedProvider }, solana?: InjectedProvider }} */ (
    /** @type {unknown} */ (window)
  );
  const injected = w.phantom?.solana ?? w.solana;
  if (found.length === 0 && injected && typeof injected.signMessage === "function") found.push(fromInjected(injected));
  return found;
}

/**
 * Signs and sends a gateway-built transaction (base64 wire format) with the first wallet that
 * supports it and is connected to `address`.
 * @param {string} address
 * @param {string} base64Tx
 * @returns {Promise<string>} the transaction signature (base58)
 */
export async function signAndSendWithWallet(address, base64Tx) {
  for (const w of availableWallets()) {
    if (!w.signAndSend) continue;
    const connected = await w.connect();
    if (connected !== address) continue;
    return w.signAndSend(address, base64ToBytes(base64Tx));
  }
  throw new Error("No connected wallet can sign transactions for this address. Connect the wallet you signed in with.");
}
