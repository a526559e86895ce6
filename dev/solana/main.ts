import { startSolanaRpc } from "./rpc-server.ts";

/** Standalone local Solana RPC: `npx node dev/solana/main.ts [port]`. Stops on SIGINT/SIGTERM. */
const port = Number(process.argv[2] ?? process.env.SOLANA_RPC_PORT ?? 0);
const solana = await startSolanaRpc({ port });
console.log(`solana rpc  ${solana.url}`);
console.log(`usdc mint   ${solana.mint} (${solana.decimals} decimals)`);
console.log(
  `faucet      curl -X POST ${solana.url}/faucet -d '{"wallet":"<address>","usdc":1000000,"sol":1000000000}'`,
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    solana.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
