import type { HistoryPoint } from "../../src/dashboard/types.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 64, right: 16, top: 12, bottom: 28 };

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Step path (values hold until the next point) through (x, y) pairs, extended to `xEnd`. */
function stepPath(xs: number[], ys: number[], xEnd: number): string {
  let d = "";
  xs.forEach((x, i) => {
    const y = ys[i] ?? 0;
    d += i === 0 ? `M${x},${y}` : `H${x}V${y}`;
  });
  return xs.length === 0 ? "" : `${d}H${xEnd}`;
}

/**
 * Inline SVG chart of attested BTC vs claims (free rBTC + wrBTC) per history point, x = block number. The area
 * between the lines is red where claims exceed attested BTC (a deficit).
 */
export function renderChart(container: HTMLElement, points: HistoryPoint[], headBlock: number | null): void {
  const svg = el("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: "img",
    "aria-label": "attested BTC vs claims",
    id: "backing-chart",
  });
  if (points.length === 0) {
    svg.appendChild(
      el(
        "text",
        { x: WIDTH / 2, y: HEIGHT / 2, "text-anchor": "middle", class: "axis" },
        "no sync rounds yet",
      ),
    );
    container.replaceChildren(svg);
    return;
  }
  const first = points[0]?.block ?? 0;
  const last = Math.max(points.at(-1)?.block ?? first, headBlock ?? 0);
  const span = Math.max(1, last - first);
  const values = points.flatMap((p) => [Number(p.attestedSats), Number(p.claimsSats)]);
  const max = Math.max(1, ...values) * 1.1;
  const x = (block: number) => PAD.left + ((block - first) / span) * (WIDTH - PAD.left - PAD.right);
  const y = (sats: number) => HEIGHT - PAD.bottom - (sats / max) * (HEIGHT - PAD.top - PAD.bottom);

  // axes and grid: 4 horizontal lines labelled in BTC
  for (let i = 0; i <= 4; i++) {
    const v = (max / 4) * i;
    svg.appendChild(el("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v), class: "grid" }));
    svg.appendChild(
      el("text", { x: PAD.left - 6, y: y(v) + 4, "text-anchor": "end", class: "axis" }, (v / 1e8).toFixed(4)),
    );
  }
  svg.appendChild(el("text", { x: PAD.left, y: HEIGHT - 8, class: "axis" }, `block ${first}`));
  svg.appendChild(
    el("text", { x: WIDTH - PAD.right, y: HEIGHT - 8, "text-anchor": "end", class: "axis" }, `block ${last}`),
  );

  const xs = points.map((p) => x(p.block));
  const attested = points.map((p) => y(Number(p.attestedSats)));
  const claims = points.map((p) => y(Number(p.claimsSats)));
  svg.appendChild(el("path", { d: stepPath(xs, claims, x(last)), class: "line-claims", id: "chart-claims" }));
  svg.appendChild(
    el("path", { d: stepPath(xs, attested, x(last)), class: "line-attested", id: "chart-attested" }),
  );
  points.forEach((p, i) => {
    const deficit = BigInt(p.claimsSats) > BigInt(p.attestedSats);
    const dot = el("circle", {
      cx: xs[i] ?? 0,
      cy: attested[i] ?? 0,
      r: 3,
      class: deficit ? "dot dot-deficit" : "dot",
    });
    dot.appendChild(
      el(
        "title",
        {},
        `block ${p.block}: attested ${p.attestedSats}, claims ${p.claimsSats} sats (${p.events.join(", ")})`,
      ),
    );
    svg.appendChild(dot);
  });
  svg.dataset.points = String(points.length);
  container.replaceChildren(svg);
}
