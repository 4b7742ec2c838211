// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IWrBTC — the wrBTC vault: transferable ERC-20 (+ ERC-2612 permit) backed 1:1 by escrowed rBTC
/// @notice `wrap` locks the caller's free rBTC in escrow and mints the same amount of wrBTC; `redeem` burns wrBTC and
///         releases the caller's own escrow. When a holder's BTC leaves while wrapped, the Oracle burns their escrow
///         and `slash`es their wrBTC; wrBTC they no longer hold (sold or transferred) cannot be slashed and is recorded
///         as an uncovered deficit — never hidden.
///         The deficit can be brought back to zero (so reserves are fully backed and wraps reopen): `retireUncovered`
///         burns wrBTC against it (e.g. a treasury that bought wrBTC back) and `coverUncovered` escrows rBTC for it
///         (e.g. the holder after bringing the BTC back and a sync). Both name the user whose attributed deficit they
///         reduce, so `uncoveredSats() == Σ uncoveredOf(user)` holds exactly.
/// @dev Invariant: `totalSupply() == rbtc.totalEscrow() + uncoveredSats()`.
interface IWrBTC {
    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The caller is not the wired Oracle.
    error WrBTCUnauthorizedOracle(address caller);
    /// @notice `setOracle` was already called.
    error WrBTCAlreadyWired();
    /// @notice A zero address was given.
    error WrBTCZeroAddress();
    /// @notice A zero amount was given.
    error WrBTCZeroAmount();
    /// @notice `wrap` refused: the system is not fully backed (`ProofOfReserves.isFullyBacked` false; secure mint).
    error WrBTCNotFullyBacked();
    /// @notice `redeem` asked for more than the caller's own escrow.
    error WrBTCInsufficientEscrow(address user, uint64 escrowSats, uint64 neededSats);
    /// @notice `retireUncovered`/`coverUncovered` asked to reduce more than the deficit attributed to `user`.
    error WrBTCExceedsUncovered(address user, uint64 uncoveredSats, uint64 neededSats);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The Oracle allowed to slash was wired (once).
    event OracleWired(address indexed oracle);
    /// @notice The ProofOfReserves consulted by `wrap` was wired (once).
    event ReservesWired(address indexed reserves);
    /// @notice `user` wrapped `amountSats` free rBTC into wrBTC.
    event Wrapped(address indexed user, uint64 amountSats);
    /// @notice `user` redeemed `amountSats` wrBTC back into free rBTC.
    event Redeemed(address indexed user, uint64 amountSats);
    /// @notice The Oracle burned `slashedSats` wrBTC from `user` after their escrow was burned; `uncoveredSats` of the
    ///         requested amount could not be slashed (the user no longer holds it) and was added to the deficit.
    event Slashed(address indexed user, uint64 requestedSats, uint64 slashedSats, uint64 uncoveredSats);
    /// @notice `caller` burned `amountSats` of its own wrBTC against the deficit attributed to `user`.
    event UncoveredRetired(address indexed caller, address indexed user, uint64 amountSats);
    /// @notice `caller` moved `amountSats` of its own free rBTC to escrow to back wrBTC orphaned by `user`'s deficit.
    event UncoveredCovered(address indexed caller, address indexed user, uint64 amountSats);

    /*//////////////////////////////////////////////////////////////
                                FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Sets the Oracle. Callable once, by the admin.
    function setOracle(address oracle) external;

    /// @notice Sets the ProofOfReserves whose `isFullyBacked` gates `wrap`. Callable once, by the admin.
    function setReserves(address reserves) external;

    /// @notice Locks `amountSats` of the caller's free rBTC in escrow and mints as much wrBTC to the caller.
    /// @dev Requirements: `amountSats` > 0 and ≤ the caller's free rBTC; not paused; when reserves are wired, the
    ///      system is fully backed (secure mint: no new wrBTC while wrBTC is uncovered or attested BTC < rBTC supply).
    function wrap(uint64 amountSats) external;

    /// @notice Burns `amountSats` wrBTC from the caller and releases as much of the caller's own escrow to free rBTC.
    /// @dev Requirements: `amountSats` > 0, ≤ the caller's wrBTC and ≤ the caller's escrow; not paused.
    function redeem(uint64 amountSats) external;

    /// @notice Burns `amountSats` of the caller's wrBTC against the uncovered deficit attributed to `user`: the wrBTC
    ///         supply and the deficit both drop by `amountSats` (escrow is untouched), and so does `uncoveredOf(user)`.
    ///         Anyone may retire anyone's deficit (typically the treasury after buying wrBTC back, or the user).
    /// @dev Requirements: `amountSats` > 0 and ≤ `uncoveredOf(user)`; the caller holds `amountSats` wrBTC; not paused.
    ///      Emits `UncoveredRetired` and the ERC-20 `Transfer` to the zero address.
    /// @param user The user whose attributed deficit is reduced.
    /// @param amountSats wrBTC to burn, in sats.
    function retireUncovered(address user, uint64 amountSats) external;

    /// @notice Moves `amountSats` of the caller's free rBTC to escrow to back wrBTC left uncovered by `user`'s deficit:
    ///         escrow rises and the deficit (and `uncoveredOf(user)`) drops by `amountSats`; no wrBTC is minted. The
    ///         caller's escrow now backs wrBTC in circulation: it can release it with `redeem` only by burning as much
    ///         wrBTC, and a later burn of the caller's BTC slashes the caller like any wrapper.
    /// @dev Requirements: `amountSats` > 0 and ≤ `uncoveredOf(user)`; the caller's free rBTC ≥ `amountSats`
    ///      (RBTCInsufficientFree otherwise); not paused. Emits `UncoveredCovered` and RBTCSynth `Escrowed`.
    /// @param user The user whose attributed deficit is reduced (usually the caller, after bringing the BTC back).
    /// @param amountSats rBTC to escrow, in sats.
    function coverUncovered(address user, uint64 amountSats) external;

    /// @notice Burns up to `amountSats` wrBTC from `user` (Oracle only, after burning the same escrow).
    /// @return slashedSats wrBTC actually burned (min of `amountSats` and the user's wrBTC balance).
    /// @return uncoveredSats The rest, added to `uncoveredSats()` and `uncoveredOf(user)`.
    function slash(address user, uint64 amountSats) external returns (uint64 slashedSats, uint64 uncoveredSats);

    /// @notice Pauses `wrap` and `redeem` (guardian). Slashing is never paused.
    function pause() external;

    /// @notice Lifts a pause (guardian).
    function unpause() external;

    /// @notice The rBTC-SYNTH ledger this vault escrows.
    function rbtc() external view returns (address);
    /// @notice The ProofOfReserves gating `wrap` (zero until wired).
    function reserves() external view returns (address);
    /// @notice The Oracle allowed to slash.
    function oracle() external view returns (address);
    /// @notice wrBTC in circulation not backed by any escrow (sum of unslashable amounts), in sats.
    function uncoveredSats() external view returns (uint64);
    /// @notice The part of `uncoveredSats()` caused by `user`'s BTC leaving while their wrBTC was elsewhere and not yet
    ///         retired or covered (Σ over users == `uncoveredSats()`).
    function uncoveredOf(address user) external view returns (uint64);
}
