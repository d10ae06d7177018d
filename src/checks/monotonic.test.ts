import { describe, expect, it } from "vitest";
import { History } from "../history/history.js";
import { HistoryScript, scriptTimeNs } from "./history-script.js";
import { checkMonotonic } from "./monotonic.js";

describe("checkMonotonic", () => {
  it("passes an empty history", () => {
    expect(checkMonotonic(new History())).toMatchObject({ check: "monotonic", ok: true });
  });

  it("passes consumers that read each stream forward without gaps", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 4);
    const b = h.produce("p", "t", 0, 2);
    h.deliver("c1", "g", "s", 0, a, 2);
    h.deliver("c1", "g", "t", 0, b, 2);
    h.deliver("c1", "g", "s", 2, a + 2, 2);
    h.deliver("c2", "g2", "s", 1, a + 1, 3); // another consumer may start anywhere
    const result = checkMonotonic(h.history);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ polls: 4, nonmonotonicPolls: 0, pollSkips: 0, nonmonotonicSends: 0 });
  });

  it("flags a consumer going back, at the later delivery", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 4);
    h.deliver("c", "g", "s", 0, a, 3);
    const back = h.deliver("c", "g", "s", 2, a + 2, 2);
    const result = checkMonotonic(h.history);
    expect(result.counts).toMatchObject({ nonmonotonicPolls: 1, pollSkips: 0 });
    expect(result.violations).toEqual([
      expect.objectContaining({ check: "nonmonotonic-poll", eventIndex: back, timeNs: scriptTimeNs(back), messageIds: [{ idFirst: a + 2, count: 2 }] }),
    ]);
  });

  it("flags a skip over positions known to exist, naming the skipped messages", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 5);
    h.deliver("c", "g", "s", 0, a, 1);
    const jump = h.deliver("c", "g", "s", 3, a + 3, 2);
    const result = checkMonotonic(h.history);
    expect(result.counts).toMatchObject({ pollSkips: 1 });
    expect(result.violations).toEqual([
      expect.objectContaining({ check: "poll-skip", eventIndex: jump, messageIds: [{ idFirst: a + 1, count: 2 }] }),
    ]);
    expect(result.violations[0]!.message).toContain("skipping 2 existing positions");
  });

  it("does not flag a jump over positions nothing shows exist", () => {
    const h = new HistoryScript();
    const a = h.send("p", 2);
    h.deliver("c", "g", "s", 0, a, 1);
    h.deliver("c", "g", "s", 5, a + 1, 1); // 1..4: never acknowledged nor delivered (e.g. aborted)
    expect(checkMonotonic(h.history).ok).toBe(true);
  });

  it("learns existing positions from other consumers' deliveries too", () => {
    const h = new HistoryScript();
    const a = h.send("p", 3);
    h.deliver("c1", "g", "s", 0, a, 1);
    h.deliver("c2", "g2", "s", 1, a + 1, 1);
    h.deliver("c1", "g", "s", 2, a + 2, 1);
    expect(checkMonotonic(h.history).counts).toMatchObject({ pollSkips: 1 });
  });

  it("exempts a pair of deliveries with a reset of the consumer between them", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 6);
    const first = h.deliver("c", "g", "s", 0, a, 4);
    h.deliver("c", "g", "s", 2, a + 2, 2); // back
    h.deliver("c", "g", "s", 5, a + 5, 1); // skips position 4
    // A reset at the skipping delivery's instant covers the skip, not the step back.
    const resetsNs = new Map([["c", [scriptTimeNs(first + 2)]]]);
    const result = checkMonotonic(h.history, { resetsNs });
    expect(result.counts).toMatchObject({ nonmonotonicPolls: 1, pollSkips: 0, exempted: 1 });
    // A reset at the earlier delivery's instant does not cover the pair.
    const atEarlier = checkMonotonic(h.history, { resetsNs: new Map([["c", [scriptTimeNs(first + 1)]]]) });
    expect(atEarlier.counts).toMatchObject({ nonmonotonicPolls: 0, pollSkips: 1, exempted: 1 });
  });

  it("ignores deliveries without positions", () => {
    const h = new HistoryScript();
    const a = h.send("p", 2);
    h.deliver("c", "g", "q", -1, a + 1, 1);
    h.deliver("c", "g", "q", -1, a, 1);
    expect(checkMonotonic(h.history).counts).toMatchObject({ polls: 0, unpositioned: 2, violations: 0 });
  });

  it("flags a producer's later message acknowledged at a lower position", () => {
    const h = new HistoryScript();
    const a = h.send("p", 2);
    const b = h.send("p", 1);
    h.result("p", b, 1, "ok", "s", 0);
    const late = h.result("p", a, 2, "ok", "s", 1);
    h.produce("p", "t", 0, 1); // another stream: independent
    const result = checkMonotonic(h.history);
    expect(result.counts).toMatchObject({ nonmonotonicSends: 1 });
    expect(result.violations).toEqual([
      expect.objectContaining({ check: "nonmonotonic-send", eventIndex: late, messageIds: [{ idFirst: a + 1, count: 1 }, { idFirst: b, count: 1 }] }),
    ]);
  });
});

describe("checkMonotonic across reassignment", () => {
  it("exempts a consumer whose stream another client of its group read in between", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 6);
    h.deliver("c1", "g", "s", 0, a, 2);
    h.deliver("c2", "g", "s", 2, a + 2, 2); // rebalanced to c2
    h.deliver("c1", "g", "s", 4, a + 4, 2); // back to c1, which jumps past c2's part
    h.deliver("c3", "g2", "s", 0, a, 1); // another group: no bearing
    h.deliver("c1", "g", "s", 1, a + 1, 1); // c1 goes back with no change in between: flagged
    const result = checkMonotonic(h.history);
    expect(result.counts).toMatchObject({ pollSkips: 0, nonmonotonicPolls: 1, exempted: 1 });
  });
});
