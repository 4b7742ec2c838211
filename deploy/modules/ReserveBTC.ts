import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Hardhat's default accounts 1..3 (mnemonic "test test … junk", m/44'/60'/0'/0/1..3): the default committee on
 * local networks (the in-process network and `hardhat node`). `committeeWallets(n)` in src/oracle/signing.ts derives
 * the matching keys. Real networks must set `operators` in their parameter file.
 */
export const LOCAL_DEFAULT_OPERATORS = [
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
];

/** Default parameters of the `ReserveBTC` module (every one can be overridden in deploy/parameters/<network>.json). */
export const RESERVE_BTC_DEFAULTS = {
  threshold: 2,
  minConfirmations: 1,
  /** 0.1% of the minted value… */
  feeBps: 10,
  /** …valued at 1 sat = 3e11 wei (1 BTC = 30 ETH)… */
  weiPerSat: 300_000_000_000n,
  /** …plus 0.00001 ETH per charged sync… */
  fixedFeeWei: 10_000_000_000_000n,
  /** …capped at 0.01 ETH. */
  maxFeeWei: 10_000_000_000_000_000n,
  mintWindowSeconds: 86_400,
  /** 10 BTC per user per window. */
  userMintCapSats: 1_000_000_000n,
  /** 100 BTC over all users per window. */
  globalMintCapSats: 10_000_000_000n,
  /** A cap overflow waits 3 hours for a guardian (the tBTC optimistic-minting window). */
  mintDelaySeconds: 10_800,
  maxReportValiditySeconds: 3_600,
  maxBtcHeightLag: 6,
  /** A fee unpaid for 7 days lets anyone (the runner) burn the position (FEE_EXHAUSTED). */
  feeGracePeriodSeconds: 604_800,
  /** A dispute may be opened up to 1 day after the user's last sync… */
  challengeWindowSeconds: 86_400,
  /** …and must be resolved within 3 days, or anyone may expire it. */
  resolutionDeadlineSeconds: 259_200,
  /** Smallest dispute bond: 0.01 ETH. */
  minBondWei: 10_000_000_000_000_000n,
  /** Reward of an upheld dispute: 0.005 ETH, paid up to the reward balance the treasury funds (`fundRewards`). */
  disputeRewardWei: 5_000_000_000_000_000n,
  /** The secure-mint gate (`wrap`) refuses a reserve round older than 1 day: a committee that stopped attesting stops wrBTC. */
  maxRoundAgeSeconds: 86_400,
} as const;

/**
 * Deploys and wires the ledger: RBTCSynth, WrBTC, FeePolicy, FeeVault, the committee Oracle, the DisputeManager
 * (wired into the Oracle) and ProofOfReserves (wired into WrBTC as the secure-mint gate).
 *
 * The deploying account (account 0) is the admin of every contract during deployment — it must send the one-time
 * wiring calls — and keeps every role until `AdminHandover` (deploy/modules/AdminHandover.ts) hands them over.
 * Wiring is explicit and one-time (`wire`, `setOracle`), never through addresses predicted from deployer nonces.
 */
export default buildModule("ReserveBTC", (m) => {
  const deployer = m.getAccount(0);
  const d = RESERVE_BTC_DEFAULTS;

  const treasury = m.getParameter("treasury", deployer);
  const operators = m.getParameter<string[]>("operators", LOCAL_DEFAULT_OPERATORS);
  const threshold = m.getParameter("threshold", d.threshold);
  const minConfirmations = m.getParameter("minConfirmations", d.minConfirmations);

  const rbtc = m.contract("RBTCSynth", [deployer]);
  const wrbtc = m.contract("WrBTC", [deployer, rbtc]);
  const feePolicy = m.contract("FeePolicy", [
    deployer,
    m.getParameter("feeBps", d.feeBps),
    m.getParameter("weiPerSat", d.weiPerSat),
    m.getParameter("fixedFeeWei", d.fixedFeeWei),
    m.getParameter("maxFeeWei", d.maxFeeWei),
  ]);
  const feeVault = m.contract("FeeVault", [deployer, treasury]);
  // The Oracle's external libraries (its binding registry and its out-of-band position resets), linked at deployment.
  const bindingRegistry = m.library("BindingRegistry");
  const positionResets = m.library("PositionResets");
  const oracle = m.contract(
    "Oracle",
    [
      deployer,
      rbtc,
      wrbtc,
      feeVault,
      feePolicy,
      {
        operators,
        threshold,
        minConfirmations,
        mintWindowSeconds: m.getParameter("mintWindowSeconds", d.mintWindowSeconds),
        userMintCapSats: m.getParameter("userMintCapSats", d.userMintCapSats),
        globalMintCapSats: m.getParameter("globalMintCapSats", d.globalMintCapSats),
        mintDelaySeconds: m.getParameter("mintDelaySeconds", d.mintDelaySeconds),
        maxReportValiditySeconds: m.getParameter("maxReportValiditySeconds", d.maxReportValiditySeconds),
        maxBtcHeightLag: m.getParameter("maxBtcHeightLag", d.maxBtcHeightLag),
      },
    ],
    { libraries: { BindingRegistry: bindingRegistry, PositionResets: positionResets } },
  );

  const disputeManager = m.contract("DisputeManager", [
    deployer,
    oracle,
    treasury,
    m.getParameter("challengeWindowSeconds", d.challengeWindowSeconds),
    m.getParameter("resolutionDeadlineSeconds", d.resolutionDeadlineSeconds),
    m.getParameter("minBondWei", d.minBondWei),
    m.getParameter("disputeRewardWei", d.disputeRewardWei),
  ]);
  const proofOfReserves = m.contract("ProofOfReserves", [
    deployer,
    oracle,
    rbtc,
    wrbtc,
    m.getParameter("maxRoundAgeSeconds", d.maxRoundAgeSeconds),
  ]);

  m.call(rbtc, "wire", [oracle, wrbtc]);
  m.call(wrbtc, "setOracle", [oracle]);
  m.call(feeVault, "setOracle", [oracle]);
  m.call(oracle, "setDisputeManager", [disputeManager]);
  m.call(oracle, "setFeeGracePeriod", [m.getParameter("feeGracePeriodSeconds", d.feeGracePeriodSeconds)]);
  // Secure mint: wrap is refused while ProofOfReserves does not report the system fully backed.
  m.call(wrbtc, "setReserves", [proofOfReserves]);

  return { rbtc, wrbtc, feePolicy, feeVault, oracle, disputeManager, proofOfReserves };
});
