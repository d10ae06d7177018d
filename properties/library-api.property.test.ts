/**
 * The README's example of a custom property written with the library API
 * (src/index.ts): take a preset, vary its workload and faults with the
 * exported arbitraries, run each with runScenario and assert on the verdict.
 * Kept as a test so the example cannot rot.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertChecksHold, faultScheduleArbitrary, formatProblems, presetDocument, producerWorkloadArbitrary, runScenario, scenarioFaults, validateScenario } from "../src/index.js";

describe("library API: a custom property", () => {
  it("acks=all with min.insync.replicas=2 loses nothing acknowledged, whatever the workload and the crashes", () => {
    const base = presetDocument("c9-replication-failover");
    const producers = producerWorkloadArbitrary({ topic: "orders", rateMax: 300 }).map((producer) => ({ ...producer, config: { ...producer.config, acks: "all" as const } }));
    const faults = faultScheduleArbitrary({ nodeNames: ["b1", "b2", "b3"], horizonNs: "5s", faultsMax: 4, verbs: ["processCrash", "restart", "pause", "resume"] });
    fc.assert(
      fc.property(fc.nat(1_000), producers, faults, (seed, producer, schedule) => {
        const document = {
          ...base,
          seed,
          duration: "5s",
          producers: [producer],
          faults: scenarioFaults(schedule),
          checks: ["lost", "divergence"],
        };
        const loaded = validateScenario(document);
        if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
        assertChecksHold(runScenario(loaded.scenario).summary);
      }),
      { numRuns: 25 },
    );
  });

  it("with acks=1 fast-check finds a loss, and the failure names the check that failed", () => {
    const base = presetDocument("c9-replication-failover");
    const producers = producerWorkloadArbitrary({ topic: "orders", rateMax: 300 }).map((producer) => ({ ...producer, config: { ...producer.config, acks: "1" as const, "enable.idempotence": false } }));
    const faults = faultScheduleArbitrary({ nodeNames: ["b1", "b2", "b3"], horizonNs: "5s", faultsMax: 4, verbs: ["processCrash", "restart", "pause", "resume"] });
    const result = fc.check(
      fc.property(fc.nat(1_000), producers, faults, (seed, producer, schedule) => {
        const loaded = validateScenario({ ...base, seed, duration: "5s", producers: [producer], faults: scenarioFaults(schedule), checks: ["lost", "divergence"] });
        if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
        assertChecksHold(runScenario(loaded.scenario).summary);
      }),
      { numRuns: 200, seed: 11, endOnFailure: true },
    );
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).toMatch(/checks? failed in c9-replication-failover \(seed \d+\):\n {2}(lost|divergence): /);
  });
});
