import { describe, expect, it } from "vitest";
import { History } from "../history/history.js";
import { checkDivergence } from "./divergence.js";
import { HistoryScript, scriptTimeNs } from "./history-script.js";
import type { ReplicaSnapshot } from "./log-snapshot.js";

const log = [
  { position: 0, idFirst: 10, count: 3 },
  { position: 3, idFirst: 20, count: 2 },
];

describe("checkDivergence", () => {
  it("passes no replicas and an empty history", () => {
    const result = checkDivergence(new History(), []);
    expect(result).toMatchObject({ check: "divergence", ok: true, counts: { streams: 0, replicas: 0 } });
  });

  it("passes replicas that agree below the smaller committed end, whatever lies above", () => {
    const replicas: ReplicaSnapshot[] = [
      { stream: "s", replica: "b1", entries: log, committedEnd: 5 },
      { stream: "s", replica: "b2", entries: [...log, { position: 5, idFirst: 30, count: 1 }], committedEnd: 6 },
      // Uncommitted tail differs: fine.
      { stream: "s", replica: "b3", entries: [log[0]!, { position: 3, idFirst: 40, count: 2 }], committedEnd: 3 },
      // Prefix removed by retention: compared from its start.
      { stream: "s", replica: "b4", entries: [{ position: 3, idFirst: 20, count: 2 }], committedEnd: 5, startPosition: 3 },
    ];
    const result = checkDivergence(new History(), replicas);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ streams: 1, replicas: 4 });
  });

  it("flags two replicas that disagree on a committed position, at the end of the history", () => {
    const h = new HistoryScript();
    h.produce("p", "s", 0, 1);
    const last = h.opOk("p", "send");
    const replicas: ReplicaSnapshot[] = [
      { stream: "s", replica: "b1", entries: log, committedEnd: 5 },
      { stream: "s", replica: "b2", entries: [log[0]!, { position: 3, idFirst: 21, count: 1 }], committedEnd: 5 },
      { stream: "t", replica: "b1", entries: log, committedEnd: 5 },
    ];
    const result = checkDivergence(h.history, replicas);
    expect(result.counts).toMatchObject({ divergent: 2, violations: 1 });
    expect(result.violations).toEqual([
      expect.objectContaining({
        check: "divergence",
        eventIndex: last,
        timeNs: scriptTimeNs(last),
        messageIds: [{ idFirst: 20, count: 2 }],
      }),
    ]);
    expect(result.violations[0]!.message).toContain('replicas "b1" and "b2"');
    expect(result.violations[0]!.message).toContain("first at position 3: id 20 vs id 21");
  });

  it("compares every pair", () => {
    const replicas: ReplicaSnapshot[] = [
      { stream: "s", replica: "b1", entries: log, committedEnd: 1 },
      { stream: "s", replica: "b2", entries: log, committedEnd: 5 },
      { stream: "s", replica: "b3", entries: [{ position: 0, idFirst: 10, count: 3 }], committedEnd: 5 },
    ];
    const result = checkDivergence(new History(), replicas);
    // b1 agrees with both below 1; b2 and b3 differ at 3 and 4.
    expect(result.counts).toMatchObject({ divergent: 2, violations: 1 });
    expect(result.violations[0]!.eventIndex).toBe(-1);
  });
});
