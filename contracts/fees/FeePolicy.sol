// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IFeePolicy} from "../interfaces/IFeePolicy.sol";
import {ADMIN_TRANSFER_DELAY} from "../libraries/Constants.sol";

/// @title FeePolicy — prices an oracle sync
/// @notice fee = min(maxFeeWei, fixedFeeWei + mintedSats × weiPerSat × feeBps / 10_000), 0 for 0 sats.
/// @dev `quote` never reverts: an intermediate product that overflows uint256 saturates to the cap, so a misconfigured
///      price can never make a sync revert.
contract FeePolicy is IFeePolicy, AccessControlDefaultAdminRules {
    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Role that may change the parameters.
    bytes32 public constant FEE_ADMIN_ROLE = keccak256("FEE_ADMIN_ROLE");

    /// @notice Highest allowed `feeBps` (10%).
    uint16 public constant MAX_FEE_BPS = 1_000;

    /// @notice Basis points in one whole.
    uint256 public constant BPS_DENOMINATOR = 10_000;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    struct Parameters {
        uint16 feeBps;
        uint256 weiPerSat;
        uint256 fixedFeeWei;
        uint256 maxFeeWei;
    }

    Parameters private _parameters;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param admin Default admin and initial fee admin.
    /// @param feeBps Basis points of the minted value (≤ MAX_FEE_BPS).
    /// @param weiPerSat Price of one satoshi in wei.
    /// @param fixedFeeWei Flat fee per charged sync, in wei.
    /// @param maxFeeWei Cap of one fee, in wei (≥ fixedFeeWei, > 0).
    constructor(
        address admin,
        uint16 feeBps,
        uint256 weiPerSat,
        uint256 fixedFeeWei,
        uint256 maxFeeWei
    ) AccessControlDefaultAdminRules(ADMIN_TRANSFER_DELAY, admin) {
        _grantRole(FEE_ADMIN_ROLE, admin);
        _setParameters(feeBps, weiPerSat, fixedFeeWei, maxFeeWei);
    }

    /*//////////////////////////////////////////////////////////////
                                FEE ADMIN
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IFeePolicy
    function setParameters(
        uint16 feeBps,
        uint256 weiPerSat,
        uint256 fixedFeeWei,
        uint256 maxFeeWei
    ) external onlyRole(FEE_ADMIN_ROLE) {
        _setParameters(feeBps, weiPerSat, fixedFeeWei, maxFeeWei);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IFeePolicy
    function quote(uint64 mintedSats) external view returns (uint256 feeWei) {
        if (mintedSats == 0) return 0;
        Parameters memory p = _parameters;
        (bool ok, uint256 valueWei) = Math.tryMul(mintedSats, p.weiPerSat);
        if (!ok) return p.maxFeeWei;
        // mulDiv keeps the full 512-bit product, and the result is ≤ valueWei because feeBps ≤ BPS_DENOMINATOR.
        uint256 variableFeeWei = Math.mulDiv(valueWei, p.feeBps, BPS_DENOMINATOR);
        (ok, feeWei) = Math.tryAdd(p.fixedFeeWei, variableFeeWei);
        if (!ok || feeWei > p.maxFeeWei) return p.maxFeeWei;
    }

    /// @inheritdoc IFeePolicy
    function parameters()
        external
        view
        returns (uint16 feeBps, uint256 weiPerSat, uint256 fixedFeeWei, uint256 maxFeeWei)
    {
        Parameters memory p = _parameters;
        return (p.feeBps, p.weiPerSat, p.fixedFeeWei, p.maxFeeWei);
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _setParameters(uint16 feeBps, uint256 weiPerSat, uint256 fixedFeeWei, uint256 maxFeeWei) private {
        if (feeBps > MAX_FEE_BPS) revert FeePolicyBpsTooHigh(feeBps, MAX_FEE_BPS);
        if (maxFeeWei == 0 || maxFeeWei < fixedFeeWei) revert FeePolicyInvalidCap(fixedFeeWei, maxFeeWei);
        _parameters = Parameters(feeBps, weiPerSat, fixedFeeWei, maxFeeWei);
        emit FeePolicyUpdated(feeBps, weiPerSat, fixedFeeWei, maxFeeWei);
    }
}
