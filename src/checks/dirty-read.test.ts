import { describe, expect, it } from "vitest";
import { History } from "../history/history.js";
import { checkDirtyReads } from "./dirty-read.js";
import { HistoryScript, scriptTimeNs } from "./history-script.js";

describe("checkDirtyReads", () => {
  it("passes an empty history", () => {
    expect(checkDirtyReads(new History(), [])).toMatchObject({ check: "dirty-read", ok: true });
  });

  it("passes reads that the final log still holds", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 3);
    h.deliver("c", "g", "s", 0, a, 3);
    h.deliver("c", "g", "q", -1, a, 1); // no position: not judged
    h.deliver("c", "g", "other", 0, a, 1); // no final log: not judged
    const result = checkDirtyReads(h.history, [{ stream: "s", entries: [{ position: 0, idFirst: a, count: 3 }] }]);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ checked: 3, dirty: 0, unjudged: 2 });
  });

  it("flags a read whose position now holds another id, at the read", () => {
    const h = new HistoryScript();
    const a = h.send("p", 2);
    const b = h.send("p", 1);
    const read = h.deliver("c", "g", "s", 0, a, 2);
    const result = checkDirtyReads(h.history, [
      { stream: "s", entries: [{ position: 0, idFirst: a, count: 1 }, { position: 1, idFirst: b, count: 1 }] },
    ]);
    expect(result.counts).toMatchObject({ dirty: 1 });
    expect(result.violations).toEqual([
      expect.objectContaining({ check: "dirty-read", eventIndex: read, timeNs: scriptTimeNs(read), messageIds: [{ idFirst: a + 1, count: 1 }] }),
    ]);
    expect(result.violations[0]!.message).toContain(`holds id ${b}`);
  });

  it("flags a read beyond the final log's end (truncated away)", () => {
    const h = new HistoryScript();
    const a = h.send("p", 3);
    const read = h.deliver("c", "g", "s", 0, a, 3);
    const result = checkDirtyReads(h.history, [{ stream: "s", entries: [{ position: 0, idFirst: a, count: 1 }] }]);
    expect(result.violations).toEqual([expect.objectContaining({ eventIndex: read, messageIds: [{ idFirst: a + 1, count: 2 }] })]);
    expect(result.violations[0]!.message).toContain("beyond the log's end (1)");
    // An empty final log: everything read from it is gone.
    expect(checkDirtyReads(h.history, [{ stream: "s", entries: [] }]).counts).toMatchObject({ dirty: 3 });
  });

  it("does not judge positions below the log's start", () => {
    const h = new HistoryScript();
    const a = h.send("p", 3);
    h.deliver("c", "g", "s", 0, a, 3);
    const result = checkDirtyReads(h.history, [{ stream: "s", entries: [{ position: 2, idFirst: a + 2, count: 1 }], startPosition: 2 }]);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ checked: 1, unjudged: 2 });
  });
});
