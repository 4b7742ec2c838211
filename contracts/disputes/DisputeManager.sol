// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IDisputeManager} from "../interfaces/IDisputeManager.sol";
import {IOracle} from "../interfaces/IOracle.sol";
import {ADMIN_TRANSFER_DELAY, MAX_BTC_SATS} from "../libraries/Constants.sol";

/// @title DisputeManager — bonded challenges of attested balances, resolved by a resolver role
/// @notice See {IDisputeManager}. The Oracle must wire this contract once (`Oracle.setDisputeManager`); it then
///         freezes a disputed user's syncs (`Oracle.setSyncFrozen`) and applies upheld resolutions
///         (`Oracle.applyDisputeResolution`).
/// @dev Every ETH move follows checks-effects-interactions under `nonReentrant`; pushes carry a gas stipend and fall
///      back to a pull credit, so neither a reverting challenger nor a reverting treasury can block a resolution.
contract DisputeManager is IDisputeManager, AccessControlDefaultAdminRules, ReentrancyGuardTransient {
    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Role that resolves disputes (the committee's multisig).
    bytes32 public constant RESOLVER_ROLE = keccak256("RESOLVER_ROLE");
    /// @notice Role that sets the dispute parameters and the treasury.
    bytes32 public constant CONFIG_ROLE = keccak256("CONFIG_ROLE");
    /// @notice Gas stipend of a pushed payment; a receiver that needs more is credited for `withdrawOwed`.
    uint256 public constant PUSH_GAS = 50_000;

    /// @inheritdoc IDisputeManager
    address public immutable oracle;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IDisputeManager
    address public treasury;
    /// @inheritdoc IDisputeManager
    uint32 public challengeWindowSeconds;
    /// @inheritdoc IDisputeManager
    uint32 public resolutionDeadlineSeconds;
    /// @inheritdoc IDisputeManager
    uint256 public minBondWei;
    /// @inheritdoc IDisputeManager
    uint256 public rewardWei;

    /// @inheritdoc IDisputeManager
    uint256 public disputeCount;
    /// @inheritdoc IDisputeManager
    uint256 public openBondsWei;
    /// @inheritdoc IDisputeManager
    uint256 public rewardFundsWei;
    /// @inheritdoc IDisputeManager
    uint256 public totalOwedWei;

    /// @inheritdoc IDisputeManager
    mapping(address account => uint256 amountWei) public owedWei;
    /// @inheritdoc IDisputeManager
    mapping(address user => uint256 disputeId) public openDisputeOf;

    mapping(uint256 disputeId => Dispute) private _disputes;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param admin Receives DEFAULT_ADMIN_ROLE, CONFIG_ROLE and RESOLVER_ROLE.
    /// @param oracle_ The Oracle whose users are disputed.
    /// @param treasury_ Receiver of rejected bonds.
    /// @param challengeWindowSeconds_ Seconds after a user's last sync during which a dispute may be opened.
    /// @param resolutionDeadlineSeconds_ Seconds after opening by which the resolver must decide.
    /// @param minBondWei_ Smallest bond.
    /// @param rewardWei_ Reward of an upheld dispute (paid up to the funded balance).
    constructor(
        address admin,
        address oracle_,
        address treasury_,
        uint32 challengeWindowSeconds_,
        uint32 resolutionDeadlineSeconds_,
        uint256 minBondWei_,
        uint256 rewardWei_
    ) AccessControlDefaultAdminRules(ADMIN_TRANSFER_DELAY, admin) {
        if (oracle_ == address(0)) revert DisputeZeroAddress();
        oracle = oracle_;
        _grantRole(CONFIG_ROLE, admin);
        _grantRole(RESOLVER_ROLE, admin);
        _setTreasury(treasury_);
        _setParameters(challengeWindowSeconds_, resolutionDeadlineSeconds_, minBondWei_, rewardWei_);
    }

    /*//////////////////////////////////////////////////////////////
                               DISPUTES
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IDisputeManager
    function openDispute(
        address user,
        uint64 claimedSats,
        string calldata evidenceURI
    ) external payable nonReentrant returns (uint256 disputeId) {
        if (user == address(0)) revert DisputeZeroAddress();
        if (msg.value < minBondWei) revert DisputeBondTooLow(msg.value, minBondWei);
        if (claimedSats > MAX_BTC_SATS) revert DisputeTotalTooLarge(claimedSats);
        uint256 openId = openDisputeOf[user];
        if (openId != 0) revert DisputeAlreadyOpen(user, openId);
        IOracle.UserView memory state = IOracle(oracle).userState(user);
        if (state.lastSyncAt == 0 || block.timestamp > uint256(state.lastSyncAt) + challengeWindowSeconds) {
            revert DisputeWindowClosed(user, state.lastSyncAt, block.timestamp);
        }
        if (claimedSats == state.attestedSats) revert DisputeClaimMatchesAttested(user, claimedSats);

        unchecked {
            // Cannot overflow: one dispute per transaction.
            disputeId = ++disputeCount;
        }
        uint40 deadline = uint40(block.timestamp + resolutionDeadlineSeconds);
        _disputes[disputeId] = Dispute({
            challenger: msg.sender,
            user: user,
            claimedSats: claimedSats,
            attestedSats: state.attestedSats,
            resolvedSats: 0,
            openedAt: uint40(block.timestamp),
            deadline: deadline,
            status: Status.OPEN,
            bondWei: msg.value
        });
        openDisputeOf[user] = disputeId;
        openBondsWei += msg.value;
        emit DisputeOpened(
            disputeId,
            user,
            msg.sender,
            claimedSats,
            state.attestedSats,
            msg.value,
            deadline,
            evidenceURI
        );
        IOracle(oracle).setSyncFrozen(user, true);
    }

    /// @inheritdoc IDisputeManager
    function resolveDispute(
        uint256 disputeId,
        bool upheld,
        uint64 resolvedSats
    ) external onlyRole(RESOLVER_ROLE) nonReentrant {
        Dispute storage d = _openDispute(disputeId);
        if (block.timestamp > d.deadline) revert DisputeDeadlinePassed(disputeId, d.deadline);
        address user = d.user;
        uint256 bondWei = d.bondWei;
        _close(user, bondWei);
        if (upheld) {
            if (resolvedSats > MAX_BTC_SATS) revert DisputeTotalTooLarge(resolvedSats);
            uint256 reward = rewardWei < rewardFundsWei ? rewardWei : rewardFundsWei;
            unchecked {
                // Cannot underflow: reward ≤ rewardFundsWei.
                rewardFundsWei -= reward;
            }
            d.status = Status.UPHELD;
            d.resolvedSats = resolvedSats;
            emit DisputeUpheld(disputeId, msg.sender, resolvedSats, reward);
            IOracle(oracle).applyDisputeResolution(user, resolvedSats);
            IOracle(oracle).setSyncFrozen(user, false);
            _pay(d.challenger, bondWei + reward);
        } else {
            d.status = Status.REJECTED;
            emit DisputeRejected(disputeId, msg.sender, bondWei);
            IOracle(oracle).setSyncFrozen(user, false);
            _pay(treasury, bondWei);
        }
    }

    /// @inheritdoc IDisputeManager
    function expireDispute(uint256 disputeId) external nonReentrant {
        Dispute storage d = _openDispute(disputeId);
        if (block.timestamp <= d.deadline) revert DisputeDeadlineNotReached(disputeId, d.deadline);
        address user = d.user;
        uint256 bondWei = d.bondWei;
        _close(user, bondWei);
        d.status = Status.EXPIRED;
        emit DisputeExpired(disputeId, msg.sender);
        IOracle(oracle).setSyncFrozen(user, false);
        _pay(d.challenger, bondWei);
    }

    /// @inheritdoc IDisputeManager
    function fundRewards() external payable {
        if (msg.value == 0) revert DisputeInvalidParameter("amountWei");
        rewardFundsWei += msg.value;
        emit RewardsFunded(msg.sender, msg.value);
    }

    /// @inheritdoc IDisputeManager
    function withdrawOwed() external nonReentrant {
        uint256 amountWei = owedWei[msg.sender];
        if (amountWei == 0) revert DisputeNothingOwed(msg.sender);
        owedWei[msg.sender] = 0;
        totalOwedWei -= amountWei;
        emit OwedWithdrawn(msg.sender, amountWei);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = msg.sender.call{value: amountWei}("");
        if (!ok) revert DisputeTransferFailed(msg.sender, amountWei);
    }

    /*//////////////////////////////////////////////////////////////
                                 ADMIN
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IDisputeManager
    function setParameters(
        uint32 challengeWindowSeconds_,
        uint32 resolutionDeadlineSeconds_,
        uint256 minBondWei_,
        uint256 rewardWei_
    ) external onlyRole(CONFIG_ROLE) {
        _setParameters(challengeWindowSeconds_, resolutionDeadlineSeconds_, minBondWei_, rewardWei_);
    }

    /// @inheritdoc IDisputeManager
    function setTreasury(address treasury_) external onlyRole(CONFIG_ROLE) {
        _setTreasury(treasury_);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IDisputeManager
    function dispute(uint256 disputeId) external view returns (Dispute memory) {
        return _disputes[disputeId];
    }

    /// @inheritdoc IDisputeManager
    function isFrozen(address user) external view returns (bool) {
        return openDisputeOf[user] != 0;
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @dev The open dispute `disputeId` (reverts when it is not open).
    function _openDispute(uint256 disputeId) private view returns (Dispute storage d) {
        d = _disputes[disputeId];
        if (d.status != Status.OPEN) revert DisputeNotOpen(disputeId, d.status);
    }

    /// @dev Releases the user's open-dispute slot and the bond from the open total.
    function _close(address user, uint256 bondWei) private {
        delete openDisputeOf[user];
        unchecked {
            // Cannot underflow: the bond was added to openBondsWei when the dispute opened.
            openBondsWei -= bondWei;
        }
    }

    /// @dev Pushes `amountWei` to `to` with `PUSH_GAS`; on failure credits it for `withdrawOwed`. Return data is not
    ///      copied, so a receiver cannot make the payer pay for a large revert payload.
    function _pay(address to, uint256 amountWei) private {
        if (amountWei == 0) return;
        bool ok;
        uint256 stipend = PUSH_GAS;
        assembly ("memory-safe") {
            ok := call(stipend, to, amountWei, 0, 0, 0, 0)
        }
        if (!ok) {
            owedWei[to] += amountWei;
            totalOwedWei += amountWei;
            emit PaymentDeferred(to, amountWei);
        }
    }

    function _setParameters(
        uint32 challengeWindowSeconds_,
        uint32 resolutionDeadlineSeconds_,
        uint256 minBondWei_,
        uint256 rewardWei_
    ) private {
        if (challengeWindowSeconds_ == 0) revert DisputeInvalidParameter("challengeWindowSeconds");
        if (resolutionDeadlineSeconds_ == 0) revert DisputeInvalidParameter("resolutionDeadlineSeconds");
        if (minBondWei_ == 0) revert DisputeInvalidParameter("minBondWei");
        challengeWindowSeconds = challengeWindowSeconds_;
        resolutionDeadlineSeconds = resolutionDeadlineSeconds_;
        minBondWei = minBondWei_;
        rewardWei = rewardWei_;
        emit ParametersUpdated(challengeWindowSeconds_, resolutionDeadlineSeconds_, minBondWei_, rewardWei_);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert DisputeZeroAddress();
        treasury = treasury_;
        emit TreasuryUpdated(treasury_);
    }
}
