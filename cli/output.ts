/**
 * Output: where text goes (an `Io`, so tests can capture it), tables and key/value blocks for
 * people, and a spinner that only ever draws on an interactive terminal.
 */

export interface Io {
  /** Writes to stdout, resolving once the chunk is handed off (backpressure respected). */
  out(chunk: string | Uint8Array): Promise<void>;
  /** Writes one line to stderr. */
  err(line: string): void;
  /** Writes raw text to stderr (the spinner's frames). */
  errRaw(text: string): void;
  /** stderr is an interactive terminal (spinners, colours allowed). */
  interactive: boolean;
  env: Record<string, string | undefined>;
  /** Reads all of stdin (for `-d @-` and keys piped in). */
  stdin(): Promise<string>;
}

/** Prints a value as pretty JSON on stdout (what `--json` prints). */
export function printJson(io: Io, value: unknown): Promise<void> {
  return io.out(`${JSON.stringify(value, null, 2)}\n`);
}

export type Align = "left" | "right";

/**
 * A plain-text table: a header row, columns padded to their widest cell, two spaces apart.
 *
 * @example
 * table(["id", "price"], [["a", "1.00"]], ["left", "right"]);
 */
export function table(header: string[], rows: string[][], align: Align[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (align[i] === "right" ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

/** `label  value` lines, labels padded to the widest. Null values are left out. */
export function keyValues(pairs: [string, string | null][]): string {
  const shown = pairs.filter((p): p is [string, string] => p[1] !== null);
  const width = Math.max(...shown.map(([k]) => k.length));
  return `${shown.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\n`;
}

/** A percentage with at most one decimal, or "–" when unknown. */
export function percent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "–";
  return `${Math.round(ratio * 1000) / 10}%`;
}

/** "2026-11-23T10:00:00.000Z" → "2026-11-23 10:00:00" (UTC, as the gateway sends it). */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  return iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "");
}

export interface Spinner {
  update(text: string): void;
  stop(): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A stderr spinner on a TTY; on anything else (pipes, CI, `--json`) it draws nothing. */
export function spinner(io: Io, text: string, enabled = true): Spinner {
  if (!enabled || !io.interactive) return { update() {}, stop() {} };
  let frame = 0;
  let current = text;
  const draw = () => io.errRaw(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${current}`);
  draw();
  const timer = setInterval(draw, 80);
  return {
    update(next) {
      current = next;
      draw();
    },
    stop() {
      clearInterval(timer);
      io.errRaw("\r\x1b[2K");
    },
  };
}
