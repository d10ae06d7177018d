import { describe, expect, it } from "vitest";
import { faultIntervals } from "./fault-intervals.js";
import type { TimedFault } from "./fault.js";

const S = 1_000_000_000;

describe("a fault schedule as intervals", () => {
  it("ends each fault at its undo, else at the heal of the fault phase", () => {
    const faults: TimedFault[] = [
      { atNs: 2 * S, verb: "processCrash", node: "b1" },
      { atNs: 3 * S, verb: "partition", spec: { kind: "isolate", nodes: ["b2"] }, name: "cut" },
      { atNs: 4 * S, verb: "slowDisk", node: "b3", factor: 10 },
      { atNs: 5 * S, verb: "restart", node: "b1" },
      { atNs: 6 * S, verb: "heal", name: "cut" },
      { atNs: 7 * S, verb: "pause", node: "b2" },
    ];
    expect(faultIntervals(faults, 10 * S).map((f) => [f.verb, f.target, f.atNs / S, f.endNs / S])).toEqual([
      ["processCrash", "b1", 2, 5],
      ["partition", "cut", 3, 6],
      ["slowDisk", "b3", 4, 10],
      ["pause", "b2", 7, 10],
    ]);
  });

  it("lets healAll end everything, leaves out faults at or past the heal, and reads schedules out of order", () => {
    const faults: TimedFault[] = [
      { atNs: 8 * S, verb: "healAll" },
      { atNs: 1 * S, verb: "powerLoss", node: "r1" },
      { atNs: 12 * S, verb: "processCrash", node: "r2" },
      { atNs: 2 * S, verb: "partition", spec: { kind: "isolate", nodes: ["r3"] } },
    ];
    const intervals = faultIntervals(faults, 10 * S);
    expect(intervals.map((f) => [f.verb, f.target, f.atNs / S, f.endNs / S])).toEqual([
      ["powerLoss", "r1", 1, 8],
      ["partition", `partition@${2 * S}`, 2, 8],
    ]);
    expect(intervals[0]!.line).toMatch(/powerLoss r1/);
  });
});
