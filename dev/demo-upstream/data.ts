import type { ServerResponse } from "node:http";
import { sendJson } from "./http.ts";
import { hashString, round, seededRandom } from "./pseudo.ts";

/** A small JSON data API with deterministic pseudo-data: the same query always gets the same answer. */

const CONDITIONS = ["sunny", "partly cloudy", "cloudy", "light rain", "rain", "windy", "fog", "snow"] as const;

export function dataError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

export function weather(res: ServerResponse, query: URLSearchParams): void {
  const city = query.get("city")?.trim();
  if (!city || city.length > 100) {
    dataError(res, 400, "bad_request", "query parameter 'city' is required (at most 100 characters)");
    return;
  }
  const random = seededRandom(hashString(`weather:${city.toLowerCase()}`));
  const temperatureC = round(random() * 40 - 5, 1);
  sendJson(res, 200, {
    city,
    temperatureC,
    temperatureF: round((temperatureC * 9) / 5 + 32, 1),
    condition: CONDITIONS[Math.floor(random() * CONDITIONS.length)],
    humidityPercent: Math.floor(20 + random() * 75),
    windKph: round(random() * 50, 1),
    source: "proxygate demo upstream (pseudo-data)",
  });
}

export function quote(res: ServerResponse, rawSymbol: string): void {
  const symbol = rawSymbol.toUpperCase();
  if (!/^[A-Z0-9.]{1,10}$/.test(symbol)) {
    dataError(res, 400, "bad_request", "symbol must be 1-10 letters, digits or dots");
    return;
  }
  const random = seededRandom(hashString(`quote:${symbol}`));
  const previousClose = round(5 + random() * 995, 2);
  const change = round(previousClose * (random() * 0.1 - 0.05), 2);
  const price = round(previousClose + change, 2);
  sendJson(res, 200, {
    symbol,
    currency: "USD",
    price,
    previousClose,
    change,
    changePercent: round((change / previousClose) * 100, 2),
    volume: Math.floor(random() * 5_000_000),
    source: "proxygate demo upstream (pseudo-data)",
  });
}
