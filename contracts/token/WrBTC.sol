// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IProofOfReserves} from "../interfaces/IProofOfReserves.sol";
import {IRBTCSynth} from "../interfaces/IRBTCSynth.sol";
import {IWrBTC} from "../interfaces/IWrBTC.sol";
import {ADMIN_TRANSFER_DELAY} from "../libraries/Constants.sol";

/// @title WrBTC — transferable wrBTC backed 1:1 by escrowed rBTC-SYNTH
/// @notice `wrap` locks free rBTC in escrow and mints wrBTC; `redeem` burns wrBTC and releases the caller's own escrow.
///         The Oracle `slash`es wrBTC after burning escrow; what the holder no longer has is recorded as a deficit.
///         `retireUncovered` (burn wrBTC) and `coverUncovered` (escrow rBTC) take the deficit back off.
/// @dev Invariant: `totalSupply() == rbtc.totalEscrow() + uncoveredSats()`. The rBTC ledger is a trusted contract of
///      this system (no callbacks), so wrap/redeem need no reentrancy guard.
contract WrBTC is IWrBTC, ERC20, ERC20Permit, AccessControlDefaultAdminRules, Pausable {
    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Role that may pause and unpause `wrap` and `redeem`.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @dev 1 unit = 1 satoshi, like rBTC-SYNTH.
    uint8 private constant DECIMALS = 8;

    /// @dev The rBTC-SYNTH ledger whose escrow backs this token.
    IRBTCSynth private immutable _rbtc;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @notice The Oracle allowed to slash.
    address public oracle;
    /// @notice wrBTC in circulation not backed by any escrow, in sats.
    uint64 public uncoveredSats;
    /// @notice The part of `uncoveredSats` caused by a user's BTC leaving while their wrBTC was elsewhere and not yet
    ///         retired or covered, in sats.
    mapping(address user => uint64 deficitSats) public uncoveredOf;
    /// @notice The ProofOfReserves gating `wrap` (zero until wired).
    address public reserves;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param admin Default admin and initial guardian.
    /// @param rbtc_ The rBTC-SYNTH ledger (must wire this vault with `wire`).
    constructor(
        address admin,
        address rbtc_
    )
        ERC20("Wrapped ReserveBTC", "wrBTC")
        ERC20Permit("Wrapped ReserveBTC")
        AccessControlDefaultAdminRules(ADMIN_TRANSFER_DELAY, admin)
    {
        if (rbtc_ == address(0)) revert WrBTCZeroAddress();
        _rbtc = IRBTCSynth(rbtc_);
        _grantRole(GUARDIAN_ROLE, admin);
    }

    /*//////////////////////////////////////////////////////////////
                                 WIRING
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IWrBTC
    function setOracle(address oracle_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (oracle != address(0)) revert WrBTCAlreadyWired();
        if (oracle_ == address(0)) revert WrBTCZeroAddress();
        oracle = oracle_;
        emit OracleWired(oracle_);
    }

    /*//////////////////////////////////////////////////////////////
                               USER FLOWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IWrBTC
    function setReserves(address reserves_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (reserves != address(0)) revert WrBTCAlreadyWired();
        if (reserves_ == address(0)) revert WrBTCZeroAddress();
        reserves = reserves_;
        emit ReservesWired(reserves_);
    }

    /// @inheritdoc IWrBTC
    function wrap(uint64 amountSats) external whenNotPaused {
        if (amountSats == 0) revert WrBTCZeroAmount();
        _mint(msg.sender, amountSats);
        // Reverts with RBTCInsufficientFree when the caller's free rBTC is short (the mint above is undone with it).
        _rbtc.moveToEscrow(msg.sender, amountSats);
        // Secure mint, checked after the escrow move so the ledger's slots are already warm (a wrap changes neither
        // the rBTC supply nor the deficit, so the order does not change the answer).
        address reserves_ = reserves;
        if (reserves_ != address(0) && !IProofOfReserves(reserves_).isFullyBacked()) revert WrBTCNotFullyBacked();
        emit Wrapped(msg.sender, amountSats);
    }

    /// @inheritdoc IWrBTC
    function redeem(uint64 amountSats) external whenNotPaused {
        if (amountSats == 0) revert WrBTCZeroAmount();
        uint64 escrowSats = _rbtc.escrowOf(msg.sender);
        if (amountSats > escrowSats) revert WrBTCInsufficientEscrow(msg.sender, escrowSats, amountSats);
        _burn(msg.sender, amountSats);
        _rbtc.releaseEscrow(msg.sender, amountSats);
        emit Redeemed(msg.sender, amountSats);
    }

    /*//////////////////////////////////////////////////////////////
                           RESTORING BACKING
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IWrBTC
    function retireUncovered(address user, uint64 amountSats) external whenNotPaused {
        _reduceUncovered(user, amountSats);
        // Reverts with ERC20InsufficientBalance when the caller holds less (the reduction above is undone with it).
        _burn(msg.sender, amountSats);
        emit UncoveredRetired(msg.sender, user, amountSats);
    }

    /// @inheritdoc IWrBTC
    function coverUncovered(address user, uint64 amountSats) external whenNotPaused {
        _reduceUncovered(user, amountSats);
        // Reverts with RBTCInsufficientFree when the caller's free rBTC is short (the reduction above is undone).
        _rbtc.moveToEscrow(msg.sender, amountSats);
        emit UncoveredCovered(msg.sender, user, amountSats);
    }

    /*//////////////////////////////////////////////////////////////
                              ORACLE ONLY
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IWrBTC
    /// @dev Never paused and never reverts for a short balance, so it can never block a burn. A zero amount is a
    ///      no-op (no event) for the same reason.
    function slash(address user, uint64 amountSats) external returns (uint64 slashedSats, uint64 uncoveredSats_) {
        if (msg.sender != oracle) revert WrBTCUnauthorizedOracle(msg.sender);
        if (user == address(0)) revert WrBTCZeroAddress();
        if (amountSats == 0) return (0, 0);
        uint256 heldSats = balanceOf(user);
        // The narrowing happens only when heldSats < amountSats ≤ type(uint64).max, so it is exact.
        slashedSats = heldSats < amountSats ? uint64(heldSats) : amountSats;
        // unchecked: slashedSats ≤ amountSats by construction.
        unchecked {
            uncoveredSats_ = amountSats - slashedSats;
        }
        if (slashedSats != 0) _burn(user, slashedSats);
        if (uncoveredSats_ != 0) {
            // Checked: the deficit is bounded by all rBTC ever escrowed (overflow needs ~8,700× the Bitcoin supply).
            uncoveredSats += uncoveredSats_;
            uncoveredOf[user] += uncoveredSats_;
        }
        emit Slashed(user, amountSats, slashedSats, uncoveredSats_);
    }

    /*//////////////////////////////////////////////////////////////
                                GUARDIAN
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IWrBTC
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    /// @inheritdoc IWrBTC
    function unpause() external onlyRole(GUARDIAN_ROLE) {
        _unpause();
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IWrBTC
    function rbtc() external view returns (address) {
        return address(_rbtc);
    }

    /// @notice 8 (1 unit = 1 satoshi).
    function decimals() public pure override returns (uint8) {
        return DECIMALS;
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @dev Takes `amountSats` off `user`'s attributed deficit and the total (Σ uncoveredOf == uncoveredSats).
    function _reduceUncovered(address user, uint64 amountSats) private {
        if (amountSats == 0) revert WrBTCZeroAmount();
        uint64 userSats = uncoveredOf[user];
        if (amountSats > userSats) revert WrBTCExceedsUncovered(user, userSats, amountSats);
        // unchecked: amountSats ≤ uncoveredOf[user] ≤ uncoveredSats (a user's deficit is part of the total).
        unchecked {
            uncoveredOf[user] = userSats - amountSats;
            uncoveredSats -= amountSats;
        }
    }
}
