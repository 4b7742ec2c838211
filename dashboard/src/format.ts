/** Display helpers: sats, ratios, ages. Amounts arrive as decimal strings and stay bigint until printed. */

const SATS_PER_BTC = 100_000_000n;

/** "140,000 sats (0.00140000 BTC)". */
export function sats(value: string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const n = BigInt(value);
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const btc = `${abs / SATS_PER_BTC}.${(abs % SATS_PER_BTC).toString().padStart(8, "0")}`;
  return `${negative ? "-" : ""}${abs.toLocaleString("en-US")} sats (${negative ? "-" : ""}${btc} BTC)`;
}

/** "1.076923" → "107.69 %"; null (no claims) → "n/a (nothing outstanding)". */
export function ratio(value: string | null): string {
  if (value === null) return "n/a";
  return `${(Number(value) * 100).toFixed(2)} %`;
}

/** Seconds → "42 s", "3 min", "2 h 5 min". */
export function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** 0x1234…abcd. */
export function short(address: string): string {
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** Unix seconds → local "HH:MM:SS" (today) or ISO date-time. */
export function time(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return d.toISOString().replace("T", " ").slice(0, 19);
}
