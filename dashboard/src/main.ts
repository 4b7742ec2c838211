import type {
  ActiveAlert,
  DashboardHistory,
  DashboardStatus,
  LatencyReport,
  Light,
  Unavailable,
} from "../../src/dashboard/types.js";
import { STREAM_EVENT_NAMES } from "../../src/query/stream-events.js";
import { renderChart } from "./chart.js";
import { duration, ratio, sats, short, time } from "./format.js";

/** Status and latency are re-read this often even without chain events (the Bitcoin tip moves on its own). */
const POLL_MS = 5_000;
/** Chain events are coalesced this long before the figures are re-read. */
const REFRESH_DEBOUNCE_MS = 150;
/** A status older than the stream's head is asked for again after this long. */
const BEHIND_RETRY_MS = 300;
/** A closed event stream is reopened after this long. */
const RECONNECT_MS = 2_000;
const MAX_EVENTS = 50;
const HISTORY_POINTS = 120;

type Health = Light;

/** The fields of an SSE chain event the page shows (src/query/stream.ts `StreamEvent`, docs/queries.md). */
interface StreamEvent {
  event: string;
  contract: string;
  block: number;
  user: string | null;
  args: Record<string, string | boolean | string[]>;
}

/**
 * Connection phase: `connecting` until the first status and the event stream are in (neutral, no banner), `live`
 * while both work, `disconnected` only once an API call or the stream has actually failed.
 */
const state = {
  streamOk: false,
  apiOk: false,
  failed: false,
  reason: "",
  headBlock: null as number | null,
  /** Chain head of the last status shown (a newer head from the stream asks for a fresher one). */
  statusHead: null as number | null,
};

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`#${id} missing from the page`);
  return node as T;
}

function h(tag: string, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function setText(id: string, text: string): void {
  byId(id).textContent = text;
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { cache: "no-store" });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(`${path}: HTTP ${res.status} ${body?.error?.message ?? ""}`.trim());
  }
  return (await res.json()) as T;
}

// ---- connection state --------------------------------------------------------------------------------------------

function renderConnection(): void {
  const connected = state.streamOk && state.apiOk;
  if (connected) state.failed = false;
  const phase = connected ? "connected" : state.failed ? "disconnected" : "connecting";
  const badge = byId("connection");
  badge.dataset.state = phase;
  badge.className = `badge ${phase === "connected" ? "badge-ok" : phase === "disconnected" ? "badge-down" : "badge-wait"}`;
  badge.textContent =
    phase === "connected" ? "live" : phase === "disconnected" ? "disconnected" : "connecting…";
  document.body.classList.toggle("disconnected", phase === "disconnected");
  byId("disconnected-banner").hidden = phase !== "disconnected";
  setText("disconnected-reason", phase === "disconnected" ? state.reason : "");
}

function apiFailed(error: unknown): void {
  state.apiOk = false;
  state.failed = true;
  state.reason = error instanceof Error ? error.message : String(error);
  renderConnection();
}

// ---- sections ----------------------------------------------------------------------------------------------------

function component(id: string, name: string, health: Health, detail: string): void {
  byId(id).replaceChildren(
    h("span", { class: `dot dot-${health}`, title: health }),
    h("strong", {}, name),
    h("span", { class: "detail" }, detail),
  );
  byId(id).dataset.health = health;
}

function isUnavailable(x: { available: boolean }): x is Unavailable {
  return !x.available;
}

function ago(ms: number): string {
  return duration(Math.max(0, Math.round((Date.now() - ms) / 1000)));
}

