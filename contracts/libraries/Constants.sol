// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @dev The Bitcoin supply bound: 21,000,000 BTC in satoshi. No balance, total or supply may exceed it.
uint64 constant MAX_BTC_SATS = 21e14;

/// @dev Delay of the two-step default-admin handover of every ReserveBTC contract.
uint48 constant ADMIN_TRANSFER_DELAY = 1 days;

/// @title Constants — namespace for the shared ReserveBTC constants
/// @dev Also makes this file compile to at least one contract: EDR (behind `hardhat node`) fails to load a build info
///      whose compilation job produced no contract ("Failed to parse build info: missing field `contracts`").
library Constants {
    /// @dev See the file-level `MAX_BTC_SATS`.
    uint64 internal constant BTC_SUPPLY_SATS = MAX_BTC_SATS;
}
