import { describe, expect, it } from "vitest";
import { History } from "../history/history.js";
import { HistoryScript, scriptTimeNs } from "./history-script.js";
import { checkLost, NO_GROUP } from "./lost.js";

describe("checkLost", () => {
  it("passes an empty history", () => {
    const result = checkLost(new History());
    expect(result).toMatchObject({ check: "lost", ok: true, violations: [] });
    expect(result.counts).toMatchObject({ acked: 0, groups: 0, lost: 0, unseen: 0, violations: 0 });
  });

  it("passes when every group receives every acknowledged message", () => {
    const h = new HistoryScript();
    const a = h.produce("p1", "s", 0, 3);
    const b = h.produce("p2", "s", 3, 2);
    for (const group of ["g1", "g2"]) {
      h.deliver("c", group, "s", 0, a, 3);
      h.deliver("c", group, "s", 3, b, 2);
    }
    const result = checkLost(h.history);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ acked: 5, groups: 2, lost: 0, unseen: 0 });
  });

  it("flags a message passed over by a later position as lost, at that delivery", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 2); // events 0, 1
    const b = h.produce("p", "s", 2, 2); // events 2, 3
    const passing = h.deliver("c", "g", "s", 2, b, 2); // event 4
    const result = checkLost(h.history);
    expect(result.ok).toBe(false);
    expect(result.counts).toMatchObject({ acked: 4, lost: 2, unseen: 0, violations: 1 });
    expect(result.violations).toEqual([
      expect.objectContaining({
        check: "lost",
        eventIndex: passing,
        timeNs: scriptTimeNs(passing),
        messageIds: [{ idFirst: a, count: 2 }],
      }),
    ]);
    expect(result.violations[0]!.message).toContain('group "g"');
  });

  it("flags an acknowledged message with nothing delivered after it as unseen, at the end", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 1);
    const b = h.produce("p", "s", 1, 1);
    h.deliver("c", "g", "s", 0, a, 1);
    const last = h.opOk("p", "send");
    const result = checkLost(h.history);
    expect(result.ok).toBe(false);
    expect(result.counts).toMatchObject({ lost: 0, unseen: 1 });
    expect(result.violations).toEqual([
      expect.objectContaining({ check: "unseen", eventIndex: last, timeNs: scriptTimeNs(last), messageIds: [{ idFirst: b, count: 1 }] }),
    ]);
  });

  it("never expects messages whose outcome was unknown or error", () => {
    const h = new HistoryScript();
    const unknown = h.send("p", 2);
    h.result("p", unknown, 2, "unknown");
    const refused = h.send("p", 2);
    h.result("p", refused, 2, "error");
    const later = h.produce("p", "s", 5, 1);
    h.deliver("c", "g", "s", 5, later, 1);
    const result = checkLost(h.history);
    expect(result.ok).toBe(true);
    expect(result.counts["acked"]).toBe(1);
  });

  it("counts a retried message as acknowledged when any attempt was ok", () => {
    const h = new HistoryScript();
    const id = h.send("p", 1);
    h.result("p", id, 1, "unknown");
    h.send("p", 1); // an unrelated message in between
    h.result("p", id, 1, "ok", "s", 0);
    expect(checkLost(h.history).counts).toMatchObject({ acked: 1, unseen: 1 });
  });

  it("counts a send acknowledged after its delivery", () => {
    const h = new HistoryScript();
    const id = h.send("p", 2);
    h.deliver("c", "g", "s", 0, id, 2);
    h.result("p", id, 2, "ok", "s", 0);
    const result = checkLost(h.history);
    expect(result.ok).toBe(true);
    expect(result.counts["acked"]).toBe(2);
  });

  it("makes a loss visible at the acknowledgement when it came after the passing delivery", () => {
    const h = new HistoryScript();
    const a = h.send("p", 1);
    const b = h.produce("p", "s", 1, 1);
    h.deliver("c", "g", "s", 1, b, 1);
    const ack = h.result("p", a, 1, "ok", "s", 0);
    const result = checkLost(h.history);
    expect(result.violations).toEqual([expect.objectContaining({ check: "lost", eventIndex: ack, messageIds: [{ idFirst: a, count: 1 }] })]);
  });

  it("accepts overlapping delivered ranges and ranges that span batches", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 4);
    h.produce("p", "s", 4, 2);
    h.deliver("c", "g", "s", 0, a, 3);
    h.deliver("c", "g", "s", 2, a + 2, 4);
    expect(checkLost(h.history).ok).toBe(true);
  });

  it("treats an acknowledged message without a position that never arrives as lost at the end", () => {
    const h = new HistoryScript();
    const a = h.send("p", 3);
    h.result("p", a, 3, "ok", "q", -1);
    h.deliver("c", "g", "q", -1, a, 1);
    const last = h.deliver("c", "g", "q", -1, a + 2, 1);
    const result = checkLost(h.history);
    expect(result.counts).toMatchObject({ lost: 1, unseen: 0 });
    expect(result.violations).toEqual([expect.objectContaining({ check: "lost", eventIndex: last, messageIds: [{ idFirst: a + 1, count: 1 }] })]);
  });

  it("judges each group separately", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 2);
    h.deliver("c1", "g1", "s", 0, a, 2);
    const partial = h.deliver("c2", "g2", "s", 1, a + 1, 1);
    const result = checkLost(h.history);
    expect(result.counts).toMatchObject({ groups: 2, lost: 1 });
    expect(result.violations).toEqual([expect.objectContaining({ eventIndex: partial, messageIds: [{ idFirst: a, count: 1 }] })]);
    expect(result.violations[0]!.message).toContain('group "g2"');
  });

  it("holds named groups to account even when they received nothing", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 1);
    h.deliver("c", "g1", "s", 0, a, 1);
    const result = checkLost(h.history, { groups: ["g1", "g2"] });
    expect(result.counts).toMatchObject({ groups: 2, unseen: 1 });
    expect(result.violations[0]!.message).toContain('group "g2"');
  });

  it("fails a history whose acknowledged messages no group ever read", () => {
    const h = new HistoryScript();
    h.produce("p", "s", 0, 2);
    const result = checkLost(h.history);
    expect(result.counts).toMatchObject({ groups: 1, unseen: 2 });
    expect(result.violations[0]!.message).toContain(NO_GROUP);
  });

  it("groups losses by the delivery that revealed them", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 1);
    const b = h.produce("p", "s", 1, 1);
    const c = h.produce("p", "s", 2, 1);
    const d = h.produce("p", "s", 3, 1);
    const first = h.deliver("c", "g", "s", 1, b, 1);
    const second = h.deliver("c", "g", "s", 3, d, 1);
    const result = checkLost(h.history);
    expect(result.violations.map((v) => [v.eventIndex, v.messageIds])).toEqual([
      [first, [{ idFirst: a, count: 1 }]],
      [second, [{ idFirst: c, count: 1 }]],
    ]);
  });
});

