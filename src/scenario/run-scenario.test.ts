import { describe, expect, it } from "vitest";
import { formatProblems, validateScenario } from "./load.js";
import { presetNamed } from "./presets.js";
import { runScenario } from "./run-scenario.js";
import { nameBottleneck } from "../sweep/bottleneck.js";

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

describe("a RabbitMQ run's CPU in the summary", () => {
  it("reports each node's schedulers and busiest queue process, so a sweep names a CPU-bound node", () => {
    const loaded = validateScenario({
      system: "rabbitmq",
      version: "3.13",
      duration: "2s",
      cluster: { nodes: 3, cores: 1 },
      queues: [1, 2, 3].map((i) => ({ name: `q${i}`, type: "classic", node: `r${i}` })),
      publishers: [1, 2, 3].map((i) => ({ name: `p${i}`, routingKey: `q${i}`, rate: "20000/s", messageSize: "1KiB", inFlightMax: 500, hosts: [`r${i}`] })),
      checks: ["lost"],
    });
    if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
    const { summary } = runScenario(loaded.scenario);
    const schedulers = summary.threads!.filter((t) => t.thread === "schedulers");
    expect(schedulers.map((t) => t.node)).toEqual(["r1", "r2", "r3"]);
    expect(schedulers.every((t) => t.count === 1)).toBe(true);
    // One core per node for a channel and a queue process each offered 20,000 msg/s: the schedulers are the limit.
    expect(nameBottleneck(loaded.scenario, summary)).toMatch(/^r\d schedulers CPU \(\d+% of capacity/);
  });
});
