// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IFeeVault} from "../interfaces/IFeeVault.sol";
import {ADMIN_TRANSFER_DELAY} from "../libraries/Constants.sol";

/// @title FeeVault — ETH that users prepay for oracle updates
/// @notice Anyone may deposit for anyone; users withdraw their own balance; the Oracle charges fees, which accrue until
///         anyone sweeps them to the treasury. A shortfall never reverts `spendFrom`, so fees can never block a burn.
/// @dev Conservation: `address(this).balance == totalDepositsWei + accruedFeesWei` (+ ETH forced in by selfdestruct,
///      which nobody can withdraw). There is no `receive`/`fallback`: plain ETH sends revert.
contract FeeVault is IFeeVault, AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Both totals in one slot; 2^128 wei is ~3.4e20 ETH, far above the ETH supply, so uint128 cannot overflow.
    struct Totals {
        uint128 depositsWei;
        uint128 accruedFeesWei;
    }

    /// @notice The Oracle allowed to spend fees.
    address public oracle;
    /// @notice Receiver of swept fees.
    address public treasury;

    Totals private _totals;
    mapping(address user => uint256 balanceWei) private _balances;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param admin Default admin (wires the Oracle, sets the treasury).
    /// @param treasury_ Receiver of swept fees.
    constructor(address admin, address treasury_) AccessControlDefaultAdminRules(ADMIN_TRANSFER_DELAY, admin) {
        _setTreasury(treasury_);
    }

    /*//////////////////////////////////////////////////////////////
                                  ADMIN
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IFeeVault
    function setOracle(address oracle_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (oracle != address(0)) revert FeeVaultAlreadyWired();
        if (oracle_ == address(0)) revert FeeVaultZeroAddress();
        oracle = oracle_;
        emit OracleWired(oracle_);
    }

    /// @inheritdoc IFeeVault
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(treasury_);
    }

    /*//////////////////////////////////////////////////////////////
                                  USERS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IFeeVault
    function depositETH(address user) external payable {
        if (user == address(0)) revert FeeVaultZeroAddress();
        if (msg.value == 0) revert FeeVaultZeroAmount();
        _balances[user] += msg.value;
        // Checked cast and sum: the ETH supply fits in uint128, so neither reverts in practice.
        _totals.depositsWei += SafeCast.toUint128(msg.value);
        emit FeeDeposited(user, msg.sender, msg.value);
    }

    /// @inheritdoc IFeeVault
    function withdraw(uint256 amountWei) external nonReentrant {
        if (amountWei == 0) revert FeeVaultZeroAmount();
        uint256 balanceWei = _balances[msg.sender];
        if (amountWei > balanceWei) revert FeeVaultInsufficientBalance(msg.sender, balanceWei, amountWei);
        // unchecked: amountWei ≤ balanceWei ≤ depositsWei < 2^128 (a user's balance is part of the total).
        unchecked {
            _balances[msg.sender] = balanceWei - amountWei;
            _totals.depositsWei -= uint128(amountWei);
        }
        emit FeeWithdrawn(msg.sender, amountWei);
        _sendETH(msg.sender, amountWei);
    }

    /*//////////////////////////////////////////////////////////////
                              ORACLE ONLY
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IFeeVault
    function spendFrom(address user, uint256 feeWei) external returns (bool paid) {
        if (msg.sender != oracle) revert FeeVaultUnauthorizedOracle(msg.sender);
        uint256 balanceWei = _balances[user];
        if (feeWei == 0 || feeWei > balanceWei) return false;
        Totals memory totals = _totals;
        // unchecked: feeWei ≤ balanceWei ≤ depositsWei < 2^128, and depositsWei + accruedFeesWei ≤ this balance.
        unchecked {
            _balances[user] = balanceWei - feeWei;
            _totals = Totals(totals.depositsWei - uint128(feeWei), totals.accruedFeesWei + uint128(feeWei));
        }
        emit FeeSpent(user, feeWei);
        return true;
    }

    /*//////////////////////////////////////////////////////////////
                                 ANYONE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IFeeVault
    function sweep() external nonReentrant {
        uint256 amountWei = _totals.accruedFeesWei;
        if (amountWei == 0) revert FeeVaultZeroAmount();
        _totals.accruedFeesWei = 0;
        address to = treasury;
        emit FeesSwept(to, amountWei);
        _sendETH(to, amountWei);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IFeeVault
    function balanceOf(address user) external view returns (uint256) {
        return _balances[user];
    }

    /// @inheritdoc IFeeVault
    function accruedFeesWei() external view returns (uint256) {
        return _totals.accruedFeesWei;
    }

    /// @inheritdoc IFeeVault
    function totalDepositsWei() external view returns (uint256) {
        return _totals.depositsWei;
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert FeeVaultZeroAddress();
        address previous = treasury;
        treasury = treasury_;
        emit TreasuryUpdated(previous, treasury_);
    }

    function _sendETH(address to, uint256 amountWei) private {
        (bool ok, ) = to.call{value: amountWei}("");
        if (!ok) revert FeeVaultTransferFailed(to, amountWei);
    }
}
