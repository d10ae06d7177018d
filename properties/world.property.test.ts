/**
 * World properties under generated fault schedules: connections keep order and
 * never deliver after close, disks keep exactly what crashes and power losses
 * promise, the cluster reconnects after healing, and a (seed, schedule) pair
 * always produces the same digest.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeFault } from "../src/faults/fault.js";
import { faultScheduleArbitrary } from "../src/faults/arbitrary.js";
import { runProbe } from "./world-probe.js";

const NODE_NAMES = ["n1", "n2", "n3", "n4"];
const FAULT_PHASE_NS = 3_000_000_000;
/**
 * TCP retransmits with exponential backoff: a connection held through a
 * partition of up to 3 s next retries up to 3.2 s after the heal, so the
 * cluster gets longer to show it flows again.
 */
const CONVERGE_NS = 8_000_000_000;

const scheduleArbitrary = faultScheduleArbitrary({
  nodeNames: NODE_NAMES,
  horizonNs: FAULT_PHASE_NS,
  faultsMax: 12,
  verbs: ["processCrash", "powerLoss", "restart", "pause", "resume", "partition", "heal", "slowDisk", "fullDisk", "healDisk"],
  trafficClasses: ["data", "control"],
});

describe("world under generated faults", () => {
  it("keeps connection order, disk durability promises and reconnects after healing", () => {
    const marks = new Map<string, number>();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), scheduleArbitrary, (seed, schedule) => {
        const result = runProbe({ seed, nodeCount: NODE_NAMES.length, schedule, faultPhaseNs: FAULT_PHASE_NS, convergeNs: CONVERGE_NS });
        for (const [name, count] of result.marks) marks.set(name, (marks.get(name) ?? 0) + count);
        if (result.violations.length > 0) {
          throw new Error(`${result.violations.slice(0, 5).join("\n")}\nschedule:\n${schedule.map(describeFault).join("\n")}`);
        }
      }),
      { numRuns: 120 },
    );
    // The sweep must actually have exercised the faults it claims to survive.
    for (const mark of ["world.process-crash", "world.power-loss", "world.restart", "world.pause", "net.tcp.retransmit", "net.tcp.ack-lost", "net.connection.reset", "net.connect.refused", "net.partition.isolate", "net.partition.one-way", "disk.power-loss-lost-data"]) {
      expect(marks.get(mark) ?? 0, mark).toBeGreaterThan(0);
    }
  });

  it("gives the same digest for the same seed and schedule, and a different one for another seed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), scheduleArbitrary, (seed, schedule) => {
        const options = { nodeCount: NODE_NAMES.length, schedule, faultPhaseNs: 1_000_000_000, convergeNs: 1_000_000_000 };
        const first = runProbe({ seed, ...options });
        const second = runProbe({ seed, ...options });
        expect(second.digest).toBe(first.digest);
        expect(runProbe({ seed: seed + 1, ...options }).digest).not.toBe(first.digest);
      }),
      { numRuns: 20 },
    );
  });
});
