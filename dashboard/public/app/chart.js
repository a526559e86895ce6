// Small hand-written SVG charts. Each chart is an <svg role="img"> with a text summary, followed by
// a visually hidden table of the same numbers for screen readers.
import { h, s } from "./dom.js";

/**
 * @typedef {{ label: string, value: number, display: string }} Point
 */

/**
 * "Nice" upper bound for an axis: 1, 2 or 5 × 10^n at or above `max`.
 * @param {number} max
 */
export function niceMax(max) {
  if (max <= 0) return 1;
  const exp = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * exp >= max) return m * exp;
  return 10 * exp;
}

/**
 * A bar chart over days (or any ordered labels).
 * @param {{ title: string, points: Point[], formatAxis: (n: number) => string, testid?: string }} opts
 */
export function barChart(opts) {
  const W = 640;
  const H = 220;
  const pad = { top: 12, right: 22, bottom: 28, left: 56 };
  const innerW = W - pad.left - pad.right;
  const innerH = H - pad.top - pad.bottom;
  const max = niceMax(Math.max(0, ...opts.points.map((p) => p.value)));
  const n = Math.max(1, opts.points.length);
  const slot = innerW / n;
  const barW = Math.max(2, Math.min(28, slot * 0.7));
  const total = opts.points.reduce((sum, p) => sum + p.value, 0);

  /** @type {SVGElement[]} */
  const grid = [];
  for (let i = 0; i <= 4; i++) {
    const y = pad.top + innerH - (innerH * i) / 4;
    grid.push(s("line", { x1: pad.left, x2: W - pad.right, y1: y, y2: y, class: "grid-line" }));
    grid.push(
      s("text", { x: pad.left - 8, y: y + 4, class: "axis", "text-anchor": "end" }, opts.formatAxis((max * i) / 4)),
    );
  }
  const every = Math.ceil(n / 8);
  const bars = opts.points.map((p, i) => {
    const hgt = (innerH * p.value) / max;
    const x = pad.left + slot * i + (slot - barW) / 2;
    const bar = s("rect", {
      x,
      y: pad.top + innerH - hgt,
      width: barW,
      height: Math.max(hgt, p.value > 0 ? 1.5 : 0),
      rx: Math.min(4, barW / 3),
      class: "bar",
    });
    bar.append(s("title", {}, `${p.label}: ${p.display}`));
    return bar;
  });
  const labels = opts.points.flatMap((p, i) =>
    (n - 1 - i) % every === 0
      ? [s("text", { x: pad.left + slot * i + slot / 2, y: H - 8, class: "axis", "text-anchor": "middle" }, p.label)]
      : [],
  );
  const svg = s(
    "svg",
    {
      viewBox: `0 0 ${W} ${H}`,
      class: "chart",
      role: "img",
      "aria-label": `${opts.title}: ${opts.points.length} days, ${total > 0 ? "see table" : "no activity"}`,
    },
    ...grid,
    ...bars,
    ...labels,
  );
  return h(
    "figure",
    { class: "chart-figure", "data-testid": opts.testid },
    svg,
    // Tables ignore `height`, so the visually hidden copy sits in a hidden div, not on the table.
    h(
      "div",
      { class: "sr-only" },
      h(
        "table",
        {},
        h("caption", {}, opts.title),
        h(
          "tbody",
          {},
          ...opts.points.map((p) => h("tr", {}, h("th", { scope: "row" }, p.label), h("td", {}, p.display))),
        ),
      ),
    ),
  );
}

/**
 * The last `days` calendar days (UTC) as YYYY-MM-DD, oldest first.
 * @param {number} days
 * @param {number} [now]
 */
export function lastDays(days, now = Date.now()) {
  const out = [];
  for (let i = days - 1; i >= 0; i--) out.push(new Date(now - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}

/** @param {string} day YYYY-MM-DD */
export function shortDay(day) {
  const d = new Date(`${day}T00:00:00Z`);
  return d.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}
