/**
 * (d) Values the schema accepts must run. Small valid scenarios, Kafka and
 * RabbitMQ, get a few fields set to edge values: zeros, the smallest and
 * largest each field takes, degenerate distributions (uniform of one value,
 * lognormal of sigma 5, normal of mean 0), rates of 0 and of a million per
 * second, one-nanosecond and one-minute latencies, 8 bps and 100 Tbps NICs,
 * 1 GiB messages. Each document is either refused clearly (as the loader's
 * other properties demand) or runs to a verdict: never an exception, never
 * an internal assertion (issue 19 found ten such values that crashed with
 * exit 70). Runs are held to a small event budget so that each takes
 * milliseconds; the budget is itself a field the scenario may set.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatProblems, validateScenario } from "../src/scenario/load.js";
import { runScenario } from "../src/scenario/run-scenario.js";
import { runsScaled } from "./fast-check-setup.js";

type Json = Record<string, any>;
type Edges = [(string | number)[], unknown[]][];

const KAFKA_BASE: Json = {
  system: "kafka",
  seed: 3,
  duration: "1s",
  cluster: { brokers: 3 },
  config: { "min.insync.replicas": 2 },
  topics: [{ name: "t", partitions: 2, replicationFactor: 3 }],
  producers: [{ topic: "t", rate: "200/s", messagesPerSend: 2, config: { acks: "all" } }],
  consumers: [{ group: "g", topics: ["t"], processingTime: "1ms" }],
  faults: [{ at: "300ms", verb: "processCrash", node: "b1" }],
  budgets: { maxEvents: 200_000, convergeWithin: "5s" },
};

const RABBIT_BASE: Json = {
  system: "rabbitmq",
  seed: 3,
  duration: "1s",
  cluster: { nodes: 3 },
  queues: [{ name: "q", type: "quorum", durable: true }],
  publishers: [{ routingKey: "q", mode: "confirm", rate: "200/s", inFlightMax: 100 }],
  consumers: [{ queue: "q", prefetch: 10, processingTime: "1ms" }],
  faults: [{ at: "300ms", verb: "processCrash", node: "r1" }],
  budgets: { maxEvents: 200_000, convergeWithin: "5s" },
};

/** Edge values of the fields both systems share: [path, values]. */
const SHARED_EDGES: Edges = [
  [["cluster", "latency"], [0, "1ns", "1min", "2min"]],
  [["cluster", "nic"], ["8bps", "7bps", "1Kbps", "100Tbps"]],
  [["cluster", "disk"], ["hdd", "nvme-plp"]],
  [["duration"], ["1ns", "1ms", 0]],
  [["budgets", "convergeWithin"], [0, "1ns", "1min"]],
  [["budgets", "maxEvents"], [1_000, 999]],
  [["seed"], [0, Number.MAX_SAFE_INTEGER, "x"]],
];

const KAFKA_EDGES: Edges = [
  [["producers", 0, "rate"], ["0/s", "0.001/s", "1M/s", { kind: "poisson", rate: "0/s" }, { kind: "poisson", rate: "0.0001/s" }, { kind: "piecewise", steps: [{ at: 0, rate: "0/s" }], poisson: true }, { kind: "piecewise", steps: [{ at: 0, rate: "0/s" }, { at: "500ms", rate: "1k/s" }] }]],
  [
    ["producers", 0, "messageSize"],
    [0, 1, "1GiB", "1025MiB", { kind: "uniform", min: 0, max: 0 }, { kind: "uniform", min: "2KiB", max: "1KiB" }, { kind: "exponential", mean: 0 }, { kind: "normal", mean: 0, stddev: "1GiB" }, { kind: "lognormal", median: 1, sigma: 5 }, { kind: "lognormal", median: "1GiB", sigma: 5 }, { kind: "lognormal", median: 0, sigma: 1 }],
  ],
  [["producers", 0, "messagesPerSend"], [1, 1_000_000]],
  [["producers", 0, "count"], [1, 100]],
  [["consumers", 0, "processingTime"], [0, "1min", { kind: "exponential", mean: 0 }, { kind: "normal", mean: 0, stddev: "10s" }, { kind: "lognormal", median: "1ns", sigma: 5 }, { kind: "uniform", min: "1s", max: "1ms" }]],
  [["consumers", 0, "maxRate"], ["0.001/s", "1M/s", "0/s"]],
  [["consumers", 0, "startAt"], [0, "999ms"]],
  [["consumers", 0, "count"], [1, 100]],
  [["topics", 0, "partitions"], [1, 500]],
  [["cluster", "brokers"], [3, 64]],
  [["services"], [[{ name: "s", latency: 0 }], [{ name: "s", latency: { kind: "lognormal", median: "1ns", sigma: 5 }, capacity: "0.001/s" }], [{ name: "s", latency: "1ms", capacity: 0 }]]],
  [["faults"], [[], [{ at: 0, verb: "powerLoss", node: "b1" }], [{ at: "999999999ns", verb: "partition", spec: { kind: "isolate", nodes: ["b1", "controller"] } }]]],
];

