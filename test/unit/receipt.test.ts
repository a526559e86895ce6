import { generateKeyPairSigner, getBase58Encoder } from "@solana/kit";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { generateSecretKey } from "../../dev/platform-keys.ts";
import {
  parseReceipt,
  type ReceiptFields,
  receiptMessage,
  signReceipt,
  verifyReceipt,
} from "../../workers/receipts/receipt.ts";
import { parsePlatformKey } from "../../workers/solana/keys.ts";

const fields: ReceiptFields = {
  requestId: "req_0192d3e4f5a6b7c8d9e0f1a2",
  wallet: "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU",
  listing: "3f0c2a7e-4b1d-4c3e-9f6a-1b2c3d4e5f60",
  charge: 1_050n,
  timestamp: 1_767_225_600_000,
};

let signer: Awaited<ReturnType<typeof generateKeyPairSigner>>;
let receipt: string;

beforeAll(async () => {
  signer = await generateKeyPairSigner();
  receipt = await signReceipt(signer.keyPair.privateKey, fields);
});

describe("receipts", () => {
  it("verify with the gateway's public key and give back the signed fields", async () => {
    expect(
      receipt.startsWith(`pgr1.${fields.requestId}.${fields.wallet}.${fields.listing}.1050.${fields.timestamp}.`),
    ).toBe(true);
    expect(await verifyReceipt(receipt, signer.address)).toEqual(fields);
  });

  it("are deterministic: the same fields give the same receipt (re-issued from the ledger)", async () => {
    expect(await signReceipt(signer.keyPair.privateKey, { ...fields })).toBe(receipt);
  });

  it("sign a canonical message naming every field", () => {
    expect(receiptMessage(fields)).toBe(
      `proxygate-receipt/v1\n${fields.requestId}\n${fields.wallet}\n${fields.listing}\n1050\n${fields.timestamp}`,
    );
  });

  it("fail when any field is tampered with (property)", async () => {
    const parts = receipt.split(".");
    const mutate = fc.record({
      index: fc.integer({ min: 1, max: 5 }),
      replacement: fc.oneof(
        fc.constant("req_0192d3e4f5a6b7c8d9e0f1a3"),
        fc.constant("9xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"),
        fc.constant("3f0c2a7e-4b1d-4c3e-9f6a-1b2c3d4e5f61"),
        fc.bigInt({ min: 1n, max: 10n ** 12n }).map(String),
        fc.integer({ min: 1, max: 2 ** 45 }).map(String),
      ),
    });
    await fc.assert(
      fc.asyncProperty(mutate, async ({ index, replacement }) => {
        fc.pre(parts[index] !== replacement);
        const tampered = parts.with(index, replacement).join(".");
        expect(await verifyReceipt(tampered, signer.address)).toBeNull();
      }),
      { numRuns: 60 },
    );
  });

  it("fail with another key, a flipped signature character or a malformed receipt", async () => {
    const other = await generateKeyPairSigner();
    expect(await verifyReceipt(receipt, other.address)).toBeNull();
    const sig = receipt.split(".").at(-1)!;
    const flipped = receipt.slice(0, -sig.length) + (sig[0] === "2" ? "3" : "2") + sig.slice(1);
    expect(await verifyReceipt(flipped, signer.address)).toBeNull();
    for (const bad of [
      "",
      "pgr1",
      receipt.replace("pgr1", "pgr2"),
      `${receipt}.x`,
      receipt.replace(".1050.", ".-1."),
    ]) {
      expect(await verifyReceipt(bad, signer.address)).toBeNull();
    }
    expect(parseReceipt(receipt)?.fields).toEqual(fields);
  });

  it("verify offline with nothing but WebCrypto and the published base58 key", async () => {
    // What a third party does, without this codebase: rebuild the message, check the signature.
    const [, requestId, wallet, listing, charge, timestamp, signature] = receipt.split(".") as string[];
    const message = ["proxygate-receipt/v1", requestId, wallet, listing, charge, timestamp].join("\n");
    const key = await crypto.subtle.importKey(
      "raw",
      new Uint8Array(getBase58Encoder().encode(signer.address)),
      "Ed25519",
      false,
      ["verify"],
    );
    const ok = await crypto.subtle.verify(
      "Ed25519",
      key,
      new Uint8Array(getBase58Encoder().encode(signature!)),
      new TextEncoder().encode(message),
    );
    expect(ok).toBe(true);
    // And a signer parsed from a RECEIPT_KEY secret (base58 of 64 bytes) signs verifiable receipts.
    const fromSecret = await parsePlatformKey("RECEIPT_KEY", await generateSecretKey());
    const r = await signReceipt(fromSecret.keyPair.privateKey, fields);
    expect(await verifyReceipt(r, fromSecret.address)).toEqual(fields);
  });
});
