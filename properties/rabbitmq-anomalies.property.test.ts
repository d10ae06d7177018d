/**
 * The RabbitMQ rows of the anomaly table, R3 and R4 (see
 * src/systems/rabbitmq/anomalies.ts), each three ways:
 * 1. under the unsafe policy, fast-check finds the anomaly within a bounded
 *    number of generated crash/restart schedules and shrinks it to at most 6
 *    fault events; the test prints the shrunk schedule and its replay seed
 *    (rabbitAnomalyCounterexamples returns the same text for presets), and
 *    the very same schedule under the safe policy loses nothing;
 * 2. a fixed named scenario reproduces it, deterministically (same digest);
 * 3. under the safe policy a search of its own finds nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeCounterexample, searchFaults } from "../src/faults/search.js";
import {
  judgeRabbitAnomalyRun,
  mirrorPromotions,
  RABBIT_ANOMALIES,
  RABBIT_FIND_RUNS_MAX,
  rabbitAnomalyCounterexamples,
  rabbitAnomalyProperty,
  rabbitAnomalyRunSpec,
} from "../src/systems/rabbitmq/anomalies.js";
import { runRabbitMq } from "../src/systems/rabbitmq/run.js";

const SAFE_RUNS = 60;
const SHRUNK_FAULTS_MAX = 6;

const searchSeed = (): number => fc.readConfigureGlobal().seed ?? 0;
const lostCount = (result: ReturnType<typeof runRabbitMq>): number => result.checks.find((c) => c.check === "lost")!.counts["lost"]!;

describe.each(RABBIT_ANOMALIES.map((anomaly) => [anomaly.id, anomaly] as const))("%s", (id, anomaly) => {
  it(`is found under the unsafe policy and shrunk to at most ${SHRUNK_FAULTS_MAX} fault events; the safe policy passes that schedule`, () => {
    const [found] = rabbitAnomalyCounterexamples(searchSeed(), [id]);
    expect(found, `${id} not found in ${RABBIT_FIND_RUNS_MAX} runs (search seed ${searchSeed()})`).toBeDefined();
    console.log(`${id}: ${anomaly.title}\nfound after ${found!.runsToFind} runs, ${found!.shrinks} shrinks (search seed ${searchSeed()})\n${found!.text}`);
    expect(found!.faults.length).toBeLessThanOrEqual(SHRUNK_FAULTS_MAX);
    expect(found!.text).toContain(`replay seed: ${found!.seed}`);
    // Replays: the unsafe policy loses messages through an unsynchronised mirror's promotion...
    const unsafe = runRabbitMq(rabbitAnomalyRunSpec(anomaly, "unsafe", found!.seed, found!.faults));
    expect(judgeRabbitAnomalyRun(anomaly, unsafe)).toMatchObject({ isAnomaly: true, failed: ["lost"] });
    expect(lostCount(unsafe)).toBeGreaterThan(0);
    // ...and the fix, on the very schedule that broke it, loses nothing and converges.
    expect(rabbitAnomalyProperty(anomaly, "safe")(found!.seed, found!.faults)).toBeNull();
    const safe = runRabbitMq(rabbitAnomalyRunSpec(anomaly, "safe", found!.seed, found!.faults));
    if (id === "R3") {
      // Automatic synchronisation: whoever was promoted was synchronised.
      expect(mirrorPromotions(safe).every((p) => p.isSynced)).toBe(true);
    } else {
      // when-synced: nobody was promoted; the queue waited for its master.
      expect(mirrorPromotions(safe)).toEqual([]);
      expect(safe.marks.find(([m]) => m === "rabbit.mirror.not-promoted")?.[1] ?? 0).toBeGreaterThan(0);
    }
  });

  it("reproduces deterministically as a named scenario", () => {
    const spec = rabbitAnomalyRunSpec(anomaly, "unsafe", anomaly.named.seed, anomaly.named.faults);
    const first = runRabbitMq(spec);
    expect(judgeRabbitAnomalyRun(anomaly, first)).toMatchObject({ isAnomaly: true });
    // Every message published before the unsynchronised mirror joined: hundreds (R3 loses 3 s of them, R4 2 s).
    expect(lostCount(first)).toBeGreaterThan(150);
    expect(runRabbitMq(rabbitAnomalyRunSpec(anomaly, "unsafe", anomaly.named.seed, anomaly.named.faults)).digest).toBe(first.digest);
    const safe = runRabbitMq(rabbitAnomalyRunSpec(anomaly, "safe", anomaly.named.seed, anomaly.named.faults));
    expect(judgeRabbitAnomalyRun(anomaly, safe).failed).toEqual([]);
    expect(safe.liveness.isConverged).toBe(true);
  });

  it("is not found under the safe policy", () => {
    const search = searchFaults(rabbitAnomalyProperty(anomaly, "safe"), { schedules: anomaly.schedules, numRuns: SAFE_RUNS, searchSeed: searchSeed() });
    expect(search.found, search.counterexample === null ? "" : describeCounterexample(search.counterexample)).toBe(false);
    expect(search.runsToFind).toBe(SAFE_RUNS);
  });
});
