/**
 * The README's example of a custom property written with the library API
 * (src/index.ts): take a preset, vary its workload and faults with the
 * exported arbitraries, run each with runScenario and assert on the verdict.
 * Kept as a test so the example cannot rot.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { faultScheduleArbitrary, formatProblems, presetDocument, producerWorkloadArbitrary, runScenario, validateScenario } from "../src/index.js";

describe("library API: a custom property", () => {
  it("acks=all with min.insync.replicas=2 loses nothing acknowledged, whatever the workload and the crashes", () => {
    const base = presetDocument("c9-replication-failover");
    const producers = producerWorkloadArbitrary({ topic: "orders", rateMax: 300 }).map((producer) => ({ ...producer, config: { ...producer.config, acks: "all" as const } }));
    const faults = faultScheduleArbitrary({ nodeNames: ["b1", "b2", "b3"], horizonNs: 5e9, faultsMax: 4, verbs: ["processCrash", "restart", "pause", "resume"] });
    fc.assert(
      fc.property(fc.nat(1_000), producers, faults, (seed, producer, schedule) => {
        const document = {
          ...base,
          seed,
          duration: "5s",
          producers: [producer],
          faults: schedule.map(({ atNs, ...fault }) => ({ at: `${atNs}ns`, ...fault })),
          checks: ["lost", "divergence"],
        };
        const loaded = validateScenario(document);
        if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
        const { summary } = runScenario(loaded.scenario);
        expect(summary.checks.filter((check) => !check.ok).map((check) => check.line)).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});
