// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IPoRAddressList — Chainlink's Proof of Reserve address-list interface
/// @notice The reserve addresses, as strings in the form a Bitcoin indexer queries, read in batches.
interface IPoRAddressList {
    /// @notice Number of reserve addresses.
    function getPoRAddressListLength() external view returns (uint256);

    /// @notice Addresses `startIndex..endIndex`, both inclusive; `endIndex` beyond the list is clamped to its last
    ///         index (Chainlink's convention).
    function getPoRAddressList(uint256 startIndex, uint256 endIndex) external view returns (string[] memory);
}
