/**
 * Bundles the CLI into one JavaScript file, cli/dist/proxygate.js (gitignored), with every
 * dependency inside: Node does not strip TypeScript types under node_modules, so an installed
 * bin must be plain JS. `npm run build:cli`; then `npm install -g ./cli`. An optional argument
 * names another output file (tests that run in parallel each build their own copy).
 */
import { chmod } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = process.argv[2] ?? join(here, "dist", "proxygate.js");

const result = await build({
  entryPoints: [join(here, "bin.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  minify: true,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  // A CommonJS dependency inside an ES module bundle still needs `require` for Node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
await chmod(outfile, 0o755);
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`${process.argv[2] ?? "cli/dist/proxygate.js"}: ${(bytes / 1024).toFixed(0)} KiB`);
