/**
 * The import graph of the TypeScript sources, for the layering tests (test/structure.test.ts): every relative
 * module specifier of every `.ts` file under a root (static and type-only imports, re-exports and dynamic
 * `import()`, as TypeScript's own pre-processor reads them), collapsed to the root's top-level entries.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

import ts from "typescript";

/** One import of one file: `from` imports `specifier`, which resolves to the file `to`. */
export interface ImportEdge {
  from: string;
  to: string;
  specifier: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** Every relative import of the `.ts` files under `root` that resolves inside `root` (paths relative to `root`). */
export function importEdges(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(root)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (!specifier.startsWith(".")) continue;
      const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts"));
      const to = path.relative(root, target);
      if (to.startsWith("..") || path.isAbsolute(to)) continue;
      edges.push({ from: path.relative(root, file), to, specifier });
    }
  }
  return edges;
}

/** The top-level entry of `root` a file belongs to: its folder, or the file's own name for a file at the top. */
export function topLevelEntry(file: string): string {
  const [first, ...rest] = file.split(path.sep);
  return rest.length === 0 ? (first ?? file).replace(/\.ts$/, "") : (first ?? file);
}

/** The edges between different top-level entries, keyed `from -> to`, each with the imports that make it. */
export function folderGraph(edges: readonly ImportEdge[]): Map<string, ImportEdge[]> {
  const graph = new Map<string, ImportEdge[]>();
  for (const edge of edges) {
    const from = topLevelEntry(edge.from);
    const to = topLevelEntry(edge.to);
    if (from === to) continue;
    const key = `${from} -> ${to}`;
    graph.set(key, [...(graph.get(key) ?? []), edge]);
  }
  return graph;
}

/**
 * The strongly connected components with more than one node (Tarjan): each is a set of entries that import each
 * other in a cycle. Empty when the graph is layered.
 */
export function cycles(graph: ReadonlyMap<string, unknown>): string[][] {
  const next = new Map<string, string[]>();
  for (const key of graph.keys()) {
    const [from, to] = key.split(" -> ") as [string, string];
    next.set(from, [...(next.get(from) ?? []), to]);
    if (!next.has(to)) next.set(to, []);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of next.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** A readable account of the cycles: every edge inside each cycle with the imports that make it. */
export function describeCycles(graph: ReadonlyMap<string, readonly ImportEdge[]>, found: string[][]): string {
  return found
    .map((component) => {
      const inside = [...graph.entries()].filter(([key]) => {
        const [from, to] = key.split(" -> ") as [string, string];
        return component.includes(from) && component.includes(to);
      });
      const lines = inside.map(
        ([key, edges]) =>
          `  ${key}: ${[...new Set(edges.map((e) => `${e.from} imports ${e.specifier}`))].join("; ")}`,
      );
      return `cycle between ${component.join(", ")}:\n${lines.join("\n")}`;
    })
    .join("\n");
}