function renderAlerts(s: DashboardStatus): void {
  const active = s.alerts.active;
  const bar = byId("alerts-bar");
  const critical = active.some((a) => a.severity === "critical");
  bar.dataset.state = critical ? "critical" : active.length > 0 ? "warning" : "ok";
  bar.dataset.count = String(active.length);
  const unknown = s.alerts.conditions.filter((c) => c.state === "unknown").map((c) => c.kind);
  setText(
    "alerts-title",
    active.length === 0
      ? `No active alerts${unknown.length > 0 ? ` (not evaluated here: ${unknown.join(", ")})` : ""}`
      : `${active.length} active alert(s)`,
  );
  byId("alerts").replaceChildren(
    ...active.map((a: ActiveAlert) =>
      h(
        "li",
        { "data-kind": a.kind, "data-severity": a.severity },
        h("strong", { class: a.severity === "critical" ? "alert" : "warn" }, `${a.severity} · ${a.kind}`),
        ` ${a.summary}`,
        h(
          "span",
          { class: "since" },
          `since ${time(Math.floor(a.since / 1000))} (${ago(a.since)} ago${a.sinceSource === "monitor" ? `, ${a.source}` : ""})`,
        ),
      ),
    ),
  );
}

function renderBacking(s: DashboardStatus): void {
  const backing = byId("backing");
  backing.dataset.health = s.lights.backing;
  const deficit = s.alerts.conditions.find((c) => c.kind === "backing-deficit");
  const verdict = byId("backing-verdict");
  verdict.className = s.lights.backing === "down" ? "alert" : s.lights.backing === "ok" ? "ok" : "warn";
  verdict.textContent =
    s.lights.backing === "down"
      ? `DEFICIT: ${deficit?.summary ?? "backing below 100 %"}`
      : s.lights.backing === "ok"
        ? s.audit.configured
          ? "fully backed: the chain's figures and the Bitcoin audit agree"
          : "fully backed on the chain's figures (no Bitcoin audit configured)"
        : s.audit.configured
          ? `not confirmed by Bitcoin yet: audit ${s.audit.state}${s.audit.error === null ? "" : ` (${s.audit.error})`}`
          : "backing unknown";

  // the chain's view
  if (isUnavailable(s.reserves)) {
    setText("backing-ratio", "—");
    setText("backing-state", `unavailable: ${s.reserves.reason}`);
  } else {
    const r = s.reserves;
    setText("backing-ratio", ratio(r.backingRatio));
    backing.dataset.fullyBacked = String(r.isFullyBacked && s.lights.backing !== "down");
    setText(
      "backing-state",
      r.isFullyBacked ? "attested ≥ claims" : "UNDER-BACKED: claims exceed attested BTC",
    );
    byId("backing-state").className = r.isFullyBacked ? "ok" : "alert";
    setText("attested", sats(r.attestedSats));
    setText("claims", sats(r.claimsSats));
    setText("rbtc-supply", sats(r.rbtcSupply));
    setText("wrbtc-supply", sats(r.wrbtcSupply));
    setText("uncovered", sats(r.uncoveredSats));
    byId("uncovered").className = BigInt(r.uncoveredSats) > 0n ? "alert" : "";
    setText("queued", sats(r.queuedSats));
  }

  // the Bitcoin side (reserves:check)
  const a = s.audit;
  const audit = byId("audit");
  const auditState = byId("audit-state");
  const table = byId("audit-users-table");
  if (!a.configured) {
    audit.dataset.state = "off";
    auditState.className = "muted";
    auditState.textContent = `not audited: ${a.reason}`;
    table.hidden = true;
    return;
  }
  const r = a.result;
  audit.dataset.state = r === null ? a.state : r.fullyBacked ? "backed" : "deficit";
  setText(
    "audit-checked",
    (a.checkedAt === null ? "no audit finished yet" : `checked ${ago(a.checkedAt)} ago`) +
      (a.error === null ? "" : ` — last attempt failed: ${a.error}`),
  );
  if (r === null) {
    auditState.className = a.state === "failed" ? "warn" : "muted";
    auditState.textContent = a.state === "failed" ? "audit failed" : "first audit running…";
    table.hidden = true;
    return;
  }
  auditState.className = r.fullyBacked ? "ok" : "alert";
  auditState.textContent = r.fullyBacked
    ? "fully backed by the BTC at the bound addresses"
    : BigInt(r.deficitSats) > 0n
      ? `DEFICIT of ${sats(r.deficitSats)} — ${r.deficitUsers} user(s) hold rBTC their BTC no longer covers`
      : `NOT FULLY BACKED: ${sats(r.uncoveredSats)} of wrBTC uncovered — ${r.deficitUsers} user(s) not covered by their BTC`;
  setText("audit-bitcoin", sats(r.bitcoinSats));
  setText("audit-liabilities", sats(r.liabilitiesSats));
  setText("audit-deficit", sats(r.deficitSats));
  byId("audit-deficit").className = BigInt(r.deficitSats) > 0n ? "alert" : "";
  setText("audit-tip", `height ${r.bitcoinTip.height} (≥ ${r.minConfirmations} conf), EVM block ${r.block}`);
  table.hidden = r.discrepancies.length === 0;
  byId("audit-users").replaceChildren(
    ...r.discrepancies.map((u) =>
      h(
        "tr",
        { class: u.status === "deficit" ? "alert" : "", "data-user": u.user, "data-status": u.status },
        h("td", { class: "mono" }, u.user),
        h("td", {}, u.status),
        h("td", {}, sats(u.bitcoinSats)),
        h("td", {}, sats(u.rbtcBackedSats)),
        h("td", {}, sats(u.uncoveredSats)),
        h("td", {}, sats(u.deficitSats)),
      ),
    ),
  );
}

