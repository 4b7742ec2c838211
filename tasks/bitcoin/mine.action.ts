import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { DevnetControl } from "../../src/bitcoin/devnet/control.js";
import { runTask, table } from "../shared/output.js";

interface Args {
  blocks: number;
  url: string;
  json: boolean;
}

export default async function mineAction(args: Args, _hre?: HardhatRuntimeEnvironment) {
  return runTask(
    args.json,
    async () => {
      const r = await new DevnetControl(args.url).mine(args.blocks);
      return {
        blocks: r.hashes.length,
        hashes: r.hashes,
        tipHeight: r.tipHeight,
        tipHash: r.tipHash,
        mempoolSize: r.mempoolSize,
      };
    },
    (r) =>
      table([
        ["blocks", String(r.blocks)],
        ["tipHeight", String(r.tipHeight)],
        ["tipHash", r.tipHash],
        ["mempoolSize", String(r.mempoolSize)],
      ]),
  );
}
