// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @dev The Bitcoin supply bound: 21,000,000 BTC in satoshi. No balance, total or supply may exceed it.
uint64 constant MAX_BTC_SATS = 21e14;

/// @dev Delay of the two-step default-admin handover of every ReserveBTC contract.
uint48 constant ADMIN_TRANSFER_DELAY = 1 days;
