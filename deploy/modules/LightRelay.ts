import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * A relay rule set: the `ILightRelay.Rules` struct (see contracts/interfaces/ILightRelay.sol). A type alias, not an
 * interface, so it is assignable to Ignition's parameter type.
 */
export type RelayRules = {
  /** Compact encoding of the easiest target a header may have. */
  powLimitBits: number;
  /** Whether difficulty changes every 2016 blocks. */
  retargeting: boolean;
  /** Whether testnet's 20-minute minimum-difficulty blocks are accepted inside header chains. */
  minDifficultyBlocks: boolean;
  /** Blocks' worth of epoch work a transaction proof's header chain must carry. */
  txProofDifficultyFactor: number;
  /** Headers on each side of a retarget (0 without retargeting). */
  retargetProofLength: number;
};

/** The Bitcoin networks the relay has a rule set for. */
export type RelayNetwork = "mainnet" | "testnet4" | "regtest";

/**
 * The rule set of each network. Mainnet and testnet4 follow tBTC's production choice (20 headers on each side of a
 * retarget, a 6-block work factor for proofs); testnet4 adds BIP-94's minimum-difficulty blocks. Regtest (the local
 * devnet) never retargets and keeps Bitcoin Core's regtest limit; a proof there still needs 6 blocks of real work.
 * Testnet3 and signet are not supported: testnet3's difficulty can reset to 1 at a retarget, and signet blocks are
 * authorized by a signature, not by work.
 */
export const RELAY_RULES: Record<RelayNetwork, RelayRules> = {
  mainnet: {
    powLimitBits: 0x1d00ffff,
    retargeting: true,
    minDifficultyBlocks: false,
    txProofDifficultyFactor: 6,
    retargetProofLength: 20,
  },
  testnet4: {
    powLimitBits: 0x1d00ffff,
    retargeting: true,
    minDifficultyBlocks: true,
    txProofDifficultyFactor: 6,
    retargetProofLength: 20,
  },
  regtest: {
    powLimitBits: 0x207fffff,
    retargeting: false,
    minDifficultyBlocks: false,
    txProofDifficultyFactor: 6,
    retargetProofLength: 0,
  },
};

/**
 * Deploys the LightRelay. Parameters (module id `LightRelay`): `rules` (default: the regtest rule set),
 * `genesisHeader` (80-byte header, hex) and `genesisHeight` — no defaults: `npx hardhat relay:genesis` writes a
 * parameters file with a real header from any Esplora backend. The relay has no owner and no roles.
 */
export default buildModule("LightRelay", (m) => {
  const relay = m.contract("LightRelay", [
    m.getParameter<RelayRules>("rules", RELAY_RULES.regtest),
    m.getParameter<string>("genesisHeader"),
    m.getParameter<number>("genesisHeight"),
  ]);
  return { relay };
});
