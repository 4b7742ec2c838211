// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IOracle} from "../interfaces/IOracle.sol";
import {UserState} from "./UserState.sol";

/// @title BindingRegistry — the Oracle's registry of BTC address bindings (an external library)
/// @notice Which BTC address is bound to which user, each user's binding nonce, and the lists the runner and reserve
///         audits page through. The Oracle verifies the committee's signatures, then calls this library (by
///         DELEGATECALL, so the state and the events are the Oracle's) for the checks and effects, in the manner of
///         tBTC's `Bridge` delegating to its `Deposit` library. Keeping it out of the Oracle's bytecode leaves the
///         sync path room within EIP-170.
/// @dev The user's binding count lives in the Oracle's packed per-user word (UserState), which the sync path reads
///      anyway; this library keeps it current through the `userWords` mapping it is handed.
library BindingRegistry {
    /// @notice Longest BTC address string, in bytes (bech32 addresses are at most 90 characters).
    uint256 internal constant MAX_BTC_ADDRESS_LENGTH = 90;
    /// @notice Most BTC addresses one user may have bound at once.
    uint256 internal constant MAX_BINDINGS_PER_USER = 20;
    /// @dev Bit offset of the binding count in the Oracle's per-user word.
    uint256 private constant BINDINGS_SHIFT = UserState.BINDINGS_SHIFT;

    /// @dev An active binding: its owner and its index in `Registry.hashes` + 1 (0 when unbound).
    struct Record {
        address user;
        uint96 indexPlusOne;
    }

    /// @dev The whole registry.
    /// @param users Every user that ever bound an address, in first-binding order.
    /// @param hashes Address hashes (keccak256 of the address string) of the active bindings (dense; swap-and-pop).
    /// @param recordOf Owner and position of each active binding, by address hash.
    /// @param btcAddressOf The string of every address hash ever bound (kept after unbinding; rebinding rewrites it).
    /// @param hashesOf Address hashes bound to each user (≤ MAX_BINDINGS_PER_USER).
    /// @param nonceOf The nonce the next binding or revocation of each user must carry.
    struct Registry {
        address[] users;
        bytes32[] hashes;
        mapping(bytes32 addressHash => Record) recordOf;
        mapping(bytes32 addressHash => string btcAddress) btcAddressOf;
        mapping(address user => bytes32[] addressHashes) hashesOf;
        mapping(address user => uint64 nonce) nonceOf;
    }

    /// @notice Checks and records a committee-approved binding (the caller verified the signatures).
    /// @dev Requirements: canonical address (`checkBtcAddress`); `request.nonce == nonceOf[user]`; the address is not
    ///      bound to anyone; the user has fewer than MAX_BINDINGS_PER_USER addresses. Emits `AddressBound`.
    function bind(
        Registry storage self,
        mapping(address => uint256) storage userWords,
        IOracle.BindingRequest calldata request
    ) external {
        address user = request.user;
        checkBtcAddress(request.btcAddress);
        uint64 nonce = self.nonceOf[user];
        if (request.nonce != nonce) revert IOracle.OracleBadBindingNonce(user, nonce, request.nonce);
        bytes32 addressHash = keccak256(bytes(request.btcAddress));
        address owner = self.recordOf[addressHash].user;
        if (owner != address(0)) revert IOracle.OracleAddressAlreadyBound(request.btcAddress, owner);
        if (uint8(userWords[user] >> BINDINGS_SHIFT) >= MAX_BINDINGS_PER_USER) {
            revert IOracle.OracleTooManyBindings(user, MAX_BINDINGS_PER_USER);
        }
        // A user's first binding ever (nonce 0) lists them for the runner and reserve audits.
        if (nonce == 0) self.users.push(user);
        unchecked {
            // Cannot overflow: one binding per transaction, 2^64 transactions are out of reach.
            self.nonceOf[user] = nonce + 1;
            // Cannot carry out of the 8-bit field: the count is below MAX_BINDINGS_PER_USER (checked above).
            userWords[user] += 1 << BINDINGS_SHIFT;
        }
        self.hashes.push(addressHash);
        // The index fits: uint96 holds any array length reachable with 2^64 nonces per user.
        self.recordOf[addressHash] = Record({user: user, indexPlusOne: uint96(self.hashes.length)});
        self.btcAddressOf[addressHash] = request.btcAddress;
        self.hashesOf[user].push(addressHash);
        emit IOracle.AddressBound(user, addressHash, request.btcAddress, request.proofDigest, nonce);
    }

    /// @notice Unbinds `btcAddress` from `user` (reverts `OracleAddressNotBound` unless bound to them).
    function unbind(
        Registry storage self,
        mapping(address => uint256) storage userWords,
        address user,
        string calldata btcAddress
    ) external {
        bytes32 addressHash = keccak256(bytes(btcAddress));
        Record memory record = self.recordOf[addressHash];
        if (record.user != user || user == address(0)) revert IOracle.OracleAddressNotBound(btcAddress, user);
        // Swap-and-pop the dense binding list.
        uint256 last = self.hashes.length - 1;
        if (record.indexPlusOne - 1 != last) {
            bytes32 movedHash = self.hashes[last];
            self.hashes[record.indexPlusOne - 1] = movedHash;
            self.recordOf[movedHash].indexPlusOne = record.indexPlusOne;
        }
        self.hashes.pop();
        delete self.recordOf[addressHash];
        // Swap-and-pop the user's own list (≤ MAX_BINDINGS_PER_USER entries).
        bytes32[] storage userHashes = self.hashesOf[user];
        uint256 n = userHashes.length;
        for (uint256 i; i < n; ++i) {
            if (userHashes[i] == addressHash) {
                userHashes[i] = userHashes[n - 1];
                userHashes.pop();
                break;
            }
        }
        unchecked {
            // Cannot borrow from the neighbouring field: the address was bound to the user, so their count is ≥ 1.
            userWords[user] -= 1 << BINDINGS_SHIFT;
        }
        emit IOracle.AddressUnbound(user, addressHash, btcAddress);
    }

    /// @notice Users `[start, end)` in first-binding order (`end` clamped to the length).
    function usersSlice(
        Registry storage self,
        uint256 start,
        uint256 end
    ) external view returns (address[] memory users) {
        (start, end) = _clamp(start, end, self.users.length);
        users = new address[](end - start);
        for (uint256 i = start; i < end; ++i) {
            users[i - start] = self.users[i];
        }
    }

    /// @notice Active bindings `[start, end)` (`end` clamped).
    function bindingsSlice(
        Registry storage self,
        uint256 start,
        uint256 end
    ) external view returns (IOracle.Binding[] memory bindings) {
        (start, end) = _clamp(start, end, self.hashes.length);
        bindings = new IOracle.Binding[](end - start);
        for (uint256 i = start; i < end; ++i) {
            bytes32 addressHash = self.hashes[i];
            bindings[i - start] = IOracle.Binding({
                user: self.recordOf[addressHash].user,
                btcAddress: self.btcAddressOf[addressHash]
            });
        }
    }

    /// @notice The BTC addresses bound to `user`.
    function addressesOf(Registry storage self, address user) external view returns (string[] memory addresses) {
        bytes32[] storage userHashes = self.hashesOf[user];
        addresses = new string[](userHashes.length);
        for (uint256 i; i < userHashes.length; ++i) {
            addresses[i] = self.btcAddressOf[userHashes[i]];
        }
    }

    /// @notice Rejects an empty or over-long address, and a bech32 address (mainnet `bc1…`, testnet `tb1…`, regtest
    ///         `bcrt1…`: the only addresses that start with b or t) written with upper-case letters: BIP-173 allows
    ///         both cases for one address and bindings compare raw bytes, so only the canonical lower-case form is
    ///         accepted (otherwise one address could be bound twice).
    function checkBtcAddress(string calldata btcAddress) internal pure {
        bytes calldata b = bytes(btcAddress);
        uint256 length = b.length;
        if (length == 0 || length > MAX_BTC_ADDRESS_LENGTH) revert IOracle.OracleInvalidBtcAddress(btcAddress);
        bytes1 first = b[0];
        if (first != "b" && first != "t" && first != "B" && first != "T") return;
        for (uint256 i; i < length; ++i) {
            if (b[i] >= "A" && b[i] <= "Z") revert IOracle.OracleInvalidBtcAddress(btcAddress);
        }
    }

    /// @dev Clamps `[start, end)` to `[0, length)`; an empty range when `start ≥ end`.
    function _clamp(uint256 start, uint256 end, uint256 length) private pure returns (uint256, uint256) {
        if (end > length) end = length;
        if (start > end) start = end;
        return (start, end);
    }
}
