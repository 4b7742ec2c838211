/**
 * Public API of the Bitcoin layer. The local devnet (src/bitcoin/devnet/) is a test and demo tool, not part of it:
 * import it from its own modules (`../bitcoin/devnet/chain.js`, …).
 */
export * from "./networks.js";
export * from "./address.js";
export * from "./amount.js";
export * from "./proof.js";
export * from "./esplora-types.js";
export * from "./esplora.js";
export * from "./headers.js";
export * from "./merkle.js";
export * from "./tx.js";
