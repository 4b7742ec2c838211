// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MockStable — LOCAL-ONLY stand-in for a stablecoin (reward and liquidity token of the YieldScalesPool)
/// @notice Anyone may mint any amount: deploy it only on local networks (the in-process network, `hardhat node`) and
///         in tests. Real networks pass the address of a real token to the Yield deployment module instead.
contract MockStable is ERC20 {
    constructor() ERC20("Mock Stable (local only)", "mSTABLE") {}

    /// @notice Mints `amount` to `to` (open faucet, local only).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
