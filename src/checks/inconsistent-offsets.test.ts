import { describe, expect, it } from "vitest";
import { History } from "../history/history.js";
import { HistoryScript, scriptTimeNs } from "./history-script.js";
import { checkInconsistentOffsets } from "./inconsistent-offsets.js";

describe("checkInconsistentOffsets", () => {
  it("passes an empty history", () => {
    expect(checkInconsistentOffsets(new History())).toMatchObject({ check: "inconsistent-offsets", ok: true });
  });

  it("passes agreeing acknowledgements and overlapping deliveries", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 4);
    h.deliver("c", "g1", "s", 0, a, 3);
    h.deliver("c", "g2", "s", 1, a + 1, 3);
    h.deliver("c", "g1", "q", -1, a + 3, 1); // no position: no claim
    const result = checkInconsistentOffsets(h.history);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ positions: 4, inconsistent: 0 });
  });

  it("flags a position delivered with two different ids, at the second delivery", () => {
    const h = new HistoryScript();
    const a = h.send("p", 2);
    h.deliver("c", "g1", "s", 0, a, 2);
    const clash = h.deliver("c", "g2", "s", 1, a + 5, 1);
    const result = checkInconsistentOffsets(h.history);
    expect(result.counts).toMatchObject({ inconsistent: 1 });
    expect(result.violations).toEqual([
      expect.objectContaining({
        check: "inconsistent-offsets",
        eventIndex: clash,
        timeNs: scriptTimeNs(clash),
        messageIds: [
          { idFirst: a + 1, count: 1 },
          { idFirst: a + 5, count: 1 },
        ],
      }),
    ]);
  });

  it("treats acknowledged positions as claims unless told not to", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 1);
    const b = h.send("p", 1);
    const clash = h.deliver("c", "g", "s", 0, b, 1); // a truncated, b in its place
    expect(checkInconsistentOffsets(h.history).violations).toEqual([
      // a and b are consecutive ids: one range.
      expect.objectContaining({ eventIndex: clash, messageIds: [{ idFirst: a, count: 2 }] }),
    ]);
    expect(checkInconsistentOffsets(h.history, { includeAcks: false }).ok).toBe(true);
  });

  it("reports each position once", () => {
    const h = new HistoryScript();
    const a = h.send("p", 3);
    h.deliver("c", "g", "s", 0, a, 1);
    h.deliver("c", "g", "s", 0, a + 1, 1);
    h.deliver("c", "g", "s", 0, a + 2, 1);
    expect(checkInconsistentOffsets(h.history).counts).toMatchObject({ inconsistent: 1, violations: 1 });
  });
});
