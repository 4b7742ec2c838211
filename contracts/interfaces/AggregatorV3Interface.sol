// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title AggregatorV3Interface — Chainlink's price/reserve feed interface (as published by Chainlink)
/// @notice Chainlink's name is kept so integrators find the interface they know. Integrators read a Proof of
///         Reserve feed through it: `latestRoundData().answer` scaled by `decimals()`.
// solhint-disable-next-line interface-starts-with-i
interface AggregatorV3Interface {
    /// @notice Decimals of `answer`.
    function decimals() external view returns (uint8);

    /// @notice What the feed reports.
    function description() external view returns (string memory);

    /// @notice Version of the feed's implementation.
    function version() external view returns (uint256);

    /// @notice One historical round.
    function getRoundData(
        uint80 roundId
    )
        external
        view
        returns (uint80 roundId_, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice The latest round.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
