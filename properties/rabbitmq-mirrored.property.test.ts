/**
 * A mirrored classic queue configured the safe way holds under single node
 * crashes: ha-mode all on 3 nodes, ha-sync-mode automatic,
 * ha-promote-on-failure when-synced, a durable queue, persistent messages,
 * publisher confirms and manual acks. Generated workloads and schedules of
 * process crashes of one node at a time, each restarted before the next
 * crash. No confirmed message is lost, nothing unexpected is delivered, the
 * run converges, and the unavailability check measures the failovers (the
 * numbers are there in every run; some runs must show a window, and some
 * runs a promotion).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { UnavailabilityResult } from "../src/checks/unavailability.js";
import { formatCheckResults } from "../src/checks/format-check-results.js";
import { describeFault, type FaultSchedule } from "../src/faults/fault.js";
import { mirrorPromotions } from "../src/systems/rabbitmq/anomalies.js";
import { runRabbitMq, type RabbitRunResult } from "../src/systems/rabbitmq/run.js";
import { oneFaultAtATime } from "./rabbitmq-faults.js";

const SECOND = 1_000_000_000;
const RUNS = 100;

const workloads = fc.record({
  ratePerSec: fc.integer({ min: 20, max: 150 }),
  batch: fc.integer({ min: 1, max: 4 }),
  processingMs: fc.integer({ min: 1, max: 15 }),
  prefetch: fc.integer({ min: 1, max: 30 }),
});

type Workload = typeof workloads extends fc.Arbitrary<infer W> ? W : never;

const schedules = oneFaultAtATime({ nodeNames: ["r1", "r2", "r3"], kinds: ["crash"], horizonNs: 8 * SECOND, episodesMax: 4, durationNsMax: 4 * SECOND });

function mirroredRun(seed: number, workload: Workload, faults: FaultSchedule): RabbitRunResult {
  return runRabbitMq({
    seed,
    cluster: {
      nodes: 3,
      queues: [{ name: "q", type: "classic", durable: true, node: "r1" }],
      policies: [{ name: "ha-all", pattern: "^q$", definition: { "ha-mode": "all", "ha-sync-mode": "automatic", "ha-promote-on-failure": "when-synced" } }],
      config: { version: "3.13" },
    },
    publishers: [{ name: "p1", exchange: "", routingKey: "q", mode: "confirm", ratePerSec: workload.ratePerSec, messageBytes: 200, batch: workload.batch, persistent: true, inFlightMax: 64 }],
    consumers: [{ name: "c1", queue: "q", prefetch: workload.prefetch, autoAck: false, processNsPerMessage: workload.processingMs * 1_000_000 }],
    faults,
    faultPhaseNs: 8 * SECOND,
    // A client on a node that lost power learns of it from AMQP heartbeats (heartbeat 60 s: up to 90 s).
    convergeNsMax: 150 * SECOND,
  });
}

describe("mirrored classic queue (ha-mode all, automatic sync, promote when-synced): one node crash at a time", () => {
  it(`loses nothing confirmed and reports its unavailability (${RUNS} runs)`, () => {
    const stats = { runs: 0, acked: 0, promotions: 0, runsWithWindows: 0, sendUnavailableNs: 0, receiveUnavailableNs: 0, longestNs: 0 };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), workloads, schedules, (seed, workload, faults) => {
        const result = mirroredRun(seed, workload, faults);
        const where = `seed ${seed}, workload ${JSON.stringify(workload)}, faults:\n  ${faults.map(describeFault).join("\n  ")}`;
        const broken = result.checks.filter((c) => (c.check === "lost" || c.check === "unexpected") && !c.ok);
        expect(broken, `${formatCheckResults(broken)}\n${where}`).toEqual([]);
        expect(result.liveness.isConverged, `${result.liveness.reasons.join("; ")}\n${where}`).toBe(true);
        const unavailability = result.checks.find((c) => c.check === "unavailability") as UnavailabilityResult;
        for (const key of ["sendWindows", "sendUnavailableNs", "sendLongestNs", "receiveWindows", "receiveUnavailableNs", "receiveLongestNs"]) {
          expect(unavailability.counts[key], key).toBeGreaterThanOrEqual(0);
        }
        // Windows that opened after the first fault (the start-up connect opens one too).
        const firstFaultNs = faults[0]?.atNs ?? Number.POSITIVE_INFINITY;
        const faulty = unavailability.windows.filter((w) => w.startNs >= firstFaultNs);
        stats.runs++;
        stats.acked += result.checks.find((c) => c.check === "lost")!.counts["acked"]!;
        stats.promotions += mirrorPromotions(result).length;
        if (faulty.length > 0) stats.runsWithWindows++;
        stats.sendUnavailableNs += unavailability.counts["sendUnavailableNs"]!;
        stats.receiveUnavailableNs += unavailability.counts["receiveUnavailableNs"]!;
        // Windows still open at the end are a publisher that stopped at the end of the fault phase while failing: not a duration.
        stats.longestNs = Math.max(stats.longestNs, ...faulty.filter((w) => w.endEventIndex >= 0).map((w) => w.durationNs));
      }),
      { numRuns: RUNS },
    );
    console.log(
      `mirrored property: ${stats.runs} runs, ${stats.acked} messages confirmed, none lost; ${stats.promotions} promotions; ` +
        `${stats.runsWithWindows} runs with an unavailability window after a fault; mean send unavailability ${(stats.sendUnavailableNs / stats.runs / 1e9).toFixed(3)} s, ` +
        `mean receive unavailability ${(stats.receiveUnavailableNs / stats.runs / 1e9).toFixed(3)} s, longest closed window ${(stats.longestNs / 1e9).toFixed(3)} s`,
    );
    expect(stats.runs).toBe(RUNS);
    expect(stats.promotions).toBeGreaterThan(5);
    expect(stats.runsWithWindows).toBeGreaterThan(10);
    expect(stats.sendUnavailableNs + stats.receiveUnavailableNs).toBeGreaterThan(0);
  });
});
