import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { DevnetControl } from "../../src/bitcoin/devnet/control.js";
import { runTask, table } from "../shared/output.js";

interface Args {
  depth: number;
  url: string;
  json: boolean;
}

export default async function reorgAction(args: Args, _hre?: HardhatRuntimeEnvironment) {
  return runTask(
    args.json,
    async () => {
      const r = await new DevnetControl(args.url).reorg(args.depth);
      return {
        depth: args.depth,
        removedBlocks: r.removedBlocks,
        droppedTxids: r.droppedTxids,
        tipHeight: r.tipHeight,
        tipHash: r.tipHash,
        mempoolSize: r.mempoolSize,
      };
    },
    (r) =>
      table([
        ["depth", String(r.depth)],
        ["removedBlocks", String(r.removedBlocks.length)],
        ["droppedTxs", r.droppedTxids.length === 0 ? "none" : r.droppedTxids.join(", ")],
        ["tipHeight", String(r.tipHeight)],
        ["tipHash", r.tipHash],
      ]),
  );
}