function renderStatus(s: DashboardStatus): void {
  state.headBlock = Math.max(state.headBlock ?? 0, s.chain.head?.block ?? 0);
  state.statusHead = s.chain.head?.block ?? null;
  setText("updated", `updated ${new Date(s.generatedAt).toLocaleTimeString()}`);
  renderAlerts(s);
  renderBacking(s);
  const L = s.lights;

  // components
  const deficit = s.alerts.conditions.find((c) => c.kind === "backing-deficit");
  component("comp-backing", "Backing", L.backing, deficit?.summary ?? "not evaluated");
  const c = s.chain;
  component(
    "comp-chain",
    "Chain RPC",
    L.chain,
    c.reachable && c.head !== null
      ? `chain ${c.chainId ?? "?"}, head ${c.head.block} (${c.latencyMs ?? "?"} ms)`
      : `unreachable: ${c.error ?? ""}`,
  );
  const b = s.bitcoin;
  component(
    "comp-bitcoin",
    "Bitcoin backends",
    L.bitcoin,
    b.backends.length === 0
      ? "none configured"
      : b.backends
          .map((x) => (x.reachable ? `${x.url}: tip ${x.tip}` : `${x.url}: unreachable (${x.error ?? ""})`))
          .join("; ") + (b.agree ? "" : " — backends disagree on the tip"),
  );
  if (isUnavailable(s.oracle)) {
    component("comp-oracle", "Oracle", L.oracle, s.oracle.reason);
  } else {
    const o = s.oracle;
    const firing = s.alerts.conditions
      .filter(
        (x) => ["oracle-stalled", "oracle-lag", "round-failed"].includes(x.kind) && x.state === "active",
      )
      .map((x) => x.summary.toUpperCase());
    const parts = [
      ...firing,
      o.reserveRound === null
        ? "no reserve round yet"
        : `reserve round ${o.reserveRound.round} ${ago(o.reserveRound.committedAt * 1000)} ago`,
      o.lastRound === null
        ? "no sync yet"
        : `last sync block ${o.lastRound.block} (${time(o.lastRound.timestamp)})`,
      o.btcHeight === null ? "" : `BTC height ${o.btcHeight}`,
      o.lagBtcBlocks === null ? "" : `${o.lagBtcBlocks} BTC blocks behind the tip`,
      o.paused.oracle ? "PAUSED" : "",
    ];
    component("comp-oracle", "Oracle", L.oracle, parts.filter((p) => p !== "").join(", "));
    byId("comp-oracle").dataset.lagBtcBlocks = String(o.lagBtcBlocks ?? "");
  }
  const g = s.subgraph;
  if (!g.configured) component("comp-subgraph", "Subgraph", L.subgraph, "not configured");
  else
    component(
      "comp-subgraph",
      "Subgraph",
      L.subgraph,
      g.reachable
        ? `indexed block ${g.block}, ${g.lagBlocks ?? "?"} blocks behind`
        : `unreachable: ${g.error ?? ""}`,
    );
  renderCommittee(s);
  renderDisputes(s);
  renderBurns(s);
}

