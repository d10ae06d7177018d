import { describe, expect, it } from "vitest";
import { IdRanges } from "./id-ranges.js";
import { ViolationList } from "./violation-list.js";
import type { Violation } from "./violation.js";

const violation = (eventIndex: number, message = ""): Violation => ({
  check: "lost",
  message,
  eventIndex,
  timeNs: eventIndex,
  messageIds: [],
});

describe("ViolationList", () => {
  it("keeps the earliest violations by event, ties in the order offered, and counts all", () => {
    const list = new ViolationList(3);
    for (const [at, tag] of [[5, "a"], [2, "b"], [9, "c"], [2, "d"], [7, "e"], [1, "f"]] as const) {
      list.offer(at, () => violation(at, tag));
    }
    const result = list.result("lost", { acked: 4 });
    expect(result.violations.map((v) => v.message)).toEqual(["f", "b", "d"]);
    expect(result.counts).toEqual({ acked: 4, violations: 6 });
    expect(result.ok).toBe(false);
  });

  it("builds only the violations it keeps", () => {
    const list = new ViolationList(1);
    let built = 0;
    for (let k = 0; k < 1000; k++) {
      list.offer(k, () => {
        built++;
        return violation(k);
      });
    }
    expect(built).toBe(1);
    expect(list.count).toBe(1000);
  });

  it("passes when nothing was offered", () => {
    expect(new ViolationList().result("lost", {})).toEqual({ check: "lost", ok: true, violations: [], counts: { violations: 0 } });
  });
});

describe("IdRanges", () => {
  it("merges consecutive ids, keeps the first few runs, counts every id", () => {
    const ids = new IdRanges(2);
    for (const id of [3, 4, 5, 9, 20, 21, 10]) ids.add(id);
    expect(ids.count).toBe(7);
    expect(ids.ranges()).toEqual([
      { idFirst: 3, count: 3 },
      { idFirst: 9, count: 2 },
    ]);
    expect(ids.describe()).toBe("3..5, 9..10 (+2 more)");
  });

  it("returns ascending, merged ranges whatever the order added", () => {
    const ids = new IdRanges();
    for (const id of [7, 5, 6, 5]) ids.add(id);
    expect(ids.ranges()).toEqual([{ idFirst: 5, count: 3 }]);
  });
});
