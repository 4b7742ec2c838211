/** Public API of the Bitcoin layer. */
export * from "./networks.js";
export * from "./address.js";
export * from "./amount.js";
export * from "./proof.js";
export * from "./esplora-types.js";
export * from "./esplora.js";
export * from "./devnet/chain.js";
export * from "./devnet/server.js";
export * from "./devnet/wallet.js";
export * from "./devnet/control.js";
export * from "./devnet/binding.js";
export * from "./headers.js";
export * from "./merkle.js";
export * from "./tx.js";
