/**
 * Names of the chain events `/api/realtime/stream` forwards (the SSE `event:` field): balance, binding, fee, committee
 * and pause changes, not approvals or role admin. Dependency-free so the dashboard page can import it.
 */
export const STREAM_EVENT_NAMES = [
  "Synced",
  "NeedsTopUp",
  "MintQueued",
  "QueuedMintExecuted",
  "QueuedMintCancelled",
  "BitcoinAnchorReplaced",
  "AddressBound",
  "AddressUnbound",
  "CommitteeUpdated",
  "EmergencyBurn",
  "Minted",
  "Burned",
  "Escrowed",
  "Released",
  "Wrapped",
  "Redeemed",
  "Slashed",
  "Transfer",
  "FeeDeposited",
  "FeeWithdrawn",
  "FeeSpent",
  "Paused",
  "Unpaused",
] as const;
