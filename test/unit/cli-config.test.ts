import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configPath, loadConfig, saveConfig } from "../../cli/config.ts";
import { CliError } from "../../cli/errors.ts";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "proxygate-config-"));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the CLI config file", () => {
  it("lives at PROXYGATE_CONFIG, else under XDG_CONFIG_HOME, else ~/.config", () => {
    expect(configPath({ PROXYGATE_CONFIG: "/x/c.json", XDG_CONFIG_HOME: "/y" })).toBe("/x/c.json");
    expect(configPath({ XDG_CONFIG_HOME: "/y" })).toBe("/y/proxygate/config.json");
    expect(configPath({ HOME: "/home/u" })).toBe("/home/u/.config/proxygate/config.json");
  });

  it("is written with mode 0600 in a 0700 folder, even over a world-readable file", async () => {
    const dir = tempDir();
    const file = join(dir, "proxygate", "config.json");
    await saveConfig(file, { version: 1, gateways: {} });
    writeFileSync(file, "{}", { mode: 0o644 });
    await saveConfig(file, { version: 1, current: "http://a", gateways: { "http://a": { apiKey: "pgk_secret" } } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "proxygate")).mode & 0o777).toBe(0o700);
    expect(await loadConfig(file)).toEqual({
      version: 1,
      current: "http://a",
      gateways: { "http://a": { apiKey: "pgk_secret" } },
    });
  });

  it("reads a missing file as empty and refuses a corrupt one in one line", async () => {
    const dir = tempDir();
    expect(await loadConfig(join(dir, "none.json"))).toEqual({ version: 1, gateways: {} });
    writeFileSync(join(dir, "bad.json"), "{not json");
    await expect(loadConfig(join(dir, "bad.json"))).rejects.toBeInstanceOf(CliError);
  });
});