function renderCommittee(s: DashboardStatus): void {
  const body = byId("committee");
  if (isUnavailable(s.committee)) {
    component("comp-committee", "Committee", "down", s.committee.reason);
    setText("committee-summary", s.committee.reason);
    body.replaceChildren();
    return;
  }
  const k = s.committee;
  const live = k.signersSeen;
  const low = s.alerts.conditions.find((c) => c.kind === "operators-low" && c.state === "active");
  component(
    "comp-committee",
    "Committee",
    s.lights.committee,
    `${k.threshold} of ${k.size} (epoch ${k.epoch}); ${live} signed the last ${k.batchesExamined} batch(es)` +
      (low === undefined ? "" : `; ${low.summary}`),
  );
  setText(
    "committee-summary",
    `threshold ${k.threshold} of ${k.size}, epoch ${k.epoch}; signatures recovered from the newest ${k.batchesExamined} sync batch(es)`,
  );
  body.replaceChildren(
    ...k.operators.map((o) =>
      h(
        "tr",
        { class: o.signedRecently ? "" : "stale" },
        h("td", { class: "mono" }, o.address),
        h(
          "td",
          {},
          o.lastSignedBlock === null ? "not among the batches examined" : `block ${o.lastSignedBlock}`,
        ),
      ),
    ),
  );
}

/** Shows why a list is unavailable, or what to say when it is empty; true when there is nothing more to render. */
function listPreamble(
  box: HTMLElement,
  result: { available: boolean },
  empty: boolean,
  emptyText: string,
): boolean {
  if (isUnavailable(result)) {
    box.className = "muted";
    box.textContent = `unavailable: ${result.reason}`;
    return true;
  }
  box.className = "";
  if (empty) box.textContent = emptyText;
  return empty;
}

function renderDisputes(s: DashboardStatus): void {
  const box = byId("disputes");
  const d = s.disputes;
  if (listPreamble(box, d, d.available && d.disputes.length === 0, "no disputes") || !d.available) return;
  box.replaceChildren(
    h(
      "ul",
      { class: "plain" },
      ...d.disputes
        .slice(0, 20)
        .map((x) =>
          h(
            "li",
            {},
            [
              `#${x.id}`,
              x.status,
              `user ${short(x.user)}`,
              `claimed ${x.claimedSats}`,
              `attested ${x.attestedSats}`,
              ...(x.resolvedSats === null ? [] : [`resolved ${x.resolvedSats}`]),
            ].join(" · "),
          ),
        ),
    ),
  );
}

function renderBurns(s: DashboardStatus): void {
  const box = byId("burns");
  const e = s.emergencyBurns;
  if (e.available) box.dataset.count = String(e.count);
  if (listPreamble(box, e, e.available && e.count === 0, "none") || !e.available) return;
  box.replaceChildren(
    h("p", {}, `${e.count} emergency burn(s)`),
    h(
      "ul",
      { class: "plain" },
      ...e.burns
        .slice(0, 20)
        .map((b) =>
          h(
            "li",
            {},
            h("strong", {}, b.reason),
            ` ${short(b.user)} ${sats(b.amountSats)} at block ${b.block}`,
          ),
        ),
    ),
  );
}

function renderLatency(l: LatencyReport): void {
  byId("latency").replaceChildren(
    ...l.endpoints.map((e) =>
      h(
        "tr",
        {},
        h("td", { class: "mono" }, `${e.method} ${e.route}`),
        h("td", {}, String(e.count)),
        h("td", {}, String(e.errors)),
        h("td", {}, e.p50Ms.toFixed(1)),
        h("td", {}, e.p95Ms.toFixed(1)),
        h("td", {}, e.maxMs.toFixed(1)),
      ),
    ),
  );
}

