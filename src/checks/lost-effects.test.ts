import { describe, expect, it } from "vitest";
import { HistoryScript, scriptTimeNs } from "./history-script.js";
import { checkLostEffects } from "./lost-effects.js";

describe("checkLostEffects", () => {
  it("passes when every applying group applied every acknowledged message, and ignores reading-only groups", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 3);
    h.deliver("c", "g", "s", 0, a, 3);
    h.effect("c", "g", a, 3);
    h.deliver("reader", "final-read", "s", 0, a, 1);
    const result = checkLostEffects(h.history);
    expect(result).toMatchObject({ check: "lost-effects", ok: true, violations: [] });
    expect(result.counts).toMatchObject({ acked: 3, groups: 1, unapplied: 0 });
  });

  it("flags a delivered batch whose effect never happened and a later one that was applied (at-most-once skip)", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 2); // events 0, 1
    const b = h.produce("p", "s", 2, 2); // events 2, 3
    h.deliver("c", "g", "s", 0, a, 2); // the consumer crashed before applying it
    h.deliver("c2", "g", "s", 2, b, 2);
    const skipped = h.effect("c2", "g", b, 2);
    const result = checkLostEffects(h.history);
    expect(result.ok).toBe(false);
    expect(result.counts).toMatchObject({ acked: 4, unapplied: 2, skipped: 2, violations: 1 });
    expect(result.violations).toEqual([
      expect.objectContaining({ check: "lost-effects", eventIndex: skipped, timeNs: scriptTimeNs(skipped), messageIds: [{ idFirst: a, count: 2 }] }),
    ]);
    expect(result.violations[0]!.message).toContain("skipped");
  });

  it("flags unapplied messages with nothing applied after them at the end of the history", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 1);
    const b = h.produce("p", "s", 1, 1);
    h.effect("c", "g", a, 1);
    const last = h.opOk("p", "send");
    const result = checkLostEffects(h.history);
    expect(result.violations).toEqual([expect.objectContaining({ eventIndex: last, messageIds: [{ idFirst: b, count: 1 }] })]);
    expect(result.violations[0]!.message).toContain("by the end of the history");
    expect(result.counts).toMatchObject({ unapplied: 1, skipped: 0 });
  });

  it("holds a named group to account even if it applied nothing, and never expects unacknowledged messages", () => {
    const h = new HistoryScript();
    h.produce("p", "s", 0, 2);
    const refused = h.send("p", 1);
    h.result("p", refused, 1, "error");
    const result = checkLostEffects(h.history, { groups: ["g"] });
    expect(result.ok).toBe(false);
    expect(result.counts).toMatchObject({ acked: 2, groups: 1, unapplied: 2 });
  });
});
