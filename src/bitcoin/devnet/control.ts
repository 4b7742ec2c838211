import { BackendError, UserInputError } from "../../errors.js";
import { fetchErrorDetail } from "../esplora.js";
import type { ReorgResult } from "./chain.js";
import type { DevnetInfo, DevnetTxResult } from "./server.js";

export const DEFAULT_DEVNET_URL = "http://127.0.0.1:18443";

/** Client for a devnet's control endpoints (POST /devnet/*), used by the btc:* tasks and other processes. */
export class DevnetControl {
  readonly url: string;
  readonly timeoutMs: number;

  constructor(url: string = DEFAULT_DEVNET_URL, timeoutMs = 10_000) {
    this.url = url.replace(/\/+$/, "");
    this.timeoutMs = timeoutMs;
  }

  info(): Promise<DevnetInfo> {
    return this.#call<DevnetInfo>("GET", "/devnet/info");
  }

  fund(address: string, sats: bigint): Promise<DevnetTxResult> {
    return this.#call("POST", "/devnet/fund", { address, sats: sats.toString() });
  }

  spend(from: string, to: string, sats: bigint, feeSats = 0n): Promise<DevnetTxResult> {
    return this.#call("POST", "/devnet/spend", {
      from,
      to,
      sats: sats.toString(),
      feeSats: feeSats.toString(),
    });
  }

  mine(blocks: number): Promise<DevnetInfo & { hashes: string[] }> {
    return this.#call("POST", "/devnet/mine", { blocks });
  }

  reorg(depth: number): Promise<ReorgResult & DevnetInfo> {
    return this.#call("POST", "/devnet/reorg", { depth });
  }

  async #call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const url = `${this.url}${path}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(body === undefined
          ? {}
          : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
      });
      text = await response.text();
    } catch (error) {
      const cause = fetchErrorDetail(error);
      throw new BackendError(
        `no devnet reachable at ${this.url} (${cause}); start one with \`npx hardhat btc:devnet\``,
        "DEVNET_UNREACHABLE",
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new BackendError(`malformed response from ${url}: ${text.slice(0, 120)}`, "BACKEND_MALFORMED");
    }
    if (response.status === 400) {
      const message = (json as { error?: unknown }).error;
      throw new UserInputError(typeof message === "string" ? message : text, "DEVNET_REJECTED");
    }
    if (!response.ok)
      throw new BackendError(
        `${method} ${url} → HTTP ${response.status}: ${text.slice(0, 200)}`,
        "BACKEND_HTTP",
        response.status,
      );
    return json as T;
  }
}
