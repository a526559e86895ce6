/**
 * A reverse proxy on 127.0.0.1 in front of the gateway that hands every response it relays to
 * `record` (status, headers, body) once the response has ended. Used by the black-box test projects
 * (e2e, browser) so the secrets scan sees what their clients saw — the openai SDK, the CLI, Chromium.
 * Bodies are relayed chunk by chunk as they arrive (SSE stays streamed); the copy is kept aside.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { CapturedResponse } from "./capture.ts";
import { listenLoopback } from "./process.ts";

export async function startRecordingProxy(
  target: string,
  record: (response: CapturedResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        res.flushHeaders();
        answer.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          res.write(chunk);
        });
        // Recorded once the relay is over: ended, or cut by the gateway or by the client.
        answer.on("close", () => {
          const headers: [string, string][] = [];
          for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2)
            headers.push([answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!]);
          record({
            method: req.method ?? "GET",
            url: req.url ?? "/",
            status: answer.statusCode ?? 0,
            headers,
            body: Buffer.concat(chunks).toString("utf8"),
          });
        });
        answer.on("end", () => res.end());
        answer.on("error", () => res.destroy());
      },
    );
    forward.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end("recording proxy: the gateway did not answer");
    });
    res.on("close", () => {
      if (!res.writableFinished) forward.destroy();
    });
    req.pipe(forward);
  });
  const port = await listenLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
