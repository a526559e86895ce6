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
 * @param {{ higherIsBetter?: boolean, neutral?: boolean }} [opts] headroom: more is good; capacity in
 *   use: more is worse; neutral: a share with no good or bad side
 */
export function meter(label, fraction, text, opts = {}) {
  const clamped = Math.max(0, Math.min(1, fraction));
  const pressure = opts.higherIsBetter ? 1 - clamped : clamped;
  const tone = opts.neutral ? "accent" : pressure > 0.9 ? "bad" : pressure > 0.7 ? "warn" : "ok";
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

/**
 * p50 / p95 latency as one figure: "412 / 980 ms".
 * @param {number | null | undefined} p50
 * @param {number | null | undefined} p95
 */
export function latencyPair(p50, p95) {
  if (typeof p50 !== "number" && typeof p95 !== "number") return "—";
  const f = (/** @type {number | null | undefined} */ x) => (typeof x === "number" ? String(Math.round(x)) : "—");
  return `${f(p50)} / ${f(p95)} ms`;
}
