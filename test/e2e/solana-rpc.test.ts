import {
  type Address,
  address,
  appendTransactionMessageInstructions,
  blockhash,
  compileTransaction,
  createSolanaRpc,
  createTransactionMessage,
  generateKeyPairSigner,
  getBase58Decoder,
  getBase64Decoder,
  getBase64EncodedWireTransaction,
  type Instruction,
  isSolanaError,
  type KeyPairSigner,
  lamports,
  pipe,
  type Rpc,
  type Signature,
  SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SOLANA_ERROR__TRANSACTION_ERROR__ALREADY_PROCESSED,
  SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND,
  type SolanaRpcApi,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type TransactionMessageBytesBase64,
} from "@solana/kit";
import { getAddMemoInstruction } from "@solana-program/memo";
import {
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getTransferCheckedInstruction,
  TOKEN_PROGRAM_ADDRESS,
} from "@solana-program/token";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SolanaRpcServer, startSolanaRpc } from "../../dev/solana/rpc-server.ts";

// @solana-program/memo 0.15 defaults to another program id; wallets and the gateway use Memo v2.
const MEMO_V2 = address("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");

let solana: SolanaRpcServer;
let rpc: Rpc<SolanaRpcApi>;
let alice: KeyPairSigner;
let bob: KeyPairSigner;
let aliceAta: Address;
let bobAta: Address;

beforeAll(async () => {
  solana = await startSolanaRpc();
  rpc = createSolanaRpc(solana.url);
  [alice, bob] = await Promise.all([generateKeyPairSigner(), generateKeyPairSigner()]);
  aliceAta = await ataOf(alice.address);
  bobAta = await ataOf(bob.address);
});

afterAll(async () => {
  await solana?.stop();
});

async function ataOf(owner: Address): Promise<Address> {
  const [ata] = await findAssociatedTokenPda({
    owner,
    mint: address(solana.mint),
    tokenProgram: TOKEN_PROGRAM_ADDRESS,
  });
  return ata;
}

async function faucet(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${solana.url}/faucet`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** A plain JSON-RPC call over fetch, as the Worker's /healthz does. */
async function rawRpc(body: unknown): Promise<unknown> {
  const res = await fetch(solana.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.json();
}

/** Builds, signs and sends through kit's own sendTransaction RPC call; returns the signature. */
async function send(
  payer: KeyPairSigner,
  instructions: Instruction[],
  options: { skipPreflight?: boolean; blockhash?: Awaited<ReturnType<typeof latestBlockhash>> } = {},
): Promise<{ signature: Signature; wire: ReturnType<typeof getBase64EncodedWireTransaction> }> {
  const lifetime = options.blockhash ?? (await latestBlockhash());
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  const signed = await signTransactionMessageWithSigners(message);
  const wire = getBase64EncodedWireTransaction(signed);
  const signature = await rpc
    .sendTransaction(wire, { encoding: "base64", skipPreflight: options.skipPreflight ?? false })
    .send();
  return { signature, wire };
}

async function latestBlockhash() {
  return (await rpc.getLatestBlockhash().send()).value;
}

/** Polls getSignatureStatuses like the Worker does (no websockets). */
async function waitForStatus(signature: Signature) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const { value } = await rpc.getSignatureStatuses([signature]).send();
    const status = value[0];
    if (status && (status.confirmationStatus === "confirmed" || status.confirmationStatus === "finalized")) {
      return status;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${signature} not confirmed`);
}

function transferUsdc(from: KeyPairSigner, to: Address, amount: bigint): Instruction {
  return getTransferCheckedInstruction({
    source: aliceAta,
    mint: address(solana.mint),
    destination: to,
    authority: from,
    amount,
    decimals: 6,
  });
}

