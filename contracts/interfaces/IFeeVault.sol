// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IFeeVault — ETH that users prepay for oracle updates
/// @notice Anyone may deposit for anyone; a user withdraws their own balance; the Oracle spends fees, which accrue to
///         the treasury and are swept to it by anyone.
/// @dev Invariant: `address(this).balance == Σ balanceOf(user) + accruedFeesWei()` (plus forced ETH, which is never
///      counted as anybody's).
interface IFeeVault {
    /// @notice The caller is not the wired Oracle.
    error FeeVaultUnauthorizedOracle(address caller);
    /// @notice `setOracle` was already called.
    error FeeVaultAlreadyWired();
    /// @notice A zero address was given.
    error FeeVaultZeroAddress();
    /// @notice A zero amount was given.
    error FeeVaultZeroAmount();
    /// @notice A withdrawal above the caller's balance.
    error FeeVaultInsufficientBalance(address user, uint256 balanceWei, uint256 neededWei);
    /// @notice Sending ETH failed.
    error FeeVaultTransferFailed(address to, uint256 amountWei);

    /// @notice The Oracle allowed to spend was wired (once).
    event OracleWired(address indexed oracle);
    /// @notice `from` deposited `amountWei` for `user`.
    event FeeDeposited(address indexed user, address indexed from, uint256 amountWei);
    /// @notice `user` withdrew `amountWei` to themselves.
    event FeeWithdrawn(address indexed user, uint256 amountWei);
    /// @notice The Oracle charged `user` `amountWei` for a sync.
    event FeeSpent(address indexed user, uint256 amountWei);
    /// @notice Accrued fees were sent to the treasury.
    event FeesSwept(address indexed treasury, uint256 amountWei);
    /// @notice The treasury address changed.
    event TreasuryUpdated(address indexed previousTreasury, address indexed newTreasury);

    /// @notice Sets the Oracle. Callable once, by the admin.
    function setOracle(address oracle) external;
    /// @notice Sets the treasury that receives swept fees (role DEFAULT_ADMIN_ROLE).
    function setTreasury(address treasury) external;

    /// @notice Credits `msg.value` to `user`'s prepaid balance.
    function depositETH(address user) external payable;
    /// @notice Sends `amountWei` of the caller's balance to the caller.
    function withdraw(uint256 amountWei) external;
    /// @notice Charges `feeWei` from `user` if their balance covers it (Oracle only). Never reverts on a shortfall.
    /// @return paid True when charged; false (and nothing changed) when the balance is short or `feeWei` is zero.
    function spendFrom(address user, uint256 feeWei) external returns (bool paid);
    /// @notice Sends every accrued fee to the treasury. Anyone may call.
    function sweep() external;

    /// @notice Prepaid balance of `user`, in wei.
    function balanceOf(address user) external view returns (uint256);
    /// @notice Fees charged and not yet swept to the treasury, in wei.
    function accruedFeesWei() external view returns (uint256);
    /// @notice Sum of every user's prepaid balance, in wei.
    function totalDepositsWei() external view returns (uint256);
    /// @notice Receiver of swept fees.
    function treasury() external view returns (address);
}
