import { describe, expect, it } from "vitest";
import { History } from "../history/history.js";
import { HistoryScript, scriptTimeNs } from "./history-script.js";
import { checkReordered } from "./reordered.js";

describe("checkReordered", () => {
  it("passes an empty history", () => {
    expect(checkReordered(new History())).toMatchObject({ check: "reordered", ok: true });
  });

  it("passes interleaved producers whose own messages keep their order", () => {
    const h = new HistoryScript();
    const a1 = h.produce("p1", "s", 0, 2);
    const b1 = h.produce("p2", "s", 2, 1);
    const a2 = h.produce("p1", "s", 3, 1);
    const b2 = h.produce("p2", "t", 0, 1);
    // Delivered out of position order, and position 1 twice: order is judged by position.
    h.deliver("c", "g", "s", 2, b1, 1);
    h.deliver("c", "g", "s", 0, a1, 2);
    h.deliver("c", "g", "s", 1, a1 + 1, 1);
    h.deliver("c", "g", "s", 3, a2, 1);
    h.deliver("c", "g", "t", 0, b2, 1);
    const result = checkReordered(h.history);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ examined: 5, inversions: 0 });
  });

  it("ignores order between different producers", () => {
    const h = new HistoryScript();
    const a = h.send("p1", 1);
    const b = h.send("p2", 1);
    h.deliver("c", "g", "s", 0, b, 1);
    h.deliver("c", "g", "s", 1, a, 1);
    expect(checkReordered(h.history).ok).toBe(true);
  });

  it("flags one producer's messages at inverted positions, at the later delivery", () => {
    const h = new HistoryScript();
    const a = h.send("p", 1);
    const b = h.send("p", 1);
    h.deliver("c", "g", "s", 0, b, 1);
    const second = h.deliver("c", "g", "s", 1, a, 1);
    const result = checkReordered(h.history);
    expect(result.ok).toBe(false);
    expect(result.violations).toEqual([
      expect.objectContaining({
        check: "reordered",
        eventIndex: second,
        timeNs: scriptTimeNs(second),
        messageIds: [
          { idFirst: a, count: 1 },
          { idFirst: b, count: 1 },
        ],
      }),
    ]);
    expect(result.violations[0]!.message).toContain('producer "p"');
  });

  it("counts a message moved far ahead as one inversion", () => {
    const h = new HistoryScript();
    const first = h.send("p", 5);
    h.deliver("c", "g", "s", 0, first + 4, 1);
    h.deliver("c", "g", "s", 1, first, 4);
    expect(checkReordered(h.history).counts["inversions"]).toBe(1);
  });

  it("does not call a redelivered earlier message an inversion", () => {
    const h = new HistoryScript();
    const a = h.send("p", 2);
    h.deliver("c", "g", "s", 0, a, 2);
    h.deliver("c", "g", "s", 2, a, 1); // the same message again, further on (a producer retry)
    expect(checkReordered(h.history).ok).toBe(true);
  });

  it("judges streams without positions by arrival order per consumer", () => {
    const h = new HistoryScript();
    const a = h.send("p", 3);
    h.deliver("c1", "g", "q", -1, a, 1);
    h.deliver("c2", "g", "q", -1, a + 2, 1);
    h.deliver("c1", "g", "q", -1, a + 1, 1); // c1: a, a+1 — fine; c2 only saw a+2
    expect(checkReordered(h.history).ok).toBe(true);

    const bad = h.deliver("c2", "g", "q", -1, a, 1);
    const result = checkReordered(h.history);
    expect(result.violations).toEqual([expect.objectContaining({ eventIndex: bad, messageIds: [{ idFirst: a, count: 1 }, { idFirst: a + 2, count: 1 }] })]);
    expect(result.violations[0]!.message).toContain('consumer "c2"');
  });
});
