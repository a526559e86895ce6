import type { Address, EncodedAccount } from "@solana/kit";
import { z } from "zod";
import { encodeAccount, readAccount } from "../account-encoding.ts";
import type { LocalChain } from "../chain.ts";
import { TOKEN_PROGRAMS } from "../constants.ts";
import { invalidParams } from "../rpc-error.ts";
import { mintDecimals } from "../token-balances.ts";
import { decodeTokenProgramAccount, uiTokenAmount } from "../token-layout.ts";
import {
  AccountEncodingParam,
  AddressParam,
  BareConfig,
  config,
  DataSliceParam,
  parseParams,
  type RpcMethod,
  U64Param,
  withContext,
} from "./params.ts";

const AccountConfig = config({ encoding: AccountEncodingParam.optional(), dataSlice: DataSliceParam.optional() });
const MAX_MULTIPLE_ACCOUNTS = 100;

/** Accounts, balances and SPL token queries, plus the airdrop. */
export const accountMethods: Record<string, RpcMethod> = {
  getAccountInfo: (params, { chain }) => {
    const [address, options] = parseParams(z.tuple([AddressParam, AccountConfig.nullish()]), params);
    const account = readAccount(chain.svm, address);
    return withContext(chain, account ? encodeAccount(chain.svm, account, options ?? {}) : null);
  },
  getMultipleAccounts: (params, { chain }) => {
    const [addresses, options] = parseParams(
      z.tuple([z.array(AddressParam).max(MAX_MULTIPLE_ACCOUNTS), AccountConfig.nullish()]),
      params,
    );
    return withContext(
      chain,
      addresses.map((address) => {
        const account = readAccount(chain.svm, address);
        return account ? encodeAccount(chain.svm, account, options ?? {}) : null;
      }),
    );
  },
  getBalance: (params, { chain }) => {
    const [address] = parseParams(z.tuple([AddressParam, BareConfig.nullish()]), params);
    return withContext(chain, chain.svm.getBalance(address) ?? 0n);
  },
  getMinimumBalanceForRentExemption: (params, { chain }) => {
    const [size] = parseParams(z.tuple([U64Param, BareConfig.nullish()]), params);
    return chain.svm.minimumBalanceForRentExemption(size);
  },
  getTokenAccountBalance: (params, { chain }) => {
    const [address] = parseParams(z.tuple([AddressParam, BareConfig.nullish()]), params);
    const account = readAccount(chain.svm, address);
    const decoded = account ? decodeTokenProgramAccount(account.programAddress, account.data) : undefined;
    const decimals = decoded?.kind === "account" ? mintDecimals(chain.svm, decoded.token.mint) : undefined;
    if (decoded?.kind !== "account" || decimals === undefined) throw invalidParams("not a Token account");
    return withContext(chain, uiTokenAmount(decoded.token.amount, decimals));
  },
  getTokenSupply: (params, { chain }) => {
    const [address] = parseParams(z.tuple([AddressParam, BareConfig.nullish()]), params);
    const account = readAccount(chain.svm, address);
    const decoded = account ? decodeTokenProgramAccount(account.programAddress, account.data) : undefined;
    if (decoded?.kind !== "mint") throw invalidParams("not a Token mint");
    return withContext(chain, uiTokenAmount(decoded.mint.supply, decoded.mint.decimals));
  },
  getTokenAccountsByOwner: (params, { chain }) => {
    const [owner, filter, options] = parseParams(
      z.tuple([
        AddressParam,
        z.union([z.object({ mint: AddressParam }), z.object({ programId: AddressParam })]),
        AccountConfig.nullish(),
      ]),
      params,
    );
    const accounts = tokenAccountsOwnedBy(chain, owner, filter);
    return withContext(
      chain,
      accounts.map((account) => ({
        pubkey: account.address,
        account: encodeAccount(chain.svm, account, options ?? {}),
      })),
    );
  },
  requestAirdrop: async (params, { airdrop }) => {
    const [address, lamports] = parseParams(z.tuple([AddressParam, U64Param, BareConfig.nullish()]), params);
    return airdrop(address, lamports);
  },
};

function tokenAccountsOwnedBy(
  chain: LocalChain,
  owner: Address,
  filter: { mint: Address } | { programId: Address },
): EncodedAccount[] {
  let programs: Address[];
  if ("programId" in filter) {
    if (!TOKEN_PROGRAMS.has(filter.programId)) throw invalidParams("unrecognized Token program id");
    programs = [filter.programId];
  } else {
    const mint = readAccount(chain.svm, filter.mint);
    if (!mint || !TOKEN_PROGRAMS.has(mint.programAddress)) throw invalidParams("could not find mint");
    programs = [mint.programAddress];
  }
  const mint = "mint" in filter ? filter.mint : undefined;
  return programs
    .flatMap((program) => chain.svm.getProgramAccounts(program))
    .filter((account) => {
      const decoded = decodeTokenProgramAccount(account.programAddress, account.data);
      return decoded?.kind === "account" && decoded.token.owner === owner && (!mint || decoded.token.mint === mint);
    });
}
