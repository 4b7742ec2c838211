/**
 * A balance hook that re-enters its caller: armed with a target and calldata, its next `onBalanceChanged` calls the
 * target with that calldata and reverts with the target's revert data when the call fails (so a refused re-entry
 * shows as `BalanceHookFailed`). A test-only contract, compiled here with the project's solc (the npm `solc` package)
 * rather than kept under contracts/, which holds only what the system deploys and its unit-test mocks.
 */
import { createRequire } from "node:module";

import type { BaseContract, ContractTransactionResponse, JsonFragment, Signer } from "ethers";
import { ContractFactory } from "ethers";

const SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

contract ReentrantHook {
    address private _target;
    bool private _armed;
    bytes private _payload;

    function arm(address target, bytes calldata payload) external {
        _target = target;
        _armed = true;
        _payload = payload;
    }

    function onBalanceChanged(address, uint64, uint8) external {
        if (!_armed) return;
        _armed = false;
        (bool ok, bytes memory returned) = _target.call(_payload);
        if (!ok) {
            assembly {
                revert(add(returned, 32), mload(returned))
            }
        }
    }
}
`;

interface SolcOutput {
  contracts?: Record<string, Record<string, { abi: JsonFragment[]; evm: { bytecode: { object: string } } }>>;
  errors?: { severity: string; formattedMessage: string }[];
}

const require = createRequire(import.meta.url);
let compiled: { abi: JsonFragment[]; bytecode: string } | undefined;

/** Compiles ReentrantHook once per process (solc's WebAssembly build, the compiler the project pins). */
function compile(): { abi: JsonFragment[]; bytecode: string } {
  if (compiled !== undefined) return compiled;
  const solc = require("solc") as { compile(input: string): string };
  const input = {
    language: "Solidity",
    sources: { "ReentrantHook.sol": { content: SOURCE } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const contract = output.contracts?.["ReentrantHook.sol"]?.["ReentrantHook"];
  if (contract === undefined) throw new Error("solc produced no ReentrantHook");
  compiled = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
  return compiled;
}

export interface ReentrantHook extends BaseContract {
  arm(target: string, payload: string): Promise<ContractTransactionResponse>;
}

/** Deploys a ReentrantHook from `deployer`. */
export async function deployReentrantHook(deployer: Signer): Promise<ReentrantHook> {
  const { abi, bytecode } = compile();
  const factory = new ContractFactory(abi, bytecode, deployer);
  const hook = await factory.deploy();
  await hook.waitForDeployment();
  return hook as unknown as ReentrantHook;
}
