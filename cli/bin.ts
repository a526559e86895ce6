#!/usr/bin/env node
/** The `proxygate` executable: wires main() to the process (streams, env, exit code). */
import { main } from "./main.ts";
import type { Io } from "./output.ts";

const io: Io = {
  out(chunk) {
    return new Promise((resolve, reject) => {
      process.stdout.write(chunk, (err) => (err ? reject(err) : resolve()));
    });
  },
  err(line) {
    process.stderr.write(`${line}\n`);
  },
  errRaw(text) {
    process.stderr.write(text);
  },
  interactive: process.stderr.isTTY === true,
  env: process.env,
  async stdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
};

// A closed pipe (`proxygate … | head`) is not an error worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
});

process.exitCode = await main(process.argv.slice(2), io);
