// API keys: list (prefixes and dates only), create (the new key is revealed once), revoke.
import { api } from "../api.js";
import { h, icon, mount } from "../dom.js";
import { signOut } from "../session.js";
import {
  badge,
  card,
  confirmDialog,
  dateTime,
  empty,
  errorText,
  load,
  pageHeader,
  relative,
  revealOnce,
  table,
  toast,
} from "../ui.js";

/** @typedef {{ id: string, prefix: string, createdAt: string, lastUsedAt: string | null, revokedAt: string | null, current: boolean }} KeySummary */

/** @param {import("../main.js").ViewContext} ctx */
export function keysView(ctx) {
  const list = h("div");
  const refresh = () =>
    load(
      list,
      () => api("/v1/keys", { signal: ctx.signal }),
      (/** @type {{ keys: KeySummary[] }} */ data) => {
        if (data.keys.length === 0)
          return empty("No keys", "Create a key for each agent so you can revoke them one by one.");
        return table(
          "API keys",
          ["Key", "Created", "Last used", "Status", ""],
          data.keys.map((k) => [
            h("span", { class: "mono" }, k.prefix, k.current ? badge("this session", "accent") : null),
            dateTime(k.createdAt),
            relative(k.lastUsedAt),
            k.revokedAt ? badge("revoked", "bad") : badge("active", "ok"),
            k.revokedAt
              ? ""
              : h(
                  "button",
                  {
                    class: "btn btn-danger-ghost btn-small",
                    type: "button",
                    "aria-label": `Revoke key ${k.prefix}`,
                    onclick: async () => {
                      const ok = await confirmDialog({
                        title: "Revoke this key?",
                        text: k.current
                          ? "This is the key this dashboard session uses: revoking it signs you out. Agents using it are refused at once."
                          : "Agents using this key are refused from the very next request. This cannot be undone.",
                        confirm: "Revoke key",
                        danger: true,
                      });
                      if (!ok) return;
                      try {
                        await api(`/v1/keys/${k.id}`, { method: "DELETE", signal: ctx.signal });
                        toast(`Key ${k.prefix} revoked`);
                        if (k.current) {
                          signOut();
                          location.hash = "#/signin";
                        } else refresh();
                      } catch (err) {
                        toast(errorText(err), "bad");
                      }
                    },
                  },
                  "Revoke",
                ),
          ]),
          { testid: "keys-table" },
        );
      },
      { what: "your API keys" },
    );
  mount(
    ctx.main,
    pageHeader(
      "API keys",
      "Keys authenticate your agents and scripts as your wallet. Only a short prefix is kept for display; the full key is shown once, when it is created.",
      h(
        "button",
        {
          class: "btn btn-primary",
          type: "button",
          "data-testid": "create-key",
          onclick: async () => {
            try {
              const issued = /** @type {{ apiKey: string }} */ (
                await api("/v1/keys", { method: "POST", signal: ctx.signal })
              );
              refresh();
              await revealOnce({
                title: "New API key",
                text: "Give this key to your agent as a Bearer token.",
                secret: issued.apiKey,
              });
            } catch (err) {
              toast(errorText(err), "bad");
            }
          },
        },
        icon("plus", 16),
        "Create key",
      ),
    ),
    card("Your keys", list, { wide: true }),
  );
  refresh();
}
