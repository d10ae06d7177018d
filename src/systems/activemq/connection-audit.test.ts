import { describe, expect, it } from "vitest";
import { ConnectionAudit } from "./connection-audit.js";

describe("the client connection's duplicate audit", () => {
  it("a message seen once is a duplicate the second time, per queue and producer; a rollback clears it", () => {
    const audit = new ConnectionAudit();
    expect(audit.isDuplicate("orders", "p1", 5)).toBe(false);
    expect(audit.isDuplicate("orders", "p1", 5)).toBe(true);
    expect(audit.isDuplicate("orders", "p2", 5)).toBe(false);
    expect(audit.isDuplicate("billing", "p1", 5)).toBe(false);
    audit.rollbackDuplicate("orders", "p1", 5);
    expect(audit.isDuplicate("orders", "p1", 5)).toBe(false);
  });

  it("the window holds auditDepth ids rounded up to 64-bit words (2112 for 2048): older ones slide out and are never duplicates", () => {
    const audit = new ConnectionAudit();
    for (let sequence = 0; sequence < 2_112; sequence++) expect(audit.isDuplicate("q", "p", sequence)).toBe(false);
    expect(audit.isDuplicate("q", "p", 0)).toBe(true);
    // 2112 moves the window one word: 0–63 fall out of it.
    expect(audit.isDuplicate("q", "p", 2_112)).toBe(false);
    expect(audit.isDuplicate("q", "p", 0)).toBe(false);
    expect(audit.isDuplicate("q", "p", 64)).toBe(true);
    // A jump far ahead clears everything before.
    expect(audit.isDuplicate("q", "p", 100_000)).toBe(false);
    expect(audit.isDuplicate("q", "p", 2_112)).toBe(false);
  });

  it("past auditMaximumProducerNumber producers the least recently used one is forgotten", () => {
    const audit = new ConnectionAudit({ auditDepth: 2_048, auditMaximumProducerNumber: 2 });
    audit.isDuplicate("q", "a", 1);
    audit.isDuplicate("q", "b", 1);
    expect(audit.isDuplicate("q", "a", 1)).toBe(true);
    audit.isDuplicate("q", "c", 1);
    // b was the eldest: forgotten, so its message passes again.
    expect(audit.isDuplicate("q", "b", 1)).toBe(false);
    expect(audit.isDuplicate("q", "c", 1)).toBe(true);
  });
});
