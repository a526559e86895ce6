// Formatting shared by several views: health figures, capacity meters, request ids.
import { h } from "../dom.js";

/**
 * A fraction 0..1 as a percentage, or "—".
 * @param {number | null | undefined} x
 * @param {number} [digits]
 */
export function pct(x, digits = 1) {
  return typeof x === "number" ? `${(x * 100).toFixed(digits)}%` : "—";
}

/** @param {number | null | undefined} ms */
export function millis(ms) {
  return typeof ms === "number" ? `${Math.round(ms)} ms` : "—";
}

/**
 * A labelled meter (capacity use, headroom).
 * @param {string} label
 * @param {number} fraction 0..1
 * @param {string} text
 */
export function meter(label, fraction, text) {
  const clamped = Math.max(0, Math.min(1, fraction));
  const tone = clamped > 0.9 ? "bad" : clamped > 0.7 ? "warn" : "ok";
  return h(
    "div",
    { class: "meter-row" },
    h("div", { class: "meter-label" }, h("span", {}, label), h("span", { class: "muted" }, text)),
    h(
      "div",
      {
        class: `meter meter-${tone}`,
        role: "meter",
        "aria-label": label,
        "aria-valuemin": 0,
        "aria-valuemax": 100,
        "aria-valuenow": Math.round(clamped * 100),
        "aria-valuetext": text,
      },
      h("span", { style: `width:${(clamped * 100).toFixed(1)}%` }),
    ),
  );
}

/** @param {string} window */
export function perWindow(window) {
  return `per ${window}`;
}
