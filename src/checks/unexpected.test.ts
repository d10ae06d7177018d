import { describe, expect, it } from "vitest";
import { History } from "../history/history.js";
import { HistoryScript, scriptTimeNs } from "./history-script.js";
import { checkUnexpected } from "./unexpected.js";

describe("checkUnexpected", () => {
  it("passes an empty history", () => {
    expect(checkUnexpected(new History())).toMatchObject({ ok: true, counts: { delivered: 0, unexpected: 0 } });
  });

  it("passes acknowledged deliveries and counts unknown outcomes that arrived as recovered", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 2);
    const b = h.send("p", 1);
    h.result("p", b, 1, "unknown");
    const c = h.send("p", 1); // no result at all: the producer crashed
    h.deliver("c", "g", "s", 0, a, 2);
    h.deliver("c", "g", "s", 2, b, 1);
    h.deliver("c", "g", "s", 3, c, 1);
    h.deliver("c", "g2", "s", 3, c, 1);
    const result = checkUnexpected(h.history);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ delivered: 4, recovered: 2 });
  });

  it("flags a delivered message whose send was refused", () => {
    const h = new HistoryScript();
    const a = h.send("p", 2);
    h.result("p", a, 2, "error");
    const at = h.deliver("c", "g", "s", 0, a + 1, 1);
    h.deliver("c", "g", "s", 0, a + 1, 1); // reported once
    const result = checkUnexpected(h.history);
    expect(result.counts).toMatchObject({ unexpected: 1, violations: 1 });
    expect(result.violations).toEqual([
      expect.objectContaining({ check: "unexpected", eventIndex: at, timeNs: scriptTimeNs(at), messageIds: [{ idFirst: a + 1, count: 1 }] }),
    ]);
  });

  it("does not flag a refused attempt that a retry got through", () => {
    const h = new HistoryScript();
    const a = h.send("p", 1);
    h.result("p", a, 1, "error");
    h.result("p", a, 1, "ok", "s", 0);
    h.deliver("c", "g", "s", 0, a, 1);
    expect(checkUnexpected(h.history).ok).toBe(true);
  });

  it("flags ids that were never sent, including ones never handed out", () => {
    const h = new HistoryScript();
    const reserved = h.history.reserveIds(2); // reserved, never sent
    const at = h.deliver("c", "g", "s", 0, reserved, 3); // ids reserved, reserved+1, and one beyond idLimit
    const result = checkUnexpected(h.history);
    expect(result.counts).toMatchObject({ unexpected: 3 });
    expect(result.violations).toEqual([
      expect.objectContaining({ eventIndex: at, messageIds: [{ idFirst: reserved, count: 3 }] }),
    ]);
    expect(result.violations[0]!.message).toContain("never sent");
  });

  it("makes a refusal reported after the delivery visible at the refusal", () => {
    const h = new HistoryScript();
    const a = h.send("p", 1);
    h.deliver("c", "g", "s", 0, a, 1);
    const refusal = h.result("p", a, 1, "error");
    expect(checkUnexpected(h.history).violations[0]).toMatchObject({ eventIndex: refusal, timeNs: scriptTimeNs(refusal) });
  });
});