describe("solana rpc: node and faucet", () => {
  it("answers getHealth/getSlot over plain fetch, single and batched", async () => {
    expect(await rawRpc({ jsonrpc: "2.0", id: 1, method: "getHealth" })).toEqual({
      jsonrpc: "2.0",
      id: 1,
      result: "ok",
    });
    const batch = (await rawRpc([
      { jsonrpc: "2.0", id: "a", method: "getSlot" },
      { jsonrpc: "2.0", id: "b", method: "getHealth", params: [] },
      { jsonrpc: "2.0", id: "c", method: "noSuchMethod" },
    ])) as Array<Record<string, unknown>>;
    expect(batch).toHaveLength(3);
    expect(typeof batch[0]?.result).toBe("number");
    expect(batch[1]).toEqual({ jsonrpc: "2.0", id: "b", result: "ok" });
    expect(batch[2]).toMatchObject({ id: "c", error: { code: -32601 } });
    expect(await rpc.getHealth().send()).toBe("ok");
  });

  it("reports the dev mint in /info and as a 6-decimal SPL mint", async () => {
    const info = (await (await fetch(`${solana.url}/info`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ mint: solana.mint, decimals: 6 });
    const { value } = await rpc.getAccountInfo(address(solana.mint), { encoding: "jsonParsed" }).send();
    expect(value?.owner).toBe(TOKEN_PROGRAM_ADDRESS);
    expect(value?.data).toMatchObject({ program: "spl-token", parsed: { type: "mint", info: { decimals: 6 } } });
  });

  it("faucet airdrops SOL and mints USDC into the wallet's ATA", async () => {
    const carol = await generateKeyPairSigner();
    const carolAta = await ataOf(carol.address);
    const { status, json } = await faucet({ wallet: carol.address, usdc: 10_000_000, sol: 2_000_000_000 });
    expect(status).toBe(200);
    expect(json).toMatchObject({ ata: carolAta, balance: 10_000_000, lamports: 2_000_000_000 });
    const balance = await rpc.getTokenAccountBalance(carolAta).send();
    expect(balance.value).toEqual({ amount: "10000000", decimals: 6, uiAmount: 10, uiAmountString: "10" });
    expect((await rpc.getBalance(carol.address).send()).value).toBe(2_000_000_000n);
    expect((await waitForStatus(json.signature as Signature)).err).toBeNull();
    // A second mint adds up, into the same ATA.
    const again = await faucet({ wallet: carol.address, usdc: 1 });
    expect(again.json).toMatchObject({ ata: carolAta, balance: 10_000_001 });
    expect(again.json.signature).not.toBe(json.signature);
  });

  it("faucet rejects bad input with 400 and changes nothing", async () => {
    const slotBefore = await rpc.getSlot().send();
    const cases: Array<[unknown, RegExp]> = [
      [{}, /wallet/],
      [{ wallet: "not-an-address", usdc: 1 }, /base58/],
      [{ wallet: alice.address, usdc: -5 }, /usdc|>=0/],
      [{ wallet: alice.address, usdc: 1.5 }, /integer/],
      [{ wallet: alice.address, usdc: "100" }, /usdc/],
      [{ wallet: alice.address }, /nothing to send/],
      [{ wallet: alice.address, usdc: 1, extra: true }, /unknown field/],
      [{ wallet: bob.address, sol: 10 }, /rent-exempt/],
      ["{not json", /JSON/],
    ];
    for (const [body, message] of cases) {
      const { status, json } = await faucet(body);
      expect(status, JSON.stringify(body)).toBe(400);
      expect(String(json.error), JSON.stringify(body)).toMatch(message);
    }
    expect(await rpc.getSlot().send()).toBe(slotBefore);
  });
});

describe("solana rpc: cluster, airdrop and simulation", () => {
  it("answers the cluster queries kit clients make", async () => {
    const slot = await rpc.getSlot().send();
    const epoch = await rpc.getEpochInfo().send();
    expect(epoch.absoluteSlot).toBe(slot);
    expect(epoch.slotIndex).toBeLessThan(epoch.slotsInEpoch);
    expect(await rpc.getBlockHeight().send()).toBe(epoch.blockHeight);
    expect(await rpc.getMinimumBalanceForRentExemption(165n).send()).toBe(2_039_280n);
    expect((await rpc.getVersion().send())["solana-core"]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(typeof (await rpc.getGenesisHash().send())).toBe("string");
    const unknown = await generateKeyPairSigner();
    expect((await rpc.getAccountInfo(unknown.address).send()).value).toBeNull();
    const many = await rpc.getMultipleAccounts([unknown.address, address(solana.mint)], { encoding: "base64" }).send();
    expect(many.value[0]).toBeNull();
    expect(many.value[1]?.data[1]).toBe("base64");
  });

  it("requestAirdrop lands a real transfer that getSignatureStatuses reports", async () => {
    const wallet = await generateKeyPairSigner();
    const signature = await rpc.requestAirdrop(wallet.address, lamports(1_500_000_000n)).send();
    expect((await waitForStatus(signature)).err).toBeNull();
    expect((await rpc.getBalance(wallet.address).send()).value).toBe(1_500_000_000n);
    const neverSent = getBase58Decoder().decode(crypto.getRandomValues(new Uint8Array(64))) as Signature;
    const { value } = await rpc.getSignatureStatuses([signature, neverSent]).send();
    expect(value[0]?.confirmationStatus).toBe("finalized");
    expect(value[1]).toBeNull();
  });

  it("simulates an unsigned transaction with replaceRecentBlockhash (kit's compute-unit estimate)", async () => {
    const wallet = await generateKeyPairSigner();
    await faucet({ wallet: wallet.address, sol: 1_000_000_000, usdc: 5 });
    const ata = await ataOf(wallet.address);
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(wallet, m),
      (m) =>
        setTransactionMessageLifetimeUsingBlockhash(
          { blockhash: blockhash("11111111111111111111111111111111"), lastValidBlockHeight: 0n },
          m,
        ),
      (m) =>
        appendTransactionMessageInstructions(
          [
            getTransferCheckedInstruction({
              source: ata,
              mint: address(solana.mint),
              destination: ata,
              authority: wallet,
              amount: 5n,
              decimals: 6,
            }),
          ],
          m,
        ),
    );
    const unsigned = getBase64EncodedWireTransaction(compileTransaction(message));
    const { value } = await rpc
      .simulateTransaction(unsigned, { encoding: "base64", replaceRecentBlockhash: true, sigVerify: false })
      .send();
    expect(value.err).toBeNull();
    expect(value.unitsConsumed).toBeGreaterThan(0n);
    expect(value.replacementBlockhash?.blockhash).toBe((await latestBlockhash()).blockhash);
    const stale = await rpc.simulateTransaction(unsigned, { encoding: "base64" }).send();
    expect(stale.value.err).toBe("BlockhashNotFound");
    const fee = await rpc
      .getFeeForMessage(
        getBase64Decoder().decode(compileTransaction(message).messageBytes) as TransactionMessageBytesBase64,
      )
      .send();
    expect(fee.value).toBeNull();
  });
});

describe("solana rpc: transfers through @solana/kit", () => {
  let transferSignature: Signature;
  const memo = "proxygate deposit #1";

  beforeAll(async () => {
    expect((await faucet({ wallet: alice.address, usdc: 10_000_000, sol: 2_000_000_000 })).status).toBe(200);
    expect((await faucet({ wallet: bob.address, sol: 1_000_000_000 })).status).toBe(200);
  });

  it("lands a USDC transfer with a memo and reports exact token balances", async () => {
    const slotBefore = await rpc.getSlot().send();
    const { signature } = await send(alice, [
      getCreateAssociatedTokenIdempotentInstruction({
        payer: alice,
        ata: bobAta,
        owner: bob.address,
        mint: address(solana.mint),
      }),
      transferUsdc(alice, bobAta, 2_500_000n),
      getAddMemoInstruction({ memo }, { programAddress: MEMO_V2 }),
    ]);
    transferSignature = signature;
    const status = await waitForStatus(signature);
    expect(status.err).toBeNull();
    expect(status.slot).toBeGreaterThan(slotBefore);

    const tx = await rpc
      .getTransaction(signature, { encoding: "jsonParsed", maxSupportedTransactionVersion: 0 })
      .send();
    expect(tx).not.toBeNull();
    if (!tx?.meta) throw new Error("no meta");
    expect(tx.slot).toBe(status.slot);
    expect(typeof tx.blockTime).toBe("bigint");
    expect(tx.meta.err).toBeNull();
    expect(tx.meta.fee).toBe(5000n);
    const keys = tx.transaction.message.accountKeys.map((key) => key.pubkey);
    const balance = (list: typeof tx.meta.preTokenBalances, ata: Address) =>
      list?.find((entry) => keys[entry.accountIndex] === ata);
    expect(balance(tx.meta.preTokenBalances, aliceAta)).toMatchObject({
      mint: solana.mint,
      owner: alice.address,
      uiTokenAmount: { amount: "10000000", decimals: 6, uiAmountString: "10" },
    });
    expect(balance(tx.meta.postTokenBalances, aliceAta)?.uiTokenAmount.amount).toBe("7500000");
    // Bob's ATA was created by this transaction: it only has a post balance.
    expect(balance(tx.meta.preTokenBalances, bobAta)).toBeUndefined();
    expect(balance(tx.meta.postTokenBalances, bobAta)).toMatchObject({
      owner: bob.address,
      uiTokenAmount: { amount: "2500000", decimals: 6, uiAmountString: "2.5" },
    });
    // The SPL Memo program logs the length, then the text.
    expect(tx.meta.logMessages).toContain(`Program log: Memo (len ${memo.length})`);
    expect(tx.meta.logMessages).toContain(`Program log: ${memo}`);
    const instructions = tx.transaction.message.instructions as unknown as Array<Record<string, unknown>>;
    expect(instructions[1]).toMatchObject({
      program: "spl-token",
      parsed: { type: "transferChecked", info: { source: aliceAta, destination: bobAta, authority: alice.address } },
    });
    expect(instructions[2]).toMatchObject({ program: "spl-memo", parsed: memo, programId: MEMO_V2 });
  });

  it("serves the same transaction in json encoding and in address history", async () => {
    const tx = await rpc
      .getTransaction(transferSignature, { encoding: "json", maxSupportedTransactionVersion: 0 })
      .send();
    expect(tx?.transaction.message.accountKeys[0]).toBe(alice.address);
    expect(tx?.meta?.preBalances.length).toBe(tx?.transaction.message.accountKeys.length);
    const history = await rpc.getSignaturesForAddress(bobAta).send();
    expect(history[0]).toMatchObject({ signature: transferSignature, err: null, memo: `[${memo.length}] ${memo}` });
    const parsed = await rpc.getAccountInfo(bobAta, { encoding: "jsonParsed" }).send();
    expect(parsed.value?.data).toMatchObject({
      parsed: { type: "account", info: { owner: bob.address, tokenAmount: { amount: "2500000" } } },
    });
    const owned = await rpc
      .getTokenAccountsByOwner(bob.address, { mint: address(solana.mint) }, { encoding: "base64" })
      .send();
    expect(owned.value.map((entry) => entry.pubkey)).toEqual([bobAta]);
  });

  it("rejects an overdraft in preflight with InstructionError Custom 1", async () => {
    let caught: unknown;
    try {
      await send(alice, [transferUsdc(alice, bobAta, 1_000_000_000n)]);
    } catch (error) {
      caught = error;
    }
    expect(isSolanaError(caught, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE)).toBe(true);
    const cause = (caught as Error).cause;
    expect(isSolanaError(cause, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM)).toBe(true);
    expect(cause).toMatchObject({ context: { code: 1, index: 0 } });

    // The raw JSON-RPC error, as real validators shape it.
    const latest = await latestBlockhash();
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(alice, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
      (m) => appendTransactionMessageInstructions([transferUsdc(alice, bobAta, 999_000_000n)], m),
    );
    const wire = getBase64EncodedWireTransaction(await signTransactionMessageWithSigners(message));
    const raw = (await rawRpc({
      jsonrpc: "2.0",
      id: 7,
      method: "sendTransaction",
      params: [wire, { encoding: "base64" }],
    })) as { error: { code: number; message: string; data: { err: unknown; logs: string[] } } };
    expect(raw.error.code).toBe(-32002);
    expect(raw.error.message).toMatch(/custom program error: 0x1/);
    expect(raw.error.data.err).toEqual({ InstructionError: [0, { Custom: 1 }] });
    expect(raw.error.data.logs).toContain("Program log: Error: insufficient funds");
  });

  it("lands a failing transaction with skipPreflight: fee charged, tokens untouched", async () => {
    const lamportsBefore = (await rpc.getBalance(alice.address).send()).value;
    const { signature } = await send(alice, [transferUsdc(alice, bobAta, 1_000_000_000n)], { skipPreflight: true });
    const status = await waitForStatus(signature);
    expect(status.err).toEqual({ InstructionError: [0n, { Custom: 1n }] });
    const tx = await rpc.getTransaction(signature, { encoding: "json", maxSupportedTransactionVersion: 0 }).send();
    expect(tx?.meta?.err).toEqual({ InstructionError: [0n, { Custom: 1n }] });
    expect(tx?.meta?.postTokenBalances).toEqual(tx?.meta?.preTokenBalances);
    expect((await rpc.getBalance(alice.address).send()).value).toBe(lamportsBefore - 5000n);
    expect((await rpc.getTokenAccountBalance(aliceAta).send()).value.amount).toBe("7500000");
  });

  it("refuses a re-sent identical transaction as AlreadyProcessed", async () => {
    const { wire } = await send(alice, [transferUsdc(alice, bobAta, 1n)]);
    let caught: unknown;
    try {
      await rpc.sendTransaction(wire, { encoding: "base64" }).send();
    } catch (error) {
      caught = error;
    }
    expect(
      isSolanaError((caught as Error | undefined)?.cause, SOLANA_ERROR__TRANSACTION_ERROR__ALREADY_PROCESSED),
    ).toBe(true);
  });

  it("expires blockhashes through the local-only admin hook", async () => {
    const old = await latestBlockhash();
    expect((await rpc.isBlockhashValid(old.blockhash).send()).value).toBe(true);
    const res = await fetch(`${solana.url}/admin/expire-blockhash`, { method: "POST" });
    expect(res.status).toBe(200);
    expect((await rpc.isBlockhashValid(old.blockhash).send()).value).toBe(false);
    expect(await rpc.getBlockHeight().send()).toBeGreaterThan(old.lastValidBlockHeight);
    let caught: unknown;
    try {
      await send(alice, [transferUsdc(alice, bobAta, 2n)], { blockhash: old });
    } catch (error) {
      caught = error;
    }
    expect(
      isSolanaError((caught as Error | undefined)?.cause, SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND),
    ).toBe(true);
    // A fresh blockhash works again.
    const { signature } = await send(alice, [transferUsdc(alice, bobAta, 2n)]);
    expect((await waitForStatus(signature)).err).toBeNull();
  });
});