const RABBIT_EDGES: Edges = [
  [["publishers", 0, "rate"], ["0.001/s", "1M/s", "0/s"]],
  [["publishers", 0, "messageSize"], [1, "1GiB", 0, "2GiB"]],
  [["publishers", 0, "batch"], [1, 100_000]],
  [["publishers", 0, "inFlightMax"], [0, 1_000_000]],
  [["publishers", 0, "mode"], ["tx", "none"]],
  [["consumers", 0, "processingTime"], [0, "1min"]],
  [["consumers", 0, "prefetch"], [0, 65_535]],
  [["queues", 0, "type"], ["classic"]],
  [["cluster", "nodes"], [1, 64]],
];

function setAt(document: Json, path: readonly (string | number)[], value: unknown): void {
  let target: any = document;
  for (const key of path.slice(0, -1)) target = target[key];
  target[path[path.length - 1]!] = structuredClone(value);
}

/** A document with one to four fields set to edge values of its system. */
function editedDocuments(base: Json, edges: Edges): fc.Arbitrary<{ document: Json; edits: string }> {
  const edit = fc.constantFrom(...edges).chain(([path, values]) => fc.constantFrom(...values).map((value) => ({ path, value })));
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    const document = structuredClone(base);
    for (const { path, value } of edits) setAt(document, path, value);
    return { document, edits: edits.map(({ path, value }) => `${path.join(".")} = ${JSON.stringify(value)}`).join("; ") };
  });
}

/** Keeps a test run short without leaving the schema: an accepted scenario's own budgets, cut down. */
function withSmallBudgets(document: Json): Json {
  const budgets = document["budgets"] ?? {};
  return { ...document, budgets: { ...budgets, maxEvents: Math.min(budgets.maxEvents ?? 200_000, 200_000) } };
}

function assertRunsOrIsRefused(base: Json, edges: Edges, numRuns: number): { refused: number; ran: number } {
  const tally = { refused: 0, ran: 0 };
  fc.assert(
    fc.property(editedDocuments(base, edges), ({ document, edits }) => {
      const loaded = validateScenario(withSmallBudgets(document));
      if (!loaded.ok) {
        tally.refused++;
        for (const problem of loaded.problems) expect(problem.message, `${edits}\n${formatProblems(loaded.problems)}`).toMatch(/^expected|^missing; expected|^unknown key/);
        return;
      }
      tally.ran++;
      // Any verdict is fine; an exception (a SimulatorBug included) is not.
      const run = runScenario(loaded.scenario);
      expect(["ok", "safety-failed", "liveness-failed"], edits).toContain(run.summary.verdict);
    }),
    { numRuns },
  );
  return tally;
}

describe("(d) schema-valid edge values", () => {
  it("Kafka: every document with edge values is refused clearly or runs to a verdict", () => {
    const tally = assertRunsOrIsRefused(KAFKA_BASE, [...SHARED_EDGES, ...KAFKA_EDGES], runsScaled(150));
    // Both outcomes must occur, or the property proves nothing about one of them.
    expect(tally.refused).toBeGreaterThan(0);
    expect(tally.ran).toBeGreaterThan(0);
  });

  it("RabbitMQ: every document with edge values is refused clearly or runs to a verdict", () => {
    const tally = assertRunsOrIsRefused(RABBIT_BASE, [...SHARED_EDGES, ...RABBIT_EDGES], runsScaled(100));
    expect(tally.refused).toBeGreaterThan(0);
    expect(tally.ran).toBeGreaterThan(0);
  });
});