function renderHistory(hist: DashboardHistory): void {
  const chart = byId("chart");
  if (isUnavailable(hist)) {
    chart.textContent = `history unavailable: ${hist.reason}`;
    return;
  }
  renderChart(chart, hist.points, hist.head);
}

// ---- refresh -----------------------------------------------------------------------------------------------------

let refreshing: Promise<void> | undefined;
let again = false;

/** Re-reads status, history and latency; one refresh at a time, a request during one queues exactly one more. */
function refresh(): Promise<void> {
  if (refreshing !== undefined) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      const [status, history, latency] = await Promise.all([
        getJson<DashboardStatus>("api/dashboard/status"),
        getJson<DashboardHistory>(`api/dashboard/history?points=${HISTORY_POINTS}`),
        getJson<LatencyReport>("api/dashboard/latency"),
      ]);
      renderStatus(status);
      renderHistory(history);
      renderLatency(latency);
      state.apiOk = true;
      renderConnection();
    } catch (error) {
      apiFailed(error);
    } finally {
      refreshing = undefined;
      if (again) {
        again = false;
        void refresh();
      } else if (state.apiOk && state.statusHead !== null && (state.headBlock ?? 0) > state.statusHead) {
        // The stream saw a block the status does not cover yet (computed in the background): ask again shortly.
        scheduleRefresh(BEHIND_RETRY_MS);
      }
    }
  })();
  return refreshing;
}

let debounce: number | undefined;
function scheduleRefresh(delayMs = REFRESH_DEBOUNCE_MS): void {
  if (debounce !== undefined) window.clearTimeout(debounce);
  debounce = window.setTimeout(() => {
    debounce = undefined;
    void refresh();
  }, delayMs);
}

// ---- event stream ------------------------------------------------------------------------------------------------

function eventSummary(e: StreamEvent): string {
  const args = Object.entries(e.args)
    .filter(([k]) => k !== "user")
    .map(
      ([k, v]) =>
        `${k}=${Array.isArray(v) ? v.length + " items" : typeof v === "string" && v.startsWith("0x") ? short(v) : String(v)}`,
    )
    .join(" ");
  return `${args}`;
}

function addEvent(e: StreamEvent): void {
  const list = byId("events");
  const item = h(
    "li",
    { "data-event": e.event },
    h("span", { class: "block" }, `#${e.block}`),
    h("strong", {}, e.event),
    h("span", { class: "muted" }, ` ${e.contract}`),
    e.user === null ? "" : h("span", { class: "mono" }, ` ${short(e.user)}`),
    h("span", { class: "args" }, ` ${eventSummary(e)}`),
  );
  list.prepend(item);
  while (list.children.length > MAX_EVENTS) list.lastElementChild?.remove();
}

function connectStream(): void {
  const source = new EventSource("api/realtime/stream");
  let pending = false;
  source.onopen = () => {
    state.streamOk = true;
    renderConnection();
    // Whatever happened while disconnected: re-read everything.
    void refresh();
  };
  source.onmessage = () => undefined;
  source.addEventListener("head", (message) => {
    const { block } = JSON.parse((message as MessageEvent<string>).data) as { block: number };
    state.headBlock = block;
    // The server computes the status in the background after each block: ask again until it covers this one.
    if (pending || (state.statusHead !== null && state.statusHead < block)) {
      pending = false;
      scheduleRefresh();
    }
  });
  const onChainEvent = (message: MessageEvent<string>) => {
    addEvent(JSON.parse(message.data) as StreamEvent);
    pending = true;
  };
  for (const name of STREAM_EVENT_NAMES) source.addEventListener(name, onChainEvent as EventListener);
  source.onerror = () => {
    state.streamOk = false;
    state.failed = true;
    state.reason = "event stream lost";
    renderConnection();
    if (source.readyState === EventSource.CLOSED) {
      source.close();
      window.setTimeout(connectStream, RECONNECT_MS);
    }
  };
}

renderConnection();
void refresh();
connectStream();
window.setInterval(() => void refresh(), POLL_MS);
