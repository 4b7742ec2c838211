import { expect } from "chai";

import { humanLogLine } from "../../src/logging.js";

describe("humanLogLine (oracle:run, oracle:operator and monitor:run without --json)", function () {
  const time = Date.UTC(2026, 11, 3, 17, 10, 4, 512);

  it("prints time, level and message, then every other field as key=value", function () {
    const line = humanLogLine({
      level: 30,
      time,
      pid: 4242,
      hostname: "ops-1",
      service: "reservebtc-oracle",
      event: "round",
      round: 1,
      changed: 3,
      mintedSats: "150000",
      skipped: [],
      msg: "round complete",
    });
    expect(line).to.equal(
      "2026-12-03T17:10:04.512Z INFO  round complete  event=round round=1 changed=3 mintedSats=150000 skipped=[]",
    );
  });

  it("quotes strings with spaces, prints objects as JSON and names the level", function () {
    const line = humanLogLine({
      level: 50,
      time,
      event: "round-failed",
      kind: "chain",
      error: "HHE703: Cannot connect to the network",
      submit: { kind: "sent", nonce: 7 },
      msg: "round failed",
    });
    expect(line).to.equal(
      "2026-12-03T17:10:04.512Z ERROR round failed  event=round-failed kind=chain " +
        'error="HHE703: Cannot connect to the network" submit={"kind":"sent","nonce":7}',
    );
  });
});
