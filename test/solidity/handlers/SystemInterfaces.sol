// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IOracle} from "../../../contracts/interfaces/IOracle.sol";
import {IWrBTC} from "../../../contracts/interfaces/IWrBTC.sol";

/// @notice The deployed Oracle as the system handler sees it: IOracle plus OpenZeppelin's `Pausable.paused`.
/// @dev The system suite reaches every contract through its interface and deploys it from its artifact: one
///      WebAssembly solc job that compiles the Oracle, the pool, the DisputeManager and the large handler together
///      crashes ("memory access out of bounds"), so no test job compiles them together.
interface IOracleView is IOracle {
    function paused() external view returns (bool);
}

/// @notice wrBTC is an ERC-20 (OpenZeppelin's) with the vault functions of IWrBTC.
interface IWrBTCToken is IWrBTC, IERC20 {}
