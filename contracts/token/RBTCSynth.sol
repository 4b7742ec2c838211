// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

import {IRBTCSynth} from "../interfaces/IRBTCSynth.sol";
import {ADMIN_TRANSFER_DELAY, MAX_BTC_SATS} from "../libraries/Constants.sol";

/// @title RBTCSynth — the soulbound rBTC-SYNTH ledger
/// @notice 1 unit = 1 satoshi. Balances change only through the Oracle (mint/burn) and the wrBTC vault (escrow moves).
/// @dev Gas: a user's free and escrow balances share one storage slot; so do the two totals. Every balance is bounded
///      by `MAX_BTC_SATS` (21e14 < 2^64) through the supply check in `mint`, so the uint64 fields can never overflow.
contract RBTCSynth is IRBTCSynth, AccessControlDefaultAdminRules {
    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @dev 1 unit = 1 satoshi.
    uint8 private constant DECIMALS = 8;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev One slot per user.
    struct Account {
        uint64 freeSats;
        uint64 escrowSats;
        bool frozen;
    }

    /// @dev One slot for both totals.
    struct Totals {
        uint64 freeSats;
        uint64 escrowSats;
    }

    /// @notice The Oracle allowed to mint and burn.
    address public oracle;
    /// @notice The wrBTC vault allowed to move escrow.
    address public vault;

    Totals private _totals;
    mapping(address user => Account account) private _accounts;

    /*//////////////////////////////////////////////////////////////
                                MODIFIERS
    //////////////////////////////////////////////////////////////*/

    modifier onlyOracle() {
        if (msg.sender != oracle) revert RBTCUnauthorizedOracle(msg.sender);
        _;
    }

    modifier onlyVault() {
        if (msg.sender != vault) revert RBTCUnauthorizedVault(msg.sender);
        _;
    }

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param admin Default admin (wires the Oracle and the vault; two-step handover with `ADMIN_TRANSFER_DELAY`).
    constructor(address admin) AccessControlDefaultAdminRules(ADMIN_TRANSFER_DELAY, admin) {}

    /*//////////////////////////////////////////////////////////////
                                 WIRING
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRBTCSynth
    function wire(address oracle_, address vault_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (oracle != address(0)) revert RBTCAlreadyWired();
        if (oracle_ == address(0) || vault_ == address(0)) revert RBTCZeroAddress();
        oracle = oracle_;
        vault = vault_;
        emit Wired(oracle_, vault_);
    }

    /*//////////////////////////////////////////////////////////////
                              ORACLE ONLY
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRBTCSynth
    function mint(address user, uint64 amountSats) external onlyOracle {
        if (user == address(0)) revert RBTCZeroAddress();
        if (amountSats == 0) revert RBTCZeroAmount();
        Totals memory totals = _totals;
        // uint256 so that the sum itself cannot overflow before the bound check.
        uint256 newSupplySats = uint256(totals.freeSats) + totals.escrowSats + amountSats;
        if (newSupplySats > MAX_BTC_SATS) revert RBTCSupplyOverflow(newSupplySats);
        // unchecked: the new supply is ≤ MAX_BTC_SATS < 2^64, and every term below is bounded by it.
        unchecked {
            _totals.freeSats = totals.freeSats + amountSats;
            _accounts[user].freeSats += amountSats;
        }
        emit Minted(user, amountSats);
        emit Transfer(address(0), user, amountSats);
    }

    /// @inheritdoc IRBTCSynth
    function burn(
        address user,
        uint64 amountSats
    ) external onlyOracle returns (uint64 fromFreeSats, uint64 fromEscrowSats) {
        if (user == address(0)) revert RBTCZeroAddress();
        if (amountSats == 0) revert RBTCZeroAmount();
        Account memory account = _accounts[user];
        if (amountSats <= account.freeSats) {
            fromFreeSats = amountSats;
        } else {
            fromFreeSats = account.freeSats;
            // unchecked: amountSats > account.freeSats in this branch.
            unchecked {
                fromEscrowSats = amountSats - fromFreeSats;
            }
            if (fromEscrowSats > account.escrowSats) {
                revert RBTCInsufficientEscrow(user, account.escrowSats, fromEscrowSats);
            }
        }
        Totals memory totals = _totals;
        // unchecked: fromFreeSats ≤ account.freeSats ≤ totals.freeSats and fromEscrowSats ≤ account.escrowSats ≤
        // totals.escrowSats (a user's balance is part of the total).
        unchecked {
            _accounts[user] = Account(
                account.freeSats - fromFreeSats,
                account.escrowSats - fromEscrowSats,
                account.frozen
            );
            _totals = Totals(totals.freeSats - fromFreeSats, totals.escrowSats - fromEscrowSats);
        }
        emit Burned(user, fromFreeSats, fromEscrowSats);
        emit Transfer(user, address(0), amountSats);
    }

    /// @inheritdoc IRBTCSynth
    function setFrozen(address user, bool frozen) external onlyOracle {
        _accounts[user].frozen = frozen;
        emit AccountFrozen(user, frozen);
    }

    /*//////////////////////////////////////////////////////////////
                               VAULT ONLY
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRBTCSynth
    function moveToEscrow(address user, uint64 amountSats) external onlyVault {
        if (user == address(0)) revert RBTCZeroAddress();
        if (amountSats == 0) revert RBTCZeroAmount();
        Account memory account = _accounts[user];
        if (account.frozen) revert RBTCAccountFrozen(user);
        if (amountSats > account.freeSats) revert RBTCInsufficientFree(user, account.freeSats, amountSats);
        Totals memory totals = _totals;
        // unchecked: amountSats ≤ account.freeSats ≤ totals.freeSats; escrow + amount ≤ supply ≤ MAX_BTC_SATS.
        unchecked {
            _accounts[user] = Account(account.freeSats - amountSats, account.escrowSats + amountSats, false);
            _totals = Totals(totals.freeSats - amountSats, totals.escrowSats + amountSats);
        }
        emit Escrowed(user, amountSats);
    }

    /// @inheritdoc IRBTCSynth
    function releaseEscrow(address user, uint64 amountSats) external onlyVault {
        if (user == address(0)) revert RBTCZeroAddress();
        if (amountSats == 0) revert RBTCZeroAmount();
        Account memory account = _accounts[user];
        if (amountSats > account.escrowSats) revert RBTCInsufficientEscrow(user, account.escrowSats, amountSats);
        Totals memory totals = _totals;
        // unchecked: amountSats ≤ account.escrowSats ≤ totals.escrowSats; free + amount ≤ supply ≤ MAX_BTC_SATS.
        unchecked {
            _accounts[user] = Account(account.freeSats + amountSats, account.escrowSats - amountSats, account.frozen);
            _totals = Totals(totals.freeSats + amountSats, totals.escrowSats - amountSats);
        }
        emit Released(user, amountSats);
    }

    /*//////////////////////////////////////////////////////////////
                          SOULBOUND (ERC-20 SHAPE)
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRBTCSynth
    function transfer(address, uint256) external pure returns (bool) {
        revert RBTCSoulbound();
    }

    /// @inheritdoc IRBTCSynth
    function transferFrom(address, address, uint256) external pure returns (bool) {
        revert RBTCSoulbound();
    }

    /// @inheritdoc IRBTCSynth
    function approve(address, uint256) external pure returns (bool) {
        revert RBTCSoulbound();
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRBTCSynth
    function freeBalanceOf(address user) external view returns (uint64) {
        return _accounts[user].freeSats;
    }

    /// @inheritdoc IRBTCSynth
    function escrowOf(address user) external view returns (uint64) {
        return _accounts[user].escrowSats;
    }

    /// @inheritdoc IRBTCSynth
    function totalBackedOf(address user) public view returns (uint64) {
        Account memory account = _accounts[user];
        // unchecked: free + escrow ≤ supply ≤ MAX_BTC_SATS < 2^64.
        unchecked {
            return account.freeSats + account.escrowSats;
        }
    }

    /// @inheritdoc IRBTCSynth
    function isFrozen(address user) external view returns (bool) {
        return _accounts[user].frozen;
    }

    /// @inheritdoc IRBTCSynth
    function totalFree() external view returns (uint64) {
        return _totals.freeSats;
    }

    /// @inheritdoc IRBTCSynth
    function totalEscrow() external view returns (uint64) {
        return _totals.escrowSats;
    }

    /// @inheritdoc IRBTCSynth
    function balanceOf(address user) external view returns (uint256) {
        return totalBackedOf(user);
    }

    /// @inheritdoc IRBTCSynth
    function totalSupply() external view returns (uint256) {
        Totals memory totals = _totals;
        return uint256(totals.freeSats) + totals.escrowSats;
    }

    /// @inheritdoc IRBTCSynth
    function allowance(address, address) external pure returns (uint256) {
        return 0;
    }

    /// @inheritdoc IRBTCSynth
    function decimals() external pure returns (uint8) {
        return DECIMALS;
    }

    /// @inheritdoc IRBTCSynth
    function name() external pure returns (string memory) {
        return "ReserveBTC Synthetic BTC";
    }

    /// @inheritdoc IRBTCSynth
    function symbol() external pure returns (string memory) {
        return "rBTC-SYNTH";
    }
}
