/**
 * The estimate that admits or refuses a scenario must track what runs take:
 * measured against real runs of presets of both systems, it may err high
 * (it refuses on the safe side) but within a factor that keeps ordinary
 * scenarios admitted, and never far low.
 */
import { describe, expect, it } from "vitest";
import { formatProblems, loadScenarioText, validateScenario } from "./load.js";
import { presetNamed } from "./presets.js";
import { runScenario } from "./run-scenario.js";
import { systemNamed } from "../systems/index.js";
import type { Scenario } from "./schema.js";

function estimateRun(scenario: Scenario) {
  return systemNamed(scenario.system).estimateRun(scenario);
}

function preset(name: string) {
  const loaded = validateScenario(presetNamed(name)!.document);
  if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
  return loaded.scenario;
}

describe("estimateRun", () => {
  for (const name of ["c9-replication-failover", "c1-fan-out", "c7-mirror-all-5", "c14-confirms", "r3-safe"]) {
    it(`${name}: events and history records within [0.6, 3] times what the run takes`, () => {
      const scenario = preset(name);
      const estimate = estimateRun(scenario);
      const { result } = runScenario(scenario);
      const eventsRatio = estimate.events / result.events;
      const recordsRatio = estimate.historyRecords / result.history.length;
      expect(eventsRatio, `events: estimated ${estimate.events}, took ${result.events}`).toBeGreaterThan(0.6);
      expect(eventsRatio, `events: estimated ${estimate.events}, took ${result.events}`).toBeLessThan(3);
      expect(recordsRatio, `records: estimated ${estimate.historyRecords}, kept ${result.history.length}`).toBeGreaterThan(0.6);
      expect(recordsRatio, `records: estimated ${estimate.historyRecords}, kept ${result.history.length}`).toBeLessThan(3);
    });
  }

  it("counts background work that goes on however little is sent: idle fetch loops over 100 days", () => {
    const loaded = loadScenarioText(
      ["system: kafka", "duration: 100d", "cluster: { brokers: 3 }", "topics: [{ name: t, partitions: 6, replicationFactor: 3 }]", "producers: [{ topic: t, rate: 0/s }]", "budgets: { maxEvents: 10000000000, maxMemory: 2GiB }"].join("\n"),
    );
    if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
    const estimate = estimateRun(loaded.scenario);
    expect(estimate.batches).toBe(0);
    // 12 follower fetch loops at ~6 events a second for 8.64 million seconds.
    expect(estimate.backgroundEvents).toBeGreaterThan(5e8);
    expect(estimate.events).toBe(estimate.backgroundEvents);
  });
});
