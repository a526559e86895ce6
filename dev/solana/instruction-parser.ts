import { type Address, getAddressDecoder, getUtf8Decoder, type ReadonlyUint8Array } from "@solana/kit";
import {
  ASSOCIATED_TOKEN_PROGRAM,
  MEMO_PROGRAMS,
  SYSTEM_PROGRAM,
  TOKEN_2022_PROGRAM,
  TOKEN_PROGRAM,
} from "./constants.ts";
import { uiTokenAmount } from "./token-layout.ts";

/** `{program, parsed}` for the instructions the RPC's jsonParsed encoding understands; undefined otherwise. */
export function parseInstruction(
  programId: Address,
  accounts: readonly Address[],
  data: ReadonlyUint8Array,
): { program: string; parsed: unknown } | undefined {
  try {
    if (MEMO_PROGRAMS.has(programId)) return { program: "spl-memo", parsed: getUtf8Decoder().decode(data) };
    if (programId === SYSTEM_PROGRAM) return wrap("system", parseSystem(accounts, new Reader(data)));
    if (programId === TOKEN_PROGRAM) return wrap("spl-token", parseToken(accounts, new Reader(data)));
    if (programId === TOKEN_2022_PROGRAM) return wrap("spl-token-2022", parseToken(accounts, new Reader(data)));
    if (programId === ASSOCIATED_TOKEN_PROGRAM) return wrap("spl-associated-token-account", parseAta(accounts, data));
  } catch {
    // Truncated or malformed data: shown unparsed, as a validator would.
  }
  return undefined;
}

type Parsed = { type: string; info: Record<string, unknown> } | undefined;

function wrap(program: string, parsed: Parsed): { program: string; parsed: unknown } | undefined {
  return parsed ? { program, parsed } : undefined;
}

class Reader {
  readonly #data: ReadonlyUint8Array;
  readonly #view: DataView;
  #at = 0;

