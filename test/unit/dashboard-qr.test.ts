/**
 * The dashboard's QR encoder (dashboard/public/app/qr.js): every code it draws must decode, with an
 * independent decoder (jsQR), back to exactly the text it was given.
 */
import fc from "fast-check";
import jsQR from "jsqr";
import { describe, expect, it } from "vitest";
import { encodeQr } from "../../dashboard/public/app/qr.js";

/** Renders the modules to RGBA pixels (4-module quiet zone, `scale` px per module) and decodes them. */
function decode(text: string, scale = 4): string | null {
  const { size, modules } = encodeQr(text);
  const side = (size + 8) * scale;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!modules[y]?.[x]) continue;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const p = (((y + 4) * scale + dy) * side + (x + 4) * scale + dx) * 4;
          pixels[p] = pixels[p + 1] = pixels[p + 2] = 0;
        }
      }
    }
  }
  return jsQR(pixels, side, side, { inversionAttempts: "dontInvert" })?.data ?? null;
}

describe("dashboard QR encoder", () => {
  it("encodes a Solana address that decodes back", () => {
    const address = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM";
    expect(decode(address)).toBe(address);
  });

  it("picks the smallest version and handles every version up to 10", () => {
    expect(encodeQr("a").version).toBe(1);
    expect(encodeQr("x".repeat(14)).version).toBe(1);
    expect(encodeQr("x".repeat(15)).version).toBe(2);
    for (const length of [30, 60, 90, 110, 130, 150, 180, 213]) {
      const text = "A1b2".repeat(60).slice(0, length);
      expect(decode(text), `length ${length} (version ${encodeQr(text).version})`).toBe(text);
    }
    expect(() => encodeQr("x".repeat(214))).toThrow(RangeError);
  });

  it("round-trips arbitrary text, UTF-8 included (property)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60, unit: "grapheme" }), (text) => {
        fc.pre(new TextEncoder().encode(text).length <= 213);
        expect(decode(text)).toBe(text);
      }),
      { numRuns: 60 },
    );
  });
});
