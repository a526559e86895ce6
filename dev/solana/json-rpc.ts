import { parseJson } from "./json.ts";
import { callMethod, type MethodContext } from "./methods/index.ts";
import { RpcCode, RpcError } from "./rpc-error.ts";

type JsonRpcId = string | number | null;

interface JsonRpcResponse {
  jsonrpc: "2.0";
  id: JsonRpcId;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** Answers a JSON-RPC 2.0 body: a single request or a batch (array), requests run one after another. */
export async function handleJsonRpc(text: string, ctx: MethodContext): Promise<JsonRpcResponse | JsonRpcResponse[]> {
  let body: unknown;
  try {
    body = parseJson(text);
  } catch {
    return errorResponse(null, new RpcError(RpcCode.parseError, "Parse error"));
  }
  if (!Array.isArray(body)) return handleOne(body, ctx);
  if (body.length === 0) return errorResponse(null, new RpcError(RpcCode.invalidRequest, "Invalid request"));
  const responses: JsonRpcResponse[] = [];
  for (const request of body) responses.push(await handleOne(request, ctx));
  return responses;
}

async function handleOne(request: unknown, ctx: MethodContext): Promise<JsonRpcResponse> {
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    return errorResponse(null, new RpcError(RpcCode.invalidRequest, "Invalid request"));
  }
  const { jsonrpc, method, params } = request as Record<string, unknown>;
  const rawId = (request as Record<string, unknown>).id;
  const id: JsonRpcId = typeof rawId === "string" || typeof rawId === "number" ? rawId : null;
  if (jsonrpc !== "2.0" || typeof method !== "string") {
    return errorResponse(id, new RpcError(RpcCode.invalidRequest, "Invalid request"));
  }
  if (params !== undefined && params !== null && !Array.isArray(params)) {
    return errorResponse(id, new RpcError(RpcCode.invalidParams, "Invalid params: expected an array of parameters"));
  }
  try {
    return { jsonrpc: "2.0", result: await callMethod(method, params ?? [], ctx), id };
  } catch (error) {
    if (error instanceof RpcError) return errorResponse(id, error);
    console.error(`[solana-rpc] ${method} failed:`, error);
    return errorResponse(id, new RpcError(RpcCode.internalError, `Internal error: ${(error as Error).message}`));
  }
}

function errorResponse(id: JsonRpcId, error: RpcError): JsonRpcResponse {
  const body: JsonRpcResponse["error"] = { code: error.code, message: error.message };
  if (error.data !== undefined) body.data = error.data;
  return { jsonrpc: "2.0", error: body, id };
}
