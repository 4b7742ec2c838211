import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A throwaway HTTP server on 127.0.0.1 (free port) for fault injection and fixtures. */
export interface StubServer {
  url: string;
  /** Paths requested, in order. */
  hits: string[];
  close(): Promise<void>;
}

export type StubHandler = (req: IncomingMessage, res: ServerResponse, hit: number) => void | Promise<void>;

export async function startStub(handler: StubHandler): Promise<StubServer> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? "");
    void Promise.resolve(handler(req, res, hits.length)).catch((error: unknown) => {
      res.statusCode = 599;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export function send(
  res: ServerResponse,
  status: number,
  body: string,
  type = "text/plain",
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": type, ...headers });
  res.end(body);
}

/** A port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * JSON shape: every path ("$.vin[].prevout.value") with the set of JSON types seen there.
 * Arrays are collapsed (`[]`) so that lists of different lengths compare.
 */
export function shapeOf(
  value: unknown,
  path = "$",
  out = new Map<string, Set<string>>(),
): Map<string, Set<string>> {
  const type = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  const seen = out.get(path) ?? new Set<string>();
  seen.add(type);
  out.set(path, seen);
  if (Array.isArray(value)) for (const v of value) shapeOf(v, `${path}[]`, out);
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) shapeOf(v, `${path}.${k}`, out);
  }
  return out;
}

/** Differences between two shapes, as readable lines (empty when they match). */
export function shapeDiff(
  actual: Map<string, Set<string>>,
  expected: Map<string, Set<string>>,
  ignore: (path: string) => boolean = () => false,
): string[] {
  const diff: string[] = [];
  for (const [path, types] of expected) {
    if (ignore(path)) continue;
    const got = actual.get(path);
    if (!got) diff.push(`missing ${path} (${[...types].join("|")})`);
    else if ([...types].sort().join("|") !== [...got].sort().join("|")) {
      diff.push(`${path}: expected ${[...types].sort().join("|")}, got ${[...got].sort().join("|")}`);
    }
  }
  for (const path of actual.keys()) if (!ignore(path) && !expected.has(path)) diff.push(`unexpected ${path}`);
  return diff;
}
