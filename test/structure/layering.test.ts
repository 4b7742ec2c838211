// The source tree stays layered: no folder of src/ (or tasks/) imports, directly or through others, a folder that
// imports it back, and the Bitcoin API does not carry the devnet (a test and demo tool).
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import type { ImportEdge } from "../helpers/import-graph.js";
import { cycles, describeCycles, folderGraph, importEdges } from "../helpers/import-graph.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

describe("source layering", function () {
  describe("cycles", function () {
    it("finds a cycle through three folders and names the imports that make it", function () {
      const edge = (from: string, to: string): ImportEdge => ({ from, to, specifier: `./${to}` });
      const graph = folderGraph([
        edge(path.join("a", "x.ts"), path.join("b", "y.ts")),
        edge(path.join("b", "y.ts"), path.join("c", "z.ts")),
        edge(path.join("c", "z.ts"), path.join("a", "w.ts")),
        edge(path.join("c", "z.ts"), "top.ts"),
      ]);
      const found = cycles(graph);
      expect(found).to.deep.equal([["a", "b", "c"]]);
      expect(describeCycles(graph, found)).to.include(`c -> a: ${path.join("c", "z.ts")} imports ./a/w.ts`);
    });

    for (const root of ["src", "tasks"]) {
      it(`has none between the folders of ${root}/`, function () {
        const graph = folderGraph(importEdges(path.join(ROOT, root)));
        expect(graph.size, `${root}/ has folder imports`).to.be.greaterThan(0);
        const found = cycles(graph);
        expect(found, describeCycles(graph, found)).to.deep.equal([]);
      });
    }
  });

  describe("the Bitcoin API", function () {
    it("does not import the devnet (src/bitcoin/devnet is imported from its own path where used)", function () {
      const bitcoin = path.join(ROOT, "src", "bitcoin");
      const intoDevnet = importEdges(bitcoin).filter(
        (e) => !e.from.startsWith(`devnet${path.sep}`) && e.to.startsWith(`devnet${path.sep}`),
      );
      expect(intoDevnet.map((e) => `${e.from} imports ${e.specifier}`)).to.deep.equal([]);
    });
  });
});
