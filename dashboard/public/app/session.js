// The signed-in API key lives in sessionStorage: it survives reloads of this tab, is not shared
// with other tabs and is gone when the tab closes (docs/decisions/015-dashboard.md). It is only
// ever sent in the Authorization header; the UI never renders it after the one-time reveal.

const KEY = "proxygate.apiKey";
const KEY_FORMAT = /^pgk_([1-9A-HJ-NP-Za-km-z]{32,44})_([1-9A-HJ-NP-Za-km-z]+)$/;

/** @returns {string | null} */
export function apiKey() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/**
 * The wallet an API key belongs to (`pgk_<wallet>_<secret>`), or null when it is not a key.
 * @param {string} key
 */
export function walletOfKey(key) {
  return KEY_FORMAT.exec(key.trim())?.[1] ?? null;
}

/** @returns {string | null} the signed-in wallet */
export function wallet() {
  const key = apiKey();
  return key === null ? null : walletOfKey(key);
}

/** @param {string} key */
export function signInWithKey(key) {
  sessionStorage.setItem(KEY, key.trim());
  window.dispatchEvent(new Event("proxygate:session"));
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  window.dispatchEvent(new Event("proxygate:session"));
}

/**
 * A wallet address shortened for display: `Ab3d…x9Yz`.
 * @param {string} address
 */
export function shortAddress(address) {
  return address.length > 12 ? `${address.slice(0, 4)}…${address.slice(-4)}` : address;
}