describe("checkLost's default groups", () => {
  it("include groups known only from effects or commits", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 1);
    h.deliver("c", "g1", "s", 0, a, 1);
    h.effect("c", "g2", a, 1);
    h.commit("c", "g3", "s", 1);
    expect(checkLost(h.history).counts).toMatchObject({ groups: 3, unseen: 1, violations: 2 });
  });
});

describe("checkLost with streamsOfGroup (a group held only to some send streams)", () => {
  function twoQueues(): { h: HistoryScript; a: number; b: number } {
    const h = new HistoryScript();
    const a = h.produce("p1", "qa", 0, 3);
    const b = h.produce("p2", "qb", 0, 2);
    return { h, a, b };
  }

  it("does not hold a group to another queue's messages", () => {
    const { h, a, b } = twoQueues();
    h.deliver("c1", "qa", "qa", -1, a, 3);
    h.deliver("c2", "qb", "qb", -1, b, 2);
    expect(checkLost(h.history).ok).toBe(false);
    expect(checkLost(h.history, { streamsOfGroup: { qa: ["qa"], qb: ["qb"] } }).ok).toBe(true);
  });

  it("still fails a group that misses one of its own messages", () => {
    const { h, a, b } = twoQueues();
    h.deliver("c1", "qa", "qa", -1, a, 2);
    h.deliver("c2", "qb", "qb", -1, b, 2);
    const result = checkLost(h.history, { streamsOfGroup: { qa: ["qa"], qb: ["qb"] } });
    expect(result.ok).toBe(false);
    expect(result.violations[0]!.messageIds).toEqual([{ idFirst: a + 2, count: 1 }]);
  });
});
