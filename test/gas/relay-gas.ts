/**
 * Gas of the LightRelay's two costly paths, measured on the in-process network (solc 0.8.28, 10,000 optimizer runs):
 * a retarget under mainnet rules (real headers around 741,888: 20 on each side, tBTC's production proof length, and 4
 * on each side around 554,400, the length of tBTC's tests) and the validation of a 6-header proof chain (real mainnet
 * headers, the 6-block factor), plus a whole transaction proof under regtest rules (a devnet 1-input/2-output spend,
 * its coinbase and six headers of real regtest work) and the inclusion check of a real mainnet segwit spend (through
 * the library harness: one header, no epoch rules). Shared by test/gas/relay-gas.test.ts (which asserts bounds)
 * and bench/relay-gas.ts (which prints them).
 */
import type { NetworkConnection } from "hardhat/types/network";

import { RELAY_RULES } from "../../deploy/modules/LightRelay.js";
import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import { EsploraClient } from "../../src/bitcoin/esplora.js";
import { relayGenesis } from "../../src/relay/genesis.js";
import { buildTxProof } from "../../src/relay/proof.js";
import { concatHeaders, deployRelay, headersBetween, mainnetHeaders, mainnetTxs } from "../relay/helpers.js";

export interface RelayGasRow {
  case: string;
  /** Headers in the call. */
  headers: number;
  /** Whole-transaction gas (receipt.gasUsed, or eth_estimateGas for a view), 21,000 base and calldata included. */
  gas: bigint;
}

/** Measures every case on `connection` (deploys its own relays). */
export async function measureRelayGas(
  connection: Pick<NetworkConnection, "ethers" | "ignition">,
): Promise<RelayGasRow[]> {
  const rows: RelayGasRow[] = [];
  const R741 = mainnetHeaders.retarget741888;
  const R554 = mainnetHeaders.retarget554400;

  const mainnet = await deployRelay(connection, RELAY_RULES.mainnet, R741.epochStart);
  const receipt = await (
    await mainnet.retarget(concatHeaders(headersBetween(R741, 741_868, 741_907)))
  ).wait();
  rows.push({
    case: "retarget, mainnet rules, 20 + 20 headers (741,888)",
    headers: 40,
    gas: receipt?.gasUsed ?? 0n,
  });

  const short = await deployRelay(
    connection,
    { ...RELAY_RULES.mainnet, retargetProofLength: 4 },
    R554.epochStart,
  );
  const shortReceipt = await (
    await short.retarget(concatHeaders(headersBetween(R554, 554_396, 554_403)))
  ).wait();
  rows.push({
    case: "retarget, mainnet rules, 4 + 4 headers (554,400)",
    headers: 8,
    gas: shortReceipt?.gasUsed ?? 0n,
  });

  const six = concatHeaders(headersBetween(R741, 741_888, 741_893));
  rows.push({
    case: "validateProofWork, 6 mainnet headers (factor 6)",
    headers: 6,
    gas: await mainnet.validateProofWork.estimateGas(six),
  });
  rows.push({
    case: "validateChain, 6 mainnet headers",
    headers: 6,
    gas: await mainnet.validateChain.estimateGas(six),
  });

  const harness = await connection.ethers.deployContract("BitcoinLibHarness");
  const block = mainnetTxs.block883230;
  rows.push({
    case: "inclusion of the mainnet P2WPKH spend of block 883,230 (segwit parse, coinbase, 2 × 10-level proofs)",
    headers: 1,
    gas: await harness.getFunction("verifyInHeader").estimateGas({
      transaction: `0x${block.p2wpkhSpend.hex}`,
      txIndex: block.p2wpkhSpend.index,
      merkleProof: `0x${block.p2wpkhSpend.merkleProof}`,
      coinbase: `0x${block.coinbase.hex}`,
      coinbaseProof: `0x${block.coinbase.merkleProof}`,
      headers: `0x${block.header}`,
      blockIndex: 0,
    }),
  });

  const devnet = await startDevnet({ port: 0, clock: () => 1_700_000_000 });
  try {
    const alice = new DevnetWallet("alice").address("p2wpkh").address;
    const bob = new DevnetWallet("bob").address("p2wpkh").address;
    devnet.chain.fund(alice, 100_000n);
    devnet.chain.mine(1);
    const spend = devnet.chain.spend(alice, bob, 40_000n, 200n);
    devnet.chain.mine(6);
    const esplora = new EsploraClient({ baseUrl: devnet.url });
    const genesis = (await relayGenesis(esplora, "regtest")).parameters.LightRelay;
    const regtest = await deployRelay(connection, genesis.rules, {
      height: genesis.genesisHeight,
      hex: genesis.genesisHeader.slice(2),
    });
    const bundle = await buildTxProof(esplora, spend.txid, { confirmations: 6 });
    rows.push({
      case: "verifyTransaction, regtest, 1-in/2-out spend + coinbase + 6 headers",
      headers: 6,
      gas: await regtest.verifyTransaction.estimateGas(bundle.proof),
    });
  } finally {
    await devnet.close();
  }
  return rows;
}
