import { describe, expect, it } from "vitest";
import { formatProblems, validateScenario } from "./load.js";
import { presetNamed } from "./presets.js";
import { runScenario } from "./run-scenario.js";

function run(document: Record<string, unknown>) {
  const loaded = validateScenario(document);
  if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
  return runScenario(loaded.scenario).summary;
}

const SLOW_CONSUMER = {
  system: "kafka",
  name: "slow-consumer",
  seed: 4,
  duration: "5s",
  cluster: { brokers: 3 },
  topics: [{ name: "t", partitions: 2, replicationFactor: 3 }],
  producers: [{ topic: "t", rate: "400/s", config: { acks: "all", "linger.ms": 0 } }],
  consumers: [{ group: "g", topics: ["t"], processingTime: "50ms", commit: "after-process" }],
  checks: ["lost", "lost-effects"],
  budgets: { convergeWithin: "5s" },
};

describe("a run's verdict", () => {
  it("is liveness-failed, not safety-failed, when a consumer group is merely too slow to drain in time", () => {
    const summary = run(SLOW_CONSUMER);
    expect(summary.liveness.isConverged).toBe(false);
    expect(summary.checks.find((check) => check.check === "lost-effects")!.ok).toBe(false);
    expect(summary.verdict).toBe("liveness-failed");
  });

  it("is ok once the group has the time to drain", () => {
    expect(run({ ...SLOW_CONSUMER, budgets: { convergeWithin: "10m" } }).verdict).toBe("ok");
  });

  it("is safety-failed when messages were skipped, even if the run also failed to converge (K12: commit before processing, a crash)", () => {
    const k12 = presetNamed("k12")!.document;
    const summary = run({ ...k12, budgets: { convergeWithin: "2s" } });
    expect(summary.liveness.isConverged).toBe(false);
    expect(summary.checks.find((check) => check.check === "lost-effects")!.counts!["skipped"]).toBeGreaterThan(0);
    expect(summary.verdict).toBe("safety-failed");
  });
});
