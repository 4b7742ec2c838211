// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ILightRelay — an on-chain Bitcoin light relay: epoch difficulties proven by headers, proofs that carry work
/// @notice The design of tBTC's `LightRelay`: the relay stores no block headers, only the difficulty of each epoch
///         (2016 blocks) since its genesis, each proven by a retarget — `retargetProofLength` headers before an epoch
///         boundary and as many after it, all with valid proof of work, the new epoch's bits equal to what Bitcoin's
///         difficulty adjustment computes from the old epoch. A transaction proof carries its own header chain: the
///         block that confirms the transaction and its descendants, whose accumulated work must reach
///         `txProofDifficultyFactor` blocks' worth of the epoch's work (6 on mainnet).
///
///         What a proof assures: forging one costs at least `txProofDifficultyFactor` blocks of real proof of work at
///         the current difficulty (plus whatever the forger gives up by not publishing them). It does not assure that
///         the blocks are on the best chain: users of the relay bind a proof to a block they already trust (ReserveBTC
///         anchors it at the block of the user's last committee report) and size the factor to the value at stake.
///
///         Rule sets (immutable, chosen at deployment):
///         - mainnet: `powLimitBits = 0x1d00ffff`, retargeting, no minimum-difficulty blocks;
///         - testnet4 (BIP-94): as mainnet, plus minimum-difficulty blocks (bits = `powLimitBits`, more than 20
///           minutes after their parent) inside a chain; they count with their own (tiny) work, and a retarget is
///           computed from the epoch's real target, never from such a block;
///         - regtest (the local devnet): `powLimitBits = 0x207fffff`, no retargeting: every header must carry the
///           genesis bits and valid proof of work, and work is counted exactly as on mainnet (2 hashes per block).
///
///         Retargets are permissionless and the relay has no owner: nobody can pause it, change its rules or reserve
///         the retarget to a whitelist (tBTC's optional authorization toggle is deliberately left out, so no key can
///         stop spend proofs by starving the relay of retargets). Anyone can keep it current (`relay:sync`).
/// @dev Hashes are `bytes32` in Bitcoin's internal byte order. Difficulties are integers relative to difficulty 1
///      (`0x1d00ffff`), as tBTC's relay reports them (0 on regtest); work is `2^256 / (target + 1)` per block.
interface ILightRelay {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice The consensus rules the relay applies.
    /// @param powLimitBits Compact encoding of the easiest target any header may have.
    /// @param retargeting Whether difficulty changes every 2016 blocks (false on regtest).
    /// @param minDifficultyBlocks Whether testnet's minimum-difficulty blocks are accepted inside header chains.
    /// @param txProofDifficultyFactor Blocks' worth of epoch work a transaction proof's header chain must carry (≥ 1).
    /// @param retargetProofLength Headers required on each side of a retarget (1–2015; 0 without retargeting).
    struct Rules {
        uint32 powLimitBits;
        bool retargeting;
        bool minDifficultyBlocks;
        uint16 txProofDifficultyFactor;
        uint16 retargetProofLength;
    }

    /// @notice A proven difficulty epoch.
    /// @param timestamp Time field of the epoch's first block.
    /// @param bits Compact target every block of the epoch carries.
    struct Epoch {
        uint32 timestamp;
        uint32 bits;
    }

