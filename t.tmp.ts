import { startDevnet } from "./src/bitcoin/devnet/server.js";
import { DevnetWallet } from "./src/bitcoin/devnet/wallet.js";
const d = await startDevnet({ port: 0 });
const a = new DevnetWallet("alice").address("p2wpkh").address;
const b = new DevnetWallet("bob").address("p2tr").address;
d.chain.fund(a, 100000n); d.chain.mine(2); d.chain.spend(a, b, 30000n, 500n);
for (const p of ["/blocks/tip/height","/blocks/tip/hash","/block-height/1",`/address/${a}`,`/address/${a}/utxo`,`/address/${a}/txs`, "/address/xyz/utxo"]) {
  const r = await fetch(d.url + p); console.log(p, r.status, r.headers.get("content-type"), (await r.text()).slice(0, 900));
}
const r = await fetch(d.url + "/block/" + d.chain.tipHash); console.log(await r.text());
const f = await fetch(d.url + "/devnet/fund", { method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify({ address: "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", sats: "5" }) }); console.log(f.status, await f.text());
await d.close();
