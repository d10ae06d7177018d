/**
 * Quorum queues hold under any one fault at a time: a quorum queue with
 * three members, a confirming publisher of persistent messages and a
 * manually acknowledging consumer; generated workloads and schedules of
 * crashes, power losses and pauses of one node, and partitions (brokers and
 * clients alike), each undone before the next. No confirmed message is
 * lost, nothing unexpected is delivered, the members' Raft logs never
 * disagree on a committed message (divergence), and after healing the cluster
 * converges and the consumer drains the queue. Duplicate deliveries are
 * allowed (deliveries are not replicated: a new leader delivers every
 * unsettled message again) and counted: the suite asserts they happen.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCheckResults } from "../src/checks/format-check-results.js";
import { describeFault, type FaultSchedule } from "../src/faults/fault.js";
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

const schedules = oneFaultAtATime({
  nodeNames: ["r1", "r2", "r3"],
  partitionNodes: ["r1", "r2", "r3", "p1", "c1"],
  kinds: ["crash", "powerLoss", "pause", "partition"],
  horizonNs: 8 * SECOND,
  episodesMax: 4,
  durationNsMax: 4 * SECOND,
});

function quorumRun(seed: number, workload: Workload, faults: FaultSchedule): RabbitRunResult {
  return runRabbitMq({
    seed,
    cluster: { nodes: 3, queues: [{ name: "q", type: "quorum", durable: true }] },
    publishers: [{ name: "p1", exchange: "", routingKey: "q", mode: "confirm", ratePerSec: workload.ratePerSec, messageBytes: 200, batch: workload.batch, persistent: true, inFlightMax: 64 }],
    consumers: [{ name: "c1", queue: "q", prefetch: workload.prefetch, autoAck: false, processNsPerMessage: workload.processingMs * 1_000_000 }],
    faults,
    faultPhaseNs: 8 * SECOND,
    // A client on a node that lost power learns of it from AMQP heartbeats (heartbeat 60 s: up to 90 s).
    convergeNsMax: 150 * SECOND,
  });
}

describe("quorum queue, 3 members: one fault at a time", () => {
  it(`loses nothing confirmed, delivers nothing unexpected and converges (${RUNS} runs)`, () => {
    const stats = { runs: 0, acked: 0, runsWithDuplicates: 0, duplicated: 0, failovers: 0, faults: new Map<string, number>() };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), workloads, schedules, (seed, workload, faults) => {
        const result = quorumRun(seed, workload, faults);
        const where = `seed ${seed}, workload ${JSON.stringify(workload)}, faults:\n  ${faults.map(describeFault).join("\n  ")}`;
        expect(result.checks.some((c) => c.check === "divergence"), "the members' logs are checked").toBe(true);
        const broken = result.checks.filter((c) => (c.check === "lost" || c.check === "unexpected" || c.check === "divergence") && !c.ok);
        expect(broken, `${formatCheckResults(broken)}\n${where}`).toEqual([]);
        expect(result.liveness.isConverged, `${result.liveness.reasons.join("; ")}\n${where}`).toBe(true);
        const duplicated = result.checks.find((c) => c.check === "duplicated")!;
        stats.runs++;
        stats.acked += result.checks.find((c) => c.check === "lost")!.counts["acked"]!;
        stats.duplicated += duplicated.counts["duplicated"]!;
        if (!duplicated.ok) stats.runsWithDuplicates++;
        if ((result.marks.find(([m]) => m === "rabbit.quorum.leader-elected")?.[1] ?? 0) > 1) stats.failovers++;
        for (const fault of faults) stats.faults.set(fault.verb, (stats.faults.get(fault.verb) ?? 0) + 1);
      }),
      { numRuns: RUNS },
    );
    console.log(
      `quorum property: ${stats.runs} runs, ${stats.acked} messages confirmed, none lost; ${stats.failovers} runs with a leader change; ` +
        `${stats.runsWithDuplicates} runs with duplicate deliveries (${stats.duplicated} messages); faults ${JSON.stringify([...stats.faults])}`,
    );
    expect(stats.runs).toBe(RUNS);
    // The faults did happen, leaders did change, and at-least-once showed: duplicates are allowed, and real.
    for (const verb of ["processCrash", "powerLoss", "pause", "partition"]) expect(stats.faults.get(verb) ?? 0).toBeGreaterThan(5);
    expect(stats.failovers).toBeGreaterThan(5);
    expect(stats.runsWithDuplicates).toBeGreaterThan(0);
  });
});