  constructor(data: ReadonlyUint8Array) {
    this.#data = data;
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  u8(): number {
    return this.#view.getUint8(this.#take(1));
  }
  u32(): number {
    return this.#view.getUint32(this.#take(4), true);
  }
  u64(): bigint {
    return this.#view.getBigUint64(this.#take(8), true);
  }
  address(): Address {
    const at = this.#take(32);
    return getAddressDecoder().decode(this.#data.subarray(at, at + 32));
  }
  optionalAddress(): Address | null {
    return this.u8() === 1 ? this.address() : null;
  }
  #take(size: number): number {
    const at = this.#at;
    if (at + size > this.#data.length) throw new RangeError("instruction data too short");
    this.#at += size;
    return at;
  }
}

function account(accounts: readonly Address[], index: number): Address {
  const found = accounts[index];
  if (found === undefined) throw new RangeError("missing account");
  return found;
}

function parseSystem(accounts: readonly Address[], data: Reader): Parsed {
  switch (data.u32()) {
    case 0:
      return {
        type: "createAccount",
        info: {
          source: account(accounts, 0),
          newAccount: account(accounts, 1),
          lamports: data.u64(),
          space: data.u64(),
          owner: data.address(),
        },
      };
    case 1:
      return { type: "assign", info: { account: account(accounts, 0), owner: data.address() } };
    case 2:
      return {
        type: "transfer",
        info: { source: account(accounts, 0), destination: account(accounts, 1), lamports: data.u64() },
      };
    case 8:
      return { type: "allocate", info: { account: account(accounts, 0), space: data.u64() } };
    default:
      return undefined;
  }
}

/** The authority field, or `multisig<Name>` + `signers` when extra accounts follow (agave's convention). */
function authority(accounts: readonly Address[], index: number, name: string): Record<string, unknown> {
  const signers = accounts.slice(index + 1);
  if (signers.length === 0) return { [name]: account(accounts, index) };
  return { [`multisig${name[0]?.toUpperCase()}${name.slice(1)}`]: account(accounts, index), signers };
}

function parseToken(accounts: readonly Address[], data: Reader): Parsed {
  const at = (index: number) => account(accounts, index);
  switch (data.u8()) {
    case 0: {
      const decimals = data.u8();
      const mintAuthority = data.address();
      const freezeAuthority = data.optionalAddress();
      const info = { mint: at(0), decimals, mintAuthority, rentSysvar: at(1) };
      return { type: "initializeMint", info: freezeAuthority ? { ...info, freezeAuthority } : info };
    }
    case 20: {
      const decimals = data.u8();
      const mintAuthority = data.address();
      const freezeAuthority = data.optionalAddress();
      const info = { mint: at(0), decimals, mintAuthority };
      return { type: "initializeMint2", info: freezeAuthority ? { ...info, freezeAuthority } : info };
    }
    case 1:
      return { type: "initializeAccount", info: { account: at(0), mint: at(1), owner: at(2), rentSysvar: at(3) } };
    case 16:
      return {
        type: "initializeAccount2",
        info: { account: at(0), mint: at(1), owner: data.address(), rentSysvar: at(2) },
      };
    case 18:
      return { type: "initializeAccount3", info: { account: at(0), mint: at(1), owner: data.address() } };
    case 2:
      return {
        type: "initializeMultisig",
        info: { multisig: at(0), rentSysvar: at(1), signers: accounts.slice(2), m: data.u8() },
      };
    case 19:
      return { type: "initializeMultisig2", info: { multisig: at(0), signers: accounts.slice(1), m: data.u8() } };
    case 3:
      return {
        type: "transfer",
        info: {
          source: at(0),
          destination: at(1),
          amount: data.u64().toString(),
          ...authority(accounts, 2, "authority"),
        },
      };
    case 4:
      return {
        type: "approve",
        info: { source: at(0), delegate: at(1), amount: data.u64().toString(), ...authority(accounts, 2, "owner") },
      };
    case 5:
      return { type: "revoke", info: { source: at(0), ...authority(accounts, 1, "owner") } };
    case 7:
      return {
        type: "mintTo",
        info: {
          mint: at(0),
          account: at(1),
          amount: data.u64().toString(),
          ...authority(accounts, 2, "mintAuthority"),
        },
      };
    case 8:
      return {
        type: "burn",
        info: { account: at(0), mint: at(1), amount: data.u64().toString(), ...authority(accounts, 2, "authority") },
      };
    case 9:
      return { type: "closeAccount", info: { account: at(0), destination: at(1), ...authority(accounts, 2, "owner") } };
    case 12: {
      const tokenAmount = uiTokenAmount(data.u64(), data.u8());
      return {
        type: "transferChecked",
        info: { source: at(0), mint: at(1), destination: at(2), tokenAmount, ...authority(accounts, 3, "authority") },
      };
    }
    case 13: {
      const tokenAmount = uiTokenAmount(data.u64(), data.u8());
      return {
        type: "approveChecked",
        info: { source: at(0), mint: at(1), delegate: at(2), tokenAmount, ...authority(accounts, 3, "owner") },
      };
    }
    case 14: {
      const tokenAmount = uiTokenAmount(data.u64(), data.u8());
      return {
        type: "mintToChecked",
        info: { mint: at(0), account: at(1), tokenAmount, ...authority(accounts, 2, "mintAuthority") },
      };
    }
    case 15: {
      const tokenAmount = uiTokenAmount(data.u64(), data.u8());
      return {
        type: "burnChecked",
        info: { account: at(0), mint: at(1), tokenAmount, ...authority(accounts, 2, "authority") },
      };
    }
    case 17:
      return { type: "syncNative", info: { account: at(0) } };
    case 21:
      return { type: "getAccountDataSize", info: { mint: at(0) } };
    case 22:
      return { type: "initializeImmutableOwner", info: { account: at(0) } };
    default:
      return undefined;
  }
}

function parseAta(accounts: readonly Address[], data: ReadonlyUint8Array): Parsed {
  const kind = data.length === 0 || data[0] === 0 ? "create" : data[0] === 1 ? "createIdempotent" : undefined;
  if (!kind) return undefined;
  const at = (index: number) => account(accounts, index);
  return {
    type: kind,
    info: { source: at(0), account: at(1), wallet: at(2), mint: at(3), systemProgram: at(4), tokenProgram: at(5) },
  };
}
