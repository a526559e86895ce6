import { type Address, isAddress } from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";
import {
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getMintToCheckedInstruction,
  TOKEN_PROGRAM_ADDRESS,
} from "@solana-program/token";
import { z } from "zod";
import type { LocalChain } from "./chain.ts";
import { type DevMint, sendInstructions } from "./dev-mint.ts";
import { decodeTokenProgramAccount } from "./token-layout.ts";

/** Upper bound per request so the faucet's authority can never be drained by a typo: 1M SOL. */
const MAX_SOL_LAMPORTS = 1_000_000_000_000_000;

export const FaucetRequest = z
  .strictObject({
    wallet: z.string({ error: "wallet is required (base58 address)" }).refine(isAddress, {
      error: "wallet must be a base58 Solana address",
    }),
    usdc: z.int({ error: "usdc must be an integer amount of micro-USDC" }).nonnegative().optional(),
    sol: z.int({ error: "sol must be an integer amount of lamports" }).nonnegative().max(MAX_SOL_LAMPORTS).optional(),
  })
  .refine((body) => (body.usdc ?? 0) > 0 || (body.sol ?? 0) > 0, {
    error: "nothing to send: give usdc (micro-USDC) and/or sol (lamports) greater than 0",
  });

export type FaucetRequest = z.infer<typeof FaucetRequest>;

export interface FaucetResult {
  /** The last transaction sent (the USDC mint when both were asked for). */
  signature: string;
  signatures: string[];
  /** The wallet's associated token account for the dev mint. */
  ata: Address;
  /** USDC balance of the ATA afterwards, in micro-USDC. */
  balance: bigint;
  /** SOL balance of the wallet afterwards, in lamports. */
  lamports: bigint;
}

export type FaucetResponse = { status: 200; body: FaucetResult } | { status: 400; body: { error: string } };

/**
 * Dev faucet: SOL transfers and USDC mints from the dev authority, as real transactions (so they
 * show up in getTransaction / getSignaturesForAddress like any deposit would).
 */
export class Faucet {
  readonly #chain: LocalChain;
  readonly #mint: DevMint;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(chain: LocalChain, mint: DevMint) {
    this.#chain = chain;
    this.#mint = mint;
  }

  /** Validates a `POST /faucet` body and carries it out. */
  async handle(body: unknown): Promise<FaucetResponse> {
    const parsed = FaucetRequest.safeParse(body);
    if (!parsed.success) {
      const message = parsed.error.issues
        .map((issue) =>
          issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message,
        )
        .join("; ");
      return { status: 400, body: { error: message } };
    }
    const wallet = parsed.data.wallet as Address;
    const sol = BigInt(parsed.data.sol ?? 0);
    const usdc = BigInt(parsed.data.usdc ?? 0);
    const rentMinimum = this.#chain.svm.minimumBalanceForRentExemption(0n);
    const current = this.#chain.svm.getBalance(wallet) ?? 0n;
    if (sol > 0n && current + sol < rentMinimum) {
      return {
        status: 400,
        body: { error: `sol must bring the wallet to at least ${rentMinimum} lamports (rent-exempt minimum)` },
      };
    }
    const signatures: string[] = [];
    if (sol > 0n) signatures.push(await this.airdrop(wallet, sol));
    if (usdc > 0n) signatures.push(await this.mintTo(wallet, usdc));
    const ata = await this.ataOf(wallet);
    return {
      status: 200,
      body: {
        signature: signatures.at(-1) ?? "",
        signatures,
        ata,
        balance: this.#tokenBalance(ata),
        lamports: this.#chain.svm.getBalance(wallet) ?? 0n,
      },
    };
  }

  /** Sends lamports from the dev authority; also serves JSON-RPC requestAirdrop. */
  airdrop(to: Address, lamports: bigint): Promise<string> {
    return this.#serialized(async () => {
      const record = await sendInstructions(this.#chain, this.#mint.authority, [
        getTransferSolInstruction({ source: this.#mint.authority, destination: to, amount: lamports }),
      ]);
      return record.tx.signature;
    });
  }

  /** Mints `amount` micro-USDC into the owner's associated token account, creating it if needed. */
  mintTo(owner: Address, amount: bigint): Promise<string> {
    return this.#serialized(async () => {
      const { authority, address: mint, decimals } = this.#mint;
      const ata = await this.ataOf(owner);
      const record = await sendInstructions(this.#chain, authority, [
        getCreateAssociatedTokenIdempotentInstruction({ payer: authority, ata, owner, mint }),
        getMintToCheckedInstruction({ mint, token: ata, mintAuthority: authority, amount, decimals }),
      ]);
      return record.tx.signature;
    });
  }

  async ataOf(owner: Address): Promise<Address> {
    const [ata] = await findAssociatedTokenPda({
      owner,
      mint: this.#mint.address,
      tokenProgram: TOKEN_PROGRAM_ADDRESS,
    });
    return ata;
  }

  #tokenBalance(ata: Address): bigint {
    const account = this.#chain.svm.getAccount(ata);
    if (!account.exists) return 0n;
    const decoded = decodeTokenProgramAccount(account.programAddress, account.data);
    return decoded?.kind === "account" ? decoded.token.amount : 0n;
  }

  /**
   * One faucet transaction at a time: two identical requests built against the same blockhash
   * would be byte-identical transactions, and the second would be rejected as AlreadyProcessed.
   */
  #serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
