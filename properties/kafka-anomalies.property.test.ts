/**
 * The Kafka rows of the anomaly table, K1, K2, K3, K4 and K12 (see
 * src/systems/kafka/anomalies.ts), each three ways:
 * 1. under the unsafe setting, fast-check finds the anomaly within a bounded
 *    number of generated fault schedules and shrinks it to at most 6 fault
 *    events; the test prints the shrunk schedule and its replay seed, and the
 *    same schedule under the safe setting loses nothing;
 * 2. a fixed named scenario reproduces it, deterministically (same digest);
 * 3. under the safe setting the same search finds nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeCounterexample, searchFaults } from "../src/faults/search.js";
import { anomalyProperty, anomalyRunSpec, judgeAnomalyRun, KAFKA_ANOMALIES } from "../src/systems/kafka/anomalies.js";
import { runKafka } from "../src/systems/kafka/run.js";

/** Generated runs the unsafe search may take to find the anomaly. */
const FIND_RUNS_MAX = 400;
/** Generated runs of the safe counterpart's search. */
const SAFE_RUNS = 60;
const SHRUNK_FAULTS_MAX = 6;

const searchSeed = (): number => fc.readConfigureGlobal().seed ?? 0;

describe.each(KAFKA_ANOMALIES.map((anomaly) => [anomaly.id, anomaly] as const))("%s", (id, anomaly) => {
  it(`is found under the unsafe setting and shrunk to at most ${SHRUNK_FAULTS_MAX} fault events`, () => {
    const search = searchFaults(anomalyProperty(anomaly, "unsafe"), { schedules: anomaly.schedules, numRuns: FIND_RUNS_MAX, searchSeed: searchSeed() });
    expect(search.found, `${id} not found in ${FIND_RUNS_MAX} runs (search seed ${search.searchSeed})`).toBe(true);
    const counterexample = search.counterexample!;
    console.log(`${id}: ${anomaly.title}\nfound after ${search.runsToFind} runs, ${search.shrinks} shrinks (search seed ${search.searchSeed}, path ${search.searchPath})\n${describeCounterexample(counterexample)}`);
    expect(counterexample.faults.length).toBeLessThanOrEqual(SHRUNK_FAULTS_MAX);
    // The fix, on the very schedule that broke the unsafe setting.
    expect(anomalyProperty(anomaly, "safe")(counterexample.seed, counterexample.faults)).toBeNull();
  });

  it("reproduces deterministically as a named scenario", () => {
    const spec = anomalyRunSpec(anomaly, "unsafe", anomaly.named.seed, anomaly.named.faults);
    const first = runKafka(spec);
    expect(judgeAnomalyRun(anomaly, first)).toMatchObject({ isAnomaly: true });
    expect(runKafka(anomalyRunSpec(anomaly, "unsafe", anomaly.named.seed, anomaly.named.faults)).digest).toBe(first.digest);
    const safe = runKafka(anomalyRunSpec(anomaly, "safe", anomaly.named.seed, anomaly.named.faults));
    expect(judgeAnomalyRun(anomaly, safe).failed).toEqual([]);
  });

  it("is not found under the safe setting", () => {
    const search = searchFaults(anomalyProperty(anomaly, "safe"), { schedules: anomaly.schedules, numRuns: SAFE_RUNS, searchSeed: searchSeed() });
    expect(search.found, search.counterexample === null ? "" : describeCounterexample(search.counterexample)).toBe(false);
    expect(search.runsToFind).toBe(SAFE_RUNS);
  });
});
