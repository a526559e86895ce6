// Sign-in: with a Solana wallet (challenge → the wallet signs the message → verify → a new API
// key, revealed once) or by pasting an API key issued before.
import { api } from "../api.js";
import { h, mount } from "../dom.js";
import { go, hashQuery } from "../route.js";
import { signInWithKey, signOut, walletOfKey } from "../session.js";
import { errorText, field, pageHeader, revealOnce } from "../ui.js";
import { availableWallets, onWalletsChanged } from "../wallet.js";

/** @typedef {import("../main.js").ViewContext} ViewContext */

/** Where to go after signing in: the page that asked for it, or the seller overview. */
function nextPath() {
  const next = hashQuery().get("next");
  return next?.startsWith("/") && !next.startsWith("/signin") ? next : "/seller";
}

/**
 * @param {import("../wallet.js").WalletAdapter} w
 * @param {HTMLElement} status
 */
async function signInWithWallet(w, status) {
  status.className = "form-status";
  status.textContent = `Connecting to ${w.name}…`;
  const address = await w.connect();
  status.textContent = "Waiting for your signature in the wallet…";
  const challenge = await api("/v1/auth/challenge", { body: { wallet: address }, auth: false });
  const { nonce, message } = /** @type {{ nonce: string, message: string }} */ (challenge);
  const signature = await w.signMessage(address, new TextEncoder().encode(message));
  status.textContent = "Verifying the signature…";
  const issued = /** @type {{ apiKey: string }} */ (
    await api("/v1/auth/verify", { body: { wallet: address, nonce, signature }, auth: false })
  );
  signInWithKey(issued.apiKey);
  status.textContent = "Signed in.";
  await revealOnce({
    title: "Your new API key",
    text: "Signing in created this API key. Agents use it as a Bearer token; this dashboard keeps it for this tab only.",
    secret: issued.apiKey,
  });
  go(nextPath());
}

/** @param {ViewContext} ctx */
export function signInView(ctx) {
  const walletList = h("div", { class: "wallet-list" });
  const walletStatus = h("p", { class: "form-status", role: "status", "aria-live": "polite" });

  const renderWallets = () => {
    const wallets = availableWallets();
    if (wallets.length === 0) {
      mount(
        walletList,
        h(
          "p",
          { class: "muted" },
          "No Solana wallet was found in this browser. Install one that supports the Wallet Standard (Phantom, Solflare, Backpack…) and reload, or paste an API key below.",
        ),
      );
      return;
    }
    mount(
      walletList,
      ...wallets.map((w) =>
        h(
          "button",
          {
            class: "btn btn-wallet",
            type: "button",
            "data-testid": "wallet-button",
            onclick: async (event) => {
              const btn = /** @type {HTMLButtonElement} */ (event.currentTarget);
              btn.disabled = true;
              try {
                await signInWithWallet(w, walletStatus);
              } catch (err) {
                walletStatus.className = "form-status error";
                walletStatus.textContent = `Sign-in failed: ${errorText(err)}`;
              } finally {
                btn.disabled = false;
              }
            },
          },
          w.icon ? h("img", { src: w.icon, alt: "", width: 24, height: 24 }) : null,
          h("span", {}, `Sign in with ${w.name}`),
        ),
      ),
    );
  };
  renderWallets();
  const unsubscribe = onWalletsChanged(renderWallets);
  ctx.signal.addEventListener("abort", () => {
    unsubscribe();
  });

  const keyInput = h("input", {
    type: "password",
    name: "apiKey",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "pgk_…",
    required: true,
  });
  const keyStatus = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  const keyForm = h(
    "form",
    {
      class: "stack",
      onsubmit: async (event) => {
        event.preventDefault();
        const key = keyInput.value.trim();
        if (walletOfKey(key) === null) {
          keyStatus.className = "form-status error";
          keyStatus.textContent = "That is not a proxygate API key: keys look like pgk_<wallet>_<secret>.";
          keyInput.focus();
          return;
        }
        keyStatus.className = "form-status";
        keyStatus.textContent = "Checking the key…";
        signInWithKey(key);
        try {
          await api("/v1/keys");
          keyInput.value = "";
          go(nextPath());
        } catch (err) {
          signOut();
          keyStatus.className = "form-status error";
          keyStatus.textContent = `This key does not work: ${errorText(err)}`;
        }
      },
    },
    field("API key", keyInput, "Stored in this tab's session storage only, and never shown again."),
    h("div", {}, h("button", { class: "btn btn-secondary", type: "submit" }, "Sign in with key")),
    keyStatus,
  );

  mount(
    ctx.main,
    h(
      "div",
      { class: "signin" },
      pageHeader(
        "Sign in to proxygate",
        "Your wallet is your account: sellers get paid to it, buyers pay from its vault.",
      ),
      h(
        "div",
        { class: "grid two" },
        h(
          "section",
          { class: "card", "aria-labelledby": "wallet-title" },
          h("h2", { id: "wallet-title" }, "With your wallet"),
          h(
            "p",
            { class: "muted" },
            "Your wallet signs a one-time message. Nothing is sent on chain and no funds move.",
          ),
          walletList,
          walletStatus,
        ),
        h(
          "section",
          { class: "card", "aria-labelledby": "key-title" },
          h("h2", { id: "key-title" }, "With an API key"),
          h("p", { class: "muted" }, "Already have a key from the CLI or an earlier sign-in? Paste it here."),
          keyForm,
        ),
      ),
    ),
  );
}
