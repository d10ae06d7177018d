import { describe, expect, it } from "vitest";
import { CLUSTER_EVENTS_MAX, ClusterLog } from "./cluster-log.js";

describe("the cluster log", () => {
  it("keeps events in order with the clock's time", () => {
    const clock = { now: 0 };
    const log = new ClusterLog(clock);
    log.record("leader", "t-0", "b1", 1, "preferred replica");
    clock.now = 5_000;
    log.record("truncation", "t-0", "b2", 2, "offset 80 → 21", 21);
    expect(log.events).toEqual([
      { timeNs: 0, kind: "leader", stream: "t-0", node: "b1", epoch: 1, detail: "preferred replica", toPosition: -1 },
      { timeNs: 5_000, kind: "truncation", stream: "t-0", node: "b2", epoch: 2, detail: "offset 80 → 21", toPosition: 21 },
    ]);
  });

  it("keeps the earliest events up to its bound and counts the rest", () => {
    const log = new ClusterLog({ now: 0 });
    for (let k = 0; k < CLUSTER_EVENTS_MAX + 3; k++) log.record("in-sync", "q", "n1", -1);
    expect(log.events).toHaveLength(CLUSTER_EVENTS_MAX);
    expect(log.leftOut).toBe(3);
  });

  it("refuses an epoch that is not an integer of at least -1 (a model bug)", () => {
    const log = new ClusterLog({ now: 0 });
    expect(() => log.record("leader", "t-0", "b1", -2)).toThrow(/epoch -2/);
    expect(() => log.record("leader", "t-0", "b1", 1.5)).toThrow(/epoch 1.5/);
  });
});
