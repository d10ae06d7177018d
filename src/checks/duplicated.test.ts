import { describe, expect, it } from "vitest";
import { History } from "../history/history.js";
import { checkDuplicated } from "./duplicated.js";
import { HistoryScript, scriptTimeNs } from "./history-script.js";

describe("checkDuplicated", () => {
  it("passes an empty history", () => {
    expect(checkDuplicated(new History())).toMatchObject({ check: "duplicated", ok: true, violations: [] });
  });

  it("passes when each group receives each message once", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 4);
    h.deliver("c1", "g1", "s", 0, a, 2);
    h.deliver("c1", "g1", "s", 2, a + 2, 2);
    h.deliver("c2", "g2", "s", 0, a, 4);
    const result = checkDuplicated(h.history);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ delivered: 8, duplicated: 0, extra: 0 });
  });

  it("flags overlapping ranges at the delivery that repeated them", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 6);
    h.deliver("c", "g", "s", 0, a, 4);
    const again = h.deliver("c", "g", "s", 2, a + 2, 4);
    const result = checkDuplicated(h.history);
    expect(result.ok).toBe(false);
    expect(result.counts).toMatchObject({ delivered: 6, duplicated: 2, extra: 2, violations: 1 });
    expect(result.violations).toEqual([
      expect.objectContaining({
        check: "duplicated",
        eventIndex: again,
        timeNs: scriptTimeNs(again),
        messageIds: [{ idFirst: a + 2, count: 2 }],
      }),
    ]);
  });

  it("reports a message once however often it repeats, and counts every extra delivery", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 1);
    for (let k = 0; k < 300; k++) h.deliver("c", "g", "s", 0, a, 1);
    const result = checkDuplicated(h.history);
    expect(result.counts).toMatchObject({ duplicated: 1, extra: 299, violations: 1 });
  });

  it("bounds the violations it keeps and counts the rest", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 250);
    const firstRepeat = h.history.length + 250;
    for (let round = 0; round < 2; round++) for (let k = 0; k < 250; k++) h.deliver("c", "g", "s", k, a + k, 1);
    const result = checkDuplicated(h.history);
    expect(result.counts["violations"]).toBe(250);
    expect(result.violations).toHaveLength(100);
    expect(result.violations[0]!.eventIndex).toBe(firstRepeat);
  });
});
