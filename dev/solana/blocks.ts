import type { LiteSVM } from "litesvm";
import { BLOCKHASH_VALID_BLOCKS } from "./constants.ts";

const MINIMUM_SLOTS_PER_EPOCH = 32n;

export interface EpochInfo {
  absoluteSlot: bigint;
  blockHeight: bigint;
  epoch: bigint;
  slotIndex: bigint;
  slotsInEpoch: bigint;
}

/**
 * Slots, block height and recent blockhashes of the local chain. Every landed transaction gets a
 * block of its own: the slot advances (LiteSVM's clock is warped to it) and a fresh blockhash is
 * issued. LiteSVM alone would accept only its single latest blockhash, so its own check is turned
 * off and blockhashes are checked here as a validator does: valid for 150 blocks.
 */
export class BlockClock {
  readonly #svm: LiteSVM;
  readonly #lastValidHeight = new Map<string, bigint>();
  readonly genesisHash: string;
  #slot: bigint;
  #blockHeight: bigint;

  constructor(svm: LiteSVM) {
    this.#svm = svm;
    svm.withBlockhashCheck(false);
    this.#slot = svm.getClock().slot;
    this.#blockHeight = this.#slot;
    this.genesisHash = svm.latestBlockhash();
    this.#setClock();
    this.#lastValidHeight.set(this.genesisHash, this.#blockHeight + BLOCKHASH_VALID_BLOCKS);
  }

  get slot(): bigint {
    return this.#slot;
  }

  get blockHeight(): bigint {
    return this.#blockHeight;
  }

  latestBlockhash(): { blockhash: string; lastValidBlockHeight: bigint } {
    const blockhash = this.#svm.latestBlockhash();
    return { blockhash, lastValidBlockHeight: this.#lastValidHeight.get(blockhash) ?? this.#blockHeight };
  }

  isBlockhashValid(blockhash: string): boolean {
    const lastValid = this.#lastValidHeight.get(blockhash);
    return lastValid !== undefined && this.#blockHeight <= lastValid;
  }

  /** Produces the next block: one slot later, with a new blockhash. */
  advance(blocks = 1n): void {
    this.#slot += blocks;
    this.#blockHeight += blocks;
    this.#svm.warpToSlot(this.#slot);
    this.#setClock();
    this.#svm.expireBlockhash();
    this.#lastValidHeight.set(this.#svm.latestBlockhash(), this.#blockHeight + BLOCKHASH_VALID_BLOCKS);
    for (const [hash, lastValid] of this.#lastValidHeight) {
      if (lastValid < this.#blockHeight) this.#lastValidHeight.delete(hash);
    }
  }

  /** Makes every blockhash issued so far unusable (block height jumps past their validity). */
  expireAll(): void {
    this.advance(BLOCKHASH_VALID_BLOCKS + 1n);
  }

  epochInfo(): EpochInfo {
    const schedule = this.#svm.getEpochSchedule();
    const slot = this.#slot;
    let epoch: bigint;
    let slotIndex: bigint;
    let slotsInEpoch: bigint;
    if (schedule.warmup && slot < schedule.firstNormalSlot) {
      // Agave's warmup schedule: epoch lengths 32, 64, 128, … until firstNormalSlot.
      epoch = BigInt((slot + MINIMUM_SLOTS_PER_EPOCH).toString(2).length) - 6n;
      slotsInEpoch = 1n << (epoch + 5n);
      slotIndex = slot - (slotsInEpoch - MINIMUM_SLOTS_PER_EPOCH);
    } else {
      const offset = slot - schedule.firstNormalSlot;
      slotsInEpoch = schedule.slotsPerEpoch;
      epoch = schedule.firstNormalEpoch + offset / slotsInEpoch;
      slotIndex = offset % slotsInEpoch;
    }
    return { absoluteSlot: slot, blockHeight: this.#blockHeight, epoch, slotIndex, slotsInEpoch };
  }

  #setClock(): void {
    const clock = this.#svm.getClock();
    clock.slot = this.#slot;
    clock.unixTimestamp = BigInt(Math.floor(Date.now() / 1000));
    clock.epoch = this.epochInfo().epoch;
    this.#svm.setClock(clock);
  }
}
