/**
 * Every row of every registered system's anomaly table (Kafka's K1, K2, K3,
 * K4, K12; RabbitMQ's R3, R4; see src/run/anomaly.ts), each three ways, by
 * one judge and one property:
 * 1. under the unsafe setting, fast-check finds the anomaly within the row's
 *    budget of generated fault schedules and shrinks it to at most 6 fault
 *    events; the test prints the shrunk schedule and its replay seed, and the
 *    very same schedule under the safe setting passes (and shows how the fix
 *    avoided the mechanism, where the row says);
 * 2. a fixed named scenario reproduces it, deterministically (same digest),
 *    and the safe setting passes the same faults;
 * 3. under the safe setting a search of its own finds nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeCounterexample, searchFaults } from "../src/faults/search.js";
import { anomalyCounterexample, anomalyProperty, judgeAnomaly } from "../src/run/anomaly.js";
import { SYSTEMS, systemNamed } from "../src/systems/index.js";

/** Generated runs of the safe counterpart's search. */
const SAFE_RUNS = 60;
const SHRUNK_FAULTS_MAX = 6;

const searchSeed = (): number => fc.readConfigureGlobal().seed ?? 0;

// Through the registry's lookup, every system's rows have the one shared type.
const ROWS = SYSTEMS.map((system) => systemNamed(system.name)).flatMap((system) => system.anomalies.map((anomaly) => [`${system.name} ${anomaly.id}`, anomaly] as const));

describe.each(ROWS)("%s", (name, anomaly) => {
  it(`is found under the unsafe setting and shrunk to at most ${SHRUNK_FAULTS_MAX} fault events; the safe setting passes that schedule`, () => {
    const found = anomalyCounterexample(anomaly, searchSeed());
    expect(found, `${name} not found in ${anomaly.search.findRunsMax} runs (search seed ${searchSeed()})`).not.toBeNull();
    console.log(`${name}: ${anomaly.title}\nfound after ${found!.runsToFind} runs, ${found!.shrinks} shrinks (search seed ${searchSeed()})\n${found!.text}`);
    expect(found!.faults.length).toBeLessThanOrEqual(SHRUNK_FAULTS_MAX);
    expect(found!.text).toContain(`replay seed: ${found!.seed}`);
    expect(judgeAnomaly(anomaly, anomaly.run("unsafe", found!.seed, found!.faults))).toMatchObject({ isAnomaly: true });
    // The fix, on the very schedule that broke the unsafe setting: it passes, converges, and shows why.
    expect(anomalyProperty(anomaly, "safe")(found!.seed, found!.faults)).toBeNull();
    if (anomaly.fixedBy !== undefined) expect(anomaly.fixedBy(anomaly.run("safe", found!.seed, found!.faults))).toBeNull();
  });

  it("reproduces deterministically as a named scenario", () => {
    const first = anomaly.run("unsafe", anomaly.named.seed, anomaly.named.faults);
    expect(judgeAnomaly(anomaly, first)).toMatchObject({ isAnomaly: true });
    expect(anomaly.run("unsafe", anomaly.named.seed, anomaly.named.faults).digest).toBe(first.digest);
    const safe = anomaly.run("safe", anomaly.named.seed, anomaly.named.faults);
    expect(judgeAnomaly(anomaly, safe).failed).toEqual([]);
  });

  it("is not found under the safe setting", () => {
    const search = searchFaults(anomalyProperty(anomaly, "safe"), { schedules: anomaly.schedules, numRuns: SAFE_RUNS, searchSeed: searchSeed() });
    expect(search.found, search.counterexample === null ? "" : describeCounterexample(search.counterexample)).toBe(false);
    expect(search.runsToFind).toBe(SAFE_RUNS);
  });
});
