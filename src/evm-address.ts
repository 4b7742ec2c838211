import { isAddress } from "ethers";

/**
 * Whether `value` is an EVM address (40 hex digits with `0x`; a mixed-case one must carry a valid EIP-55 checksum).
 * ethers declares `isAddress` as a type guard (`value is string`), which narrows a string that fails the check to
 * `never`: messages that quote the bad input need this plain boolean instead.
 */
export function isEvmAddress(value: string): boolean {
  return isAddress(value);
}
