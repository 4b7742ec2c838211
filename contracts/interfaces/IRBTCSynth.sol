// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IRBTCSynth — the soulbound rBTC-SYNTH ledger (1 unit = 1 satoshi, 8 decimals)
/// @notice A user's rBTC is split into a free part (theirs, not transferable) and an escrow part (locked behind
///         wrBTC that the vault minted). `totalBackedOf = free + escrow` always equals the BTC the committee last
///         attested for the user minus any mint still awaiting a fee top-up or a cap delay.
/// @dev Only the Oracle mints and burns; only the wrBTC vault moves balances between free and escrow. Both are
///      wired once by the admin (`wire`). Transfers and approvals always revert.
interface IRBTCSynth {
    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice rBTC-SYNTH cannot be transferred or approved.
    error RBTCSoulbound();
    /// @notice The caller is not the wired Oracle.
    error RBTCUnauthorizedOracle(address caller);
    /// @notice The caller is not the wired wrBTC vault.
    error RBTCUnauthorizedVault(address caller);
    /// @notice `wire` was already called.
    error RBTCAlreadyWired();
    /// @notice A zero address was given where a contract or user is required.
    error RBTCZeroAddress();
    /// @notice A zero amount was given.
    error RBTCZeroAmount();
    /// @notice The user's free balance is below the amount.
    error RBTCInsufficientFree(address user, uint64 freeSats, uint64 neededSats);
    /// @notice The user's escrow is below the amount.
    error RBTCInsufficientEscrow(address user, uint64 escrowSats, uint64 neededSats);
    /// @notice A balance or supply would exceed the 21e14-sat Bitcoin supply bound.
    error RBTCSupplyOverflow(uint256 totalSats);
    /// @notice The account is frozen by an open dispute: its free rBTC cannot move to escrow (no wrap, no cover).
    error RBTCAccountFrozen(address user);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice ERC-20 compatible supply-change event (mint: from = 0, burn: to = 0), for explorers and indexers.
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// @notice The Oracle and the wrBTC vault were wired (once).
    event Wired(address indexed oracle, address indexed vault);
    /// @notice `amountSats` free rBTC was minted to `user`.
    event Minted(address indexed user, uint64 amountSats);
    /// @notice `freeSats` of free and `escrowSats` of escrowed rBTC were burned from `user`.
    event Burned(address indexed user, uint64 freeSats, uint64 escrowSats);
    /// @notice `amountSats` moved from `user`'s free balance into escrow (a wrap).
    event Escrowed(address indexed user, uint64 amountSats);
    /// @notice `amountSats` moved from `user`'s escrow back to free (a redeem).
    event Released(address indexed user, uint64 amountSats);
    /// @notice The Oracle froze (`frozen` true) or unfroze `user`'s account while a dispute on her balance is open.
    event AccountFrozen(address indexed user, bool frozen);

    /*//////////////////////////////////////////////////////////////
                                 WIRING
    //////////////////////////////////////////////////////////////*/

    /// @notice Sets the Oracle (mint/burn) and the wrBTC vault (escrow moves). Callable once, by the admin.
    /// @param oracle The Oracle contract.
    /// @param vault The wrBTC vault contract.
    function wire(address oracle, address vault) external;

    /*//////////////////////////////////////////////////////////////
                              ORACLE ONLY
    //////////////////////////////////////////////////////////////*/

    /// @notice Mints `amountSats` free rBTC to `user`.
    /// @dev Requirements: caller is the Oracle; `user` non-zero; `amountSats` > 0; supply stays ≤ 21e14 sats.
    function mint(address user, uint64 amountSats) external;

    /// @notice Burns `amountSats` from `user`: free balance first, then escrow.
    /// @dev Requirements: caller is the Oracle; `amountSats` ≤ `totalBackedOf(user)`.
    /// @return fromFreeSats The part burned from the free balance.
    /// @return fromEscrowSats The part burned from escrow (the caller must slash the matching wrBTC).
    function burn(address user, uint64 amountSats) external returns (uint64 fromFreeSats, uint64 fromEscrowSats);

    /// @notice Freezes or unfreezes `user`'s account (Oracle only, while a dispute on her balance is open): a frozen
    ///         account's free rBTC cannot move to escrow, so nothing she holds can leave as wrBTC. Burns and escrow
    ///         releases are unaffected.
    function setFrozen(address user, bool frozen) external;

    /*//////////////////////////////////////////////////////////////
                               VAULT ONLY
    //////////////////////////////////////////////////////////////*/

    /// @notice Moves `amountSats` of `user`'s free rBTC into escrow. Caller: the wrBTC vault.
    function moveToEscrow(address user, uint64 amountSats) external;

    /// @notice Moves `amountSats` of `user`'s escrow back to free. Caller: the wrBTC vault.
    function releaseEscrow(address user, uint64 amountSats) external;

    /// @notice True while `user`'s account is frozen.
    function isFrozen(address user) external view returns (bool);

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The Oracle allowed to mint and burn.
    function oracle() external view returns (address);
    /// @notice The wrBTC vault allowed to move escrow.
    function vault() external view returns (address);
    /// @notice Free (unwrapped) rBTC of `user`, in sats.
    function freeBalanceOf(address user) external view returns (uint64);
    /// @notice Escrowed rBTC of `user` (locked behind wrBTC), in sats.
    function escrowOf(address user) external view returns (uint64);
    /// @notice `freeBalanceOf(user) + escrowOf(user)`, in sats.
    function totalBackedOf(address user) external view returns (uint64);
    /// @notice Sum of every user's free rBTC, in sats.
    function totalFree() external view returns (uint64);
    /// @notice Sum of every user's escrowed rBTC, in sats.
    function totalEscrow() external view returns (uint64);
    /// @notice ERC-20 view: `totalBackedOf(user)` as uint256.
    function balanceOf(address user) external view returns (uint256);
    /// @notice ERC-20 view: `totalFree() + totalEscrow()`.
    function totalSupply() external view returns (uint256);
    /// @notice Always 8 (1 unit = 1 satoshi).
    function decimals() external view returns (uint8);
    /// @notice "ReserveBTC Synthetic BTC".
    function name() external view returns (string memory);
    /// @notice "rBTC-SYNTH".
    function symbol() external view returns (string memory);
    /// @notice Always reverts with `RBTCSoulbound`.
    function transfer(address to, uint256 value) external returns (bool);
    /// @notice Always reverts with `RBTCSoulbound`.
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    /// @notice Always reverts with `RBTCSoulbound`.
    function approve(address spender, uint256 value) external returns (bool);
    /// @notice Always 0.
    function allowance(address owner, address spender) external view returns (uint256);
}