    /// @notice A transaction inclusion proof with its own header chain.
    /// @param transaction Raw transaction, legacy or segwit serialization.
    /// @param txIndex Position of the transaction in its block.
    /// @param merkleProof Sibling hashes from the transaction up to the Merkle root (32 bytes each, internal order).
    /// @param coinbase Raw coinbase transaction of the same block (any serialization).
    /// @param coinbaseProof The coinbase's sibling hashes: same depth as `merkleProof`.
    /// @param headers A linked header chain (80 bytes each, lowest height first) containing the confirming block and
    ///        its descendants; it may start earlier, at a block the caller trusts (an anchor).
    /// @param blockIndex Position of the confirming block's header in `headers` (0 when the chain starts with it).
    struct TxProof {
        bytes transaction;
        uint256 txIndex;
        bytes merkleProof;
        bytes coinbase;
        bytes coinbaseProof;
        bytes headers;
        uint256 blockIndex;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The rule set is inconsistent (a factor of 0, a proof length out of 1–2015 with retargeting or non-zero
    ///         without, minimum-difficulty blocks without retargeting).
    error RelayInvalidRules(Rules rules);
    /// @notice The genesis header is not 80 bytes.
    error RelayGenesisHeaderLength(uint256 length);
    /// @notice A retargeting relay's genesis must be the first block of an epoch (height multiple of 2016).
    error RelayGenesisHeight(uint256 height);
    /// @notice The genesis header's target is above the proof-of-work limit.
    error RelayGenesisBitsAboveLimit(uint32 bits, uint32 powLimitBits);
    /// @notice A header chain must be a non-empty whole number of 80-byte headers.
    error RelayHeadersLength(uint256 length);
    /// @notice A header chain has more headers than one epoch can hold (2015 at most).
    error RelayTooManyHeaders(uint256 count);
    /// @notice A retarget needs exactly `2 × retargetProofLength` headers.
    error RelayRetargetLength(uint256 length, uint256 expectedLength);
    /// @notice Header `index` does not build on the header before it.
    error RelayBrokenChain(uint256 index, bytes32 prevHash, bytes32 expectedPrevHash);
    /// @notice Header `index`'s hash is above the target its bits encode.
    error RelayInsufficientProofOfWork(uint256 index, bytes32 blockHash, uint32 bits);
    /// @notice Header `index` carries other bits than its epoch (or a retarget) requires.
    error RelayUnexpectedBits(uint256 index, uint32 bits, uint32 expectedBits);
    /// @notice The chain starts before the relay's genesis epoch.
    error RelayChainBeforeGenesis(uint32 timestamp, uint32 genesisTimestamp);
    /// @notice This rule set does not retarget (regtest).
    error RelayRetargetDisabled();
    /// @notice The last block of the old epoch claims a time after this EVM block's.
    error RelayEpochEndInFuture(uint32 timestamp, uint256 nowSeconds);
    /// @notice The epoch is before the relay's genesis.
    error RelayEpochBeforeGenesis(uint256 epoch, uint256 genesisEpoch);
    /// @notice The epoch has not been proven to the relay (a retarget is missing).
    error RelayEpochNotProven(uint256 epoch, uint256 currentEpoch);
    /// @notice A proof's first header is older than the previous epoch.
    error RelayProofEpochTooOld(uint256 epoch, uint256 currentEpoch);
    /// @notice A proof's header chain carries less work than `txProofDifficultyFactor` blocks of its epoch.
    error RelayInsufficientWork(uint256 work, uint256 requiredWork);
    /// @notice The confirming block's position is outside the proof's header chain.
    error RelayBlockIndexOutOfRange(uint256 blockIndex, uint256 headerCount);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The relay was created at the block `blockHeight` (its genesis epoch's start on retargeting networks).
    event Genesis(uint256 blockHeight, bytes32 blockHash, uint32 bits, uint32 timestamp, Rules rules);

    /// @notice Epoch `epoch` was proven: its blocks carry `newBits`, the previous epoch's carried `oldBits`.
    event Retarget(uint256 indexed epoch, uint32 oldBits, uint32 newBits, uint32 epochStartTimestamp);

    /*//////////////////////////////////////////////////////////////
                               MUTATORS
    //////////////////////////////////////////////////////////////*/

    /// @notice Proves the next epoch's difficulty. Anyone may call.
    /// @param headers The last `retargetProofLength` headers of the current epoch, then the first
    ///        `retargetProofLength` headers of the next one (one linked chain).
    /// @dev Requirements:
    ///      - the rule set retargets;
    ///      - exactly `2 × retargetProofLength` linked headers, each with valid proof of work;
    ///      - the first half carries the current epoch's bits (or, on testnet, minimum-difficulty bits);
    ///      - the first header of the second half carries exactly the bits Bitcoin's adjustment computes from the
    ///        current epoch's target and the times of its first and last blocks, and the rest carry them too (or
    ///        minimum-difficulty bits on testnet);
    ///      - the old epoch's last block is not in the future.
    ///      Cheating the relay this way costs more work than mining `retargetProofLength` honest blocks.
    function retarget(bytes calldata headers) external;

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice Checks a header chain against the relay's epochs; reverts with the first problem.
    /// @param headers 1 to 2015 linked headers, lowest height first.
    /// @return startingHeaderTimestamp The first header's time.
    /// @return headerCount The number of headers.
    /// @dev Each header must have valid proof of work and its epoch's bits; the first header's epoch is found by its
    ///      time (and bits, around a boundary), a later header may enter the next proven epoch at exactly that epoch's
    ///      first block. Chains before the genesis epoch or into an unproven epoch are rejected.
    function validateChain(
        bytes calldata headers
    ) external view returns (uint256 startingHeaderTimestamp, uint256 headerCount);

    /// @notice Checks a transaction proof's header chain: {validateChain}, the first header in the current or the
    ///         previous epoch, and accumulated work ≥ `txProofDifficultyFactor` × one block's work in that epoch.
    /// @return firstBlockHash Hash of the first header (the confirming block).
    /// @return lastBlockHash Hash of the last header.
    /// @return work Accumulated work of the chain.
    /// @return requiredWork Work the chain had to reach.
    function validateProofWork(
        bytes calldata headers
    ) external view returns (bytes32 firstBlockHash, bytes32 lastBlockHash, uint256 work, uint256 requiredWork);

    /// @notice Verifies a transaction inclusion proof: a well-formed transaction (not 64 bytes), a well-formed
    ///         coinbase, both Merkle proofs (same depth) to the confirming header's Merkle root, the whole chain
    ///         under {validateChain}, the confirming block in the current or previous epoch, and the work of the
    ///         confirming block and its descendants ≥ `txProofDifficultyFactor` × one block's work in its epoch.
    /// @return txid The transaction's id (internal byte order).
    /// @return blockHash The confirming block's hash.
    /// @return confirmations The confirming block and its descendants in `headers`.
    function verifyTransaction(
        TxProof calldata proof
    ) external view returns (bytes32 txid, bytes32 blockHash, uint256 confirmations);

    /// @notice The relay's rule set.
    function rules() external view returns (Rules memory);

    /// @notice Height of the genesis block.
    function genesisHeight() external view returns (uint256);

    /// @notice Number of the genesis epoch (`genesisHeight / 2016`).
    function genesisEpoch() external view returns (uint64);

    /// @notice Number of the latest proven epoch (the genesis epoch forever on regtest).
    function currentEpoch() external view returns (uint64);

    /// @notice A proven epoch. Reverts outside the relay's range.
    function epoch(uint256 epochNumber) external view returns (Epoch memory);

    /// @notice Heights the relay can validate headers of: from genesis to the end of the current epoch (unbounded
    ///         on regtest). Informative: a chain may reach into the next epoch only after its retarget.
    function getRelayRange() external view returns (uint256 relayGenesis, uint256 currentEpochEnd);

    /// @notice Difficulty of an epoch (integer, relative to difficulty 1). Reverts outside the relay's range.
    function getEpochDifficulty(uint256 epochNumber) external view returns (uint256);

    /// @notice Difficulty of the epoch of block `blockHeight`. Reverts outside the relay's range.
    function getBlockDifficulty(uint256 blockHeight) external view returns (uint256);

    /// @notice Difficulty of the current epoch.
    function getCurrentEpochDifficulty() external view returns (uint256);

    /// @notice Difficulty of the previous epoch (0 before the first retarget).
    function getPrevEpochDifficulty() external view returns (uint256);

    /// @notice Both of the above.
    function getCurrentAndPrevEpochDifficulty() external view returns (uint256 current, uint256 previous);

    /// @notice Work of one block of an epoch (`2^256 / (target + 1)`). Reverts outside the relay's range.
    function getEpochWork(uint256 epochNumber) external view returns (uint256);
}
