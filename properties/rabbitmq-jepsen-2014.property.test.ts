/**
 * Jepsen's 2014 RabbitMQ result as a property search (Kyle Kingsbury, "Call
 * me maybe: RabbitMQ", aphyr.com/posts/315): five nodes, a durable queue
 * mirrored to three of them with automatic synchronisation, publisher
 * confirms, persistent messages, cluster_partition_handling pause_minority;
 * the network split into random halves (two nodes against three) for 60 s
 * and healed for 60 s, several times; then drained.
 *
 * - Mirrored queue: fast-check finds a schedule that loses confirmed
 *   messages (the minority master drops its unreachable mirrors at nodedown
 *   and confirms with the ones beside it; the majority has promoted a mirror
 *   without them; the paused minority comes back empty). The search stops
 *   at the first counterexample rather than shrinking it: each run is ten
 *   minutes of virtual time, and the preset jepsen-2014 holds a fixed one.
 * - Quorum queue: the same kind of schedules lose nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeFault, type FaultSchedule, type TimedFault } from "../src/faults/fault.js";
import { runRabbitMq, type RabbitRunResult } from "../src/systems/rabbitmq/run.js";

const SECOND = 1_000_000_000;
const NODES = ["r1", "r2", "r3", "r4", "r5"];
const SPLIT_NS = 60 * SECOND;
const HEALED_NS = 60 * SECOND;
const FIND_RUNS_MAX = 12;
const SAFE_RUNS = 6;

/** 3 to 5 cycles of a random-halves split (Jepsen's partition-random-halves), after a first quiet stretch. */
const schedules: fc.Arbitrary<FaultSchedule> = fc
  .record({
    startNs: fc.integer({ min: 10, max: 40 }).map((s) => s * SECOND),
    halves: fc.array(fc.shuffledSubarray(NODES, { minLength: NODES.length, maxLength: NODES.length }), { minLength: 3, maxLength: 5 }),
  })
  .map(({ startNs, halves }) => {
    const faults: TimedFault[] = [];
    halves.forEach((order, cycle) => {
      const atNs = startNs + cycle * (SPLIT_NS + HEALED_NS);
      faults.push({ atNs, verb: "partition", spec: { kind: "total", groups: [order.slice(0, 2), order.slice(2)] } }, { atNs: atNs + SPLIT_NS, verb: "heal" });
    });
    return faults;
  });

function run(queue: "mirrored" | "quorum", seed: number, faults: FaultSchedule): RabbitRunResult {
  const lastNs = faults[faults.length - 1]!.atNs;
  return runRabbitMq({
    seed,
    cluster: {
      nodes: 5,
      queues: [{ name: "jepsen", type: queue === "mirrored" ? "classic" : "quorum", durable: true, node: "r1" }],
      ...(queue === "mirrored" ? { policies: [{ name: "ha", pattern: "^jepsen$", definition: { "ha-mode": "exactly" as const, "ha-params": 3, "ha-sync-mode": "automatic" as const } }] } : {}),
      config: { version: queue === "mirrored" ? "3.13" : "4.x", cluster_partition_handling: "pause_minority" },
    },
    publishers: NODES.map((_, k) => ({ name: `p${k + 1}`, exchange: "", routingKey: "jepsen", mode: "confirm" as const, ratePerSec: 10, messageBytes: 100, batch: 1, persistent: true, inFlightMax: 20 })),
    faults,
    faultPhaseNs: lastNs + 30 * SECOND,
    convergeNsMax: 600 * SECOND,
  });
}

const lostOf = (result: RabbitRunResult): number => result.checks.find((c) => c.check === "lost")!.counts["lost"] ?? 0;

describe("Jepsen 2014: random-halves partitions, pause_minority, confirms", () => {
  it(`a mirrored queue (ha-mode exactly 3, automatic sync) loses confirmed messages: found within ${FIND_RUNS_MAX} runs`, () => {
    const details = fc.check(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), schedules, (seed, faults) => lostOf(run("mirrored", seed, faults)) === 0),
      { numRuns: FIND_RUNS_MAX, endOnFailure: true },
    );
    expect(details.failed, `no loss in ${details.numRuns} runs`).toBe(true);
    const [seed, faults] = details.counterexample!;
    const replayed = run("mirrored", seed, faults);
    console.log(`Jepsen 2014, mirrored: ${lostOf(replayed)} confirmed messages lost after ${details.numRuns} runs (seed ${seed}):\n  ${faults.map(describeFault).join("\n  ")}`);
    expect(lostOf(replayed)).toBeGreaterThan(0);
    // The same schedule on a quorum queue loses nothing.
    expect(lostOf(run("quorum", seed, faults))).toBe(0);
  });

  it(`a quorum queue under the same kind of schedules loses nothing (${SAFE_RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), schedules, (seed, faults) => {
        const result = run("quorum", seed, faults);
        const broken = result.checks.filter((c) => (c.check === "lost" || c.check === "unexpected") && !c.ok);
        expect(broken.map((c) => c.check), faults.map(describeFault).join("\n")).toEqual([]);
        expect(result.liveness.isConverged).toBe(true);
      }),
      { numRuns: SAFE_RUNS },
    );
  });
});
