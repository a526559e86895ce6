import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const luaDir = join(import.meta.dirname, "..", "..", "lua");

/**
 * Pinned SHA-1s of the Lua scripts. Redis caches scripts by SHA: an edit is a new script, so a
 * change here is deliberate and reviewed, never accidental (e.g. a formatter touching whitespace).
 */
const PINNED: Record<string, string> = {
  "health-read.lua": "44af4fa57b75b99eaebfdd8b92f0b88d8b4f453f",
  "health-record.lua": "0ebf2039e6631b8415b3ed6773aae29815781cd5",
  "lock-acquire.lua": "9c6cd9a87ea2732296f7fd29002f7e0b8735a065",
  "lock-release.lua": "f1480e5d22541b36f75f646bd195e9f05351c8c5",
  "nonce-consume.lua": "a3d4a1c91a64e03f5f587b7f0c43909e24aad550",
  "nonce-issue.lua": "5b16230732edcc1f05ca413ff52ded3236678443",
  "ratelimit-sliding.lua": "e04e112aad38f93a45dc64abb8f899449e02e4b1",
};

describe("lua/ scripts", () => {
  it("every script is pinned and matches its pinned SHA-1", () => {
    const files = readdirSync(luaDir).filter((f) => f.endsWith(".lua"));
    expect(files.sort()).toEqual(Object.keys(PINNED).sort());
    for (const file of files) {
      const sha = createHash("sha1")
        .update(readFileSync(join(luaDir, file)))
        .digest("hex");
      expect(sha, file).toBe(PINNED[file]);
    }
  });

  it("every script documents each KEYS[i] and ARGV[i] it uses in its header", () => {
    for (const file of readdirSync(luaDir).filter((f) => f.endsWith(".lua"))) {
      const source = readFileSync(join(luaDir, file), "utf8");
      const header = source
        .split("\n")
        .filter((l) => l.startsWith("--"))
        .join("\n");
      for (const ref of new Set(source.match(/(KEYS|ARGV)\[\d+\]/g) ?? [])) {
        expect(header, `${file} documents ${ref}`).toContain(ref);
      }
    }
  });
});
