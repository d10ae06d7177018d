import { afterEach, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { formatPath, formatProblems, loadScenarioText, preview, SCENARIO_PROBLEMS_MAX, SCENARIO_TEXT_MAX_CHARS, validateScenario, type ScenarioLoad, type ScenarioProblem } from "./load.js";
import type { KafkaScenario } from "../systems/kafka/scenario-schema.js";
import { FAILOVER_SCENARIO, MINIMAL_SCENARIO_YAML, SWEEP_SCENARIO_YAML } from "./scenario-fixtures.js";

/** The scenario of a load that must have succeeded, as Kafka's. */
function kafkaOf(load: ScenarioLoad): KafkaScenario {
  if (!load.ok || load.scenario.system !== "kafka") throw new Error(load.ok ? "expected a kafka scenario" : formatProblems(load.problems));
  return load.scenario;
}

/** FAILOVER_SCENARIO with `change` applied to a deep copy. */
function failoverWith(change: (doc: Record<string, any>) => void): string {
  const doc = structuredClone(FAILOVER_SCENARIO) as Record<string, any>;
  change(doc);
  return JSON.stringify(doc);
}

function problemsOf(load: ScenarioLoad): ScenarioProblem[] {
  if (load.ok) throw new Error("expected the document to be refused, but it loaded");
  return load.problems;
}

/** The only problem of a refused document. */
function onlyProblem(text: string): ScenarioProblem {
  const problems = problemsOf(loadScenarioText(text));
  expect(problems, formatProblems(problems)).toHaveLength(1);
  return problems[0]!;
}

describe("valid documents", () => {
  it("load as YAML and as JSON, with defaults filled in", () => {
    const minimal = loadScenarioText(MINIMAL_SCENARIO_YAML);
    expect(minimal.ok && minimal.scenario.cluster).toEqual({ brokers: 3, cpuSpeed: 1, disk: "nvme", nic: 1_250_000_000, latency: 150_000 });
    expect(minimal.ok && minimal.scenario.duration).toBe(30_000_000_000);
    expect(kafkaOf(minimal).producers[0]!.rate).toEqual({ kind: "constant", perSecond: 1_000 });

    const failover = loadScenarioText(JSON.stringify(FAILOVER_SCENARIO, null, 2));
    expect(failover.ok, failover.ok ? "" : formatProblems(failover.problems)).toBe(true);
    expect(failover.ok && failover.scenario.faults.map((fault) => fault.verb)).toEqual(["processCrash", "restart", "partition", "heal", "slowDisk", "healAll"]);
    expect(kafkaOf(failover).producers[0]!.config.acks).toBe("all");

    const sweep = loadScenarioText(SWEEP_SCENARIO_YAML);
    expect(sweep.ok, sweep.ok ? "" : formatProblems(sweep.problems)).toBe(true);
    expect(kafkaOf(sweep).producers[0]!.rate).toEqual({
      kind: "piecewise",
      steps: [
        { atNs: 0, perSecond: 1_000 },
        { atNs: 30_000_000_000, perSecond: 10_000 },
        { atNs: 90_000_000_000, perSecond: 2_000 },
      ],
      poisson: false,
    });
    expect(sweep.ok && sweep.scenario.sweep).toEqual({ 'producers[0].config["linger.ms"]': [0, 5, 50] });
  });

  it("load the same from YAML and from JSON", () => {
    const fromJson = loadScenarioText(JSON.stringify(FAILOVER_SCENARIO));
    const fromYaml = loadScenarioText(stringify(FAILOVER_SCENARIO));
    expect(fromYaml).toEqual(fromJson);
  });

  it("may write a zero duration as a plain number (YAML reads `at: 0` as one), but no other", () => {
    expect(loadScenarioText(failoverWith((doc) => (doc["consumers"][1].startAt = 0))).ok).toBe(true);
    const problem = onlyProblem(failoverWith((doc) => (doc["consumers"][1].startAt = 10)));
    expect(problem).toEqual({ path: "consumers[1].startAt", message: 'expected a duration such as "250ms" (with its unit: a plain number other than 0 is ambiguous)', given: "10" });
  });
});

describe("formatPath", () => {
  it("dots plain words, brackets indices and any other key", () => {
    expect(formatPath(["producers", 0, "config", "linger.ms"])).toBe('producers[0].config["linger.ms"]');
    expect(formatPath([])).toBe("");
    expect(formatPath(["cluster", "brokers"])).toBe("cluster.brokers");
    expect(formatPath(["sweep", "a b", "0"])).toBe('sweep["a b"]["0"]');
    expect(formatPath(["x".repeat(200)])).toBe(`["${"x".repeat(79)}…"]`);
  });
});

describe("problem messages: each at its exact path, saying what was expected and showing what was given", () => {
  it("a value of the wrong type", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["cluster"].brokers = "3")))).toEqual({ path: "cluster.brokers", message: 'expected a number, got "3"', given: '"3"' });
    expect(onlyProblem(failoverWith((doc) => (doc["topics"] = { name: "orders" })))).toEqual({ path: "topics", message: "expected a list, got a mapping", given: '{"name":"orders"}' });
    expect(onlyProblem(failoverWith((doc) => (doc["producers"][0].config["enable.idempotence"] = "yes")))).toEqual({
      path: 'producers[0].config["enable.idempotence"]',
      message: 'expected true or false, got "yes"',
      given: '"yes"',
    });
  });

  it("a fraction where an integer is expected, NaN and infinities from YAML", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["topics"][1].partitions = 1.5)))).toEqual({ path: "topics[1].partitions", message: "expected an integer, got 1.5", given: "1.5" });
    const problems = problemsOf(loadScenarioText("system: kafka\nduration: 1s\ncluster: {brokers: .nan}\ntopics: [{name: a, partitions: -.inf, replicationFactor: 1}]\n"));
    expect(problems).toEqual([
      { path: "cluster.brokers", message: "expected a number, got NaN", given: "NaN" },
      { path: "topics[0].partitions", message: "expected a number, got -Infinity", given: "-Infinity" },
    ]);
  });

  it("a missing required field", () => {
    expect(onlyProblem(failoverWith((doc) => delete doc["duration"]))).toEqual({ path: "duration", message: 'missing; expected a duration such as "250ms"' });
    expect(onlyProblem(failoverWith((doc) => delete doc["topics"][0].replicationFactor))).toEqual({ path: "topics[0].replicationFactor", message: "missing; expected a number" });
    expect(onlyProblem(failoverWith((doc) => delete doc["system"]))).toEqual({ path: "system", message: 'missing; expected system: "kafka" or "rabbitmq" or "rocketmq" or "activemq" (the systems modelled so far)' });
  });

  it("a number out of range, reporting only the tightest bound", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["cluster"].brokers = 0)))).toEqual({ path: "cluster.brokers", message: "expected at least 1", given: "0" });
    expect(onlyProblem(failoverWith((doc) => (doc["cluster"].brokers = 1e308)))).toEqual({ path: "cluster.brokers", message: "expected at most 64", given: "1e+308" });
    expect(onlyProblem(failoverWith((doc) => (doc["cluster"].brokers = 2 ** 53 + 2)))).toEqual({ path: "cluster.brokers", message: "expected at most 64", given: "9007199254740994" });
    expect(onlyProblem(failoverWith((doc) => (doc["producers"][0].config["linger.ms"] = -1)))).toEqual({ path: 'producers[0].config["linger.ms"]', message: "expected at least 0", given: "-1" });
  });

  it("a string or list of the wrong length", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["description"] = "x".repeat(10_001))))).toEqual({ path: "description", message: "expected at most 10000 characters", given: `"${"x".repeat(78)}…` });
    expect(onlyProblem(failoverWith((doc) => (doc["topics"] = [])))).toEqual({ path: "topics", message: "expected at least 1 item", given: "[]" });
    expect(onlyProblem(failoverWith((doc) => (doc["consumers"][0].topics = [])))).toEqual({ path: "consumers[0].topics", message: "expected at least 1 item", given: "[]" });
  });

  it("a value outside an enumeration", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["cluster"].disk = "ssd")))).toEqual({ path: "cluster.disk", message: 'expected one of "hdd", "sata-ssd", "nvme", "nvme-plp"', given: '"ssd"' });
    expect(onlyProblem(failoverWith((doc) => (doc["checks"] = ["lost", "nope"])))).toMatchObject({ path: "checks[1]", given: '"nope"' });
    expect(onlyProblem(failoverWith((doc) => (doc["producers"][1].config.acks = 2)))).toEqual({ path: "producers[1].config.acks", message: 'expected acks 0, 1 or "all" (or -1)', given: "2" });
  });

  it("a name that is not a name", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["topics"][1].name = "audit log")))).toEqual({
      path: "topics[1].name",
      message: "expected a name of letters, digits, '.', '_' or '-' (at most 64)",
      given: '"audit log"',
    });
  });

  it("an unknown key, at the key's own path, with the value given and the key probably meant", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["producers"][0].config["lingr.ms"] = 3)))).toEqual({
      path: 'producers[0].config["lingr.ms"]',
      message:
        'unknown key "lingr.ms" (did you mean "linger.ms"?): expected one of acks, linger.ms, batch.size, max.request.size, send.buffer.bytes, buffer.memory, max.block.ms, retries, retry.backoff.ms, request.timeout.ms, delivery.timeout.ms, max.in.flight.requests.per.connection, enable.idempotence, metadata.max.age.ms',
      given: "3",
    });
    const problems = problemsOf(loadScenarioText(failoverWith((doc) => Object.assign(doc, { topic: [], extra: { deep: [1] } }))));
    expect(problems.map((problem) => [problem.path, problem.given])).toEqual([
      ["topic", "[]"],
      ["extra", '{"deep":[1]}'],
    ]);
    expect(problems[0]!.message).toMatch(/^unknown key "topic" \(did you mean "topics"\?\): expected one of system, name, /);
    expect(problems[1]!.message).not.toContain("did you mean");
  });

  it("an unknown key inside a fault or a partition spec, not a vague 'no form matched'", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["faults"][0].nodes = "b2")))).toEqual({
      path: "faults[0].nodes",
      message: 'unknown key "nodes" (did you mean "node"?): expected one of at, verb, node',
      given: '"b2"',
    });
    expect(onlyProblem(failoverWith((doc) => delete doc["faults"][0].node))).toEqual({ path: "faults[0].node", message: "missing; expected a string" });
  });

  it("the wrong system, a fault verb or a partition kind that does not exist", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["system"] = "pulsar")))).toEqual({ path: "system", message: 'expected system: "kafka" or "rabbitmq" or "rocketmq" or "activemq" (the systems modelled so far)', given: '"pulsar"' });
    expect(onlyProblem(failoverWith((doc) => (doc["faults"][0].verb = "explode")))).toMatchObject({ path: "faults[0].verb", message: expect.stringMatching(/^expected a fault \{ at, verb, … \}: verb processCrash/), given: '"explode"' });
    expect(onlyProblem(failoverWith((doc) => (doc["faults"][2].spec.kind = "island")))).toMatchObject({ path: "faults[2].spec.kind", message: expect.stringMatching(/^expected a partition/), given: '"island"' });
  });

  it("a value with a unit that does not read", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["duration"] = "-5ms")))).toEqual({ path: "duration", message: 'expected a duration such as "250ms" (not negative)', given: '"-5ms"' });
    expect(onlyProblem(failoverWith((doc) => (doc["duration"] = "10 parsecs")))).toEqual({ path: "duration", message: 'expected a duration such as "250ms"', given: '"10 parsecs"' });
    expect(onlyProblem(failoverWith((doc) => (doc["duration"] = "1e9999s")))).toEqual({ path: "duration", message: 'expected a duration such as "250ms"', given: '"1e9999s"' });
    expect(onlyProblem(failoverWith((doc) => (doc["duration"] = "9".repeat(100) + "s")))).toMatchObject({ path: "duration", message: 'expected a duration such as "250ms" (at most 64 characters)' });
    expect(onlyProblem(failoverWith((doc) => (doc["cluster"].nic = 10)))).toEqual({ path: "cluster.nic", message: 'expected a bandwidth of at least 8bps (one byte per second) such as "10Gbps"', given: "10" });
    expect(onlyProblem(failoverWith((doc) => (doc["producers"][1].messageSize = -1)))).toEqual({
      path: "producers[1].messageSize",
      message: 'expected a value such as "1KiB", or { kind: constant | uniform | exponential | lognormal | normal, … }',
      given: "-1",
    });
  });

  it("a rate or distribution in a known form with a bad field: the field itself", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["producers"][0].rate = { kind: "poisson", rate: "fast" })))).toEqual({
      path: "producers[0].rate.rate",
      message: 'expected a rate such as "5k/s" or a number per second',
      given: '"fast"',
    });
    expect(onlyProblem(failoverWith((doc) => (doc["producers"][0].messageSize = { kind: "uniform", min: "1KiB" })))).toEqual({
      path: "producers[0].messageSize.max",
      message: 'missing; expected a size such as "1KiB" or a number of bytes',
    });
  });

  it("values that parse but no run could use (issue 19): the field, what it takes, what was given", () => {
    const at = (change: (doc: Record<string, any>) => void): ScenarioProblem => onlyProblem(failoverWith(change));
    expect(at((doc) => (doc["cluster"].latency = "100d"))).toEqual({ path: "cluster.latency", message: "expected a latency of at most 1min, got 100d", given: '"100d"' });
    expect(at((doc) => (doc["cluster"].nic = "1bps"))).toMatchObject({ path: "cluster.nic", given: '"1bps"' });
    expect(at((doc) => (doc["cluster"].nic = "0bps")).message).toMatch(/^expected a bandwidth of at least 8bps/);
    expect(at((doc) => (doc["producers"][0].messageSize = { kind: "uniform", min: "2KiB", max: "1KiB" }))).toMatchObject({ path: "producers[0].messageSize.max", given: "1024" });
    expect(at((doc) => (doc["producers"][0].messageSize = { kind: "lognormal", median: 0, sigma: 1 }))).toMatchObject({ path: "producers[0].messageSize.median" });
    expect(at((doc) => (doc["consumers"][0].processingTime = { kind: "lognormal", median: 0, sigma: 1 }))).toMatchObject({ path: "consumers[0].processingTime.median" });
    expect(at((doc) => (doc["producers"][1].messageSize = Number.MAX_SAFE_INTEGER))).toMatchObject({ path: "producers[1].messageSize", message: "expected message sizes of at most 1GiB, got 9007199254740991 bytes" });
    expect(at((doc) => (doc["consumers"][0].maxRate = "0/s"))).toEqual({ path: "consumers[0].maxRate", message: 'expected a rate above 0 such as "5k/s"', given: '"0/s"' });
    expect(at((doc) => (doc["services"] = [{ name: "db", latency: "1ms", capacity: 0 }]))).toMatchObject({ path: "services[0].capacity" });
  });

  it("a scenario past its own budgets (issue 19: runs that died of out-of-memory after minutes) is refused at the budget, with the estimate", () => {
    const hundredDays = ["system: kafka", "duration: 100d", "cluster: { brokers: 3 }", "topics: [{ name: t, partitions: 6, replicationFactor: 3 }]", "producers: [{ topic: t, rate: 20/s }]"].join("\n");
    const problems = problemsOf(loadScenarioText(hundredDays));
    expect(problems.map((problem) => problem.path)).toEqual(["budgets.maxEvents", "budgets.maxMemory"]);
    expect(problems[0]!.message).toMatch(/^expected a budget for the ~[\d.]+ billion events this run is estimated to take .*raise budgets.maxEvents \(--max-events\)$/);
    expect(problems[1]!.message).toMatch(/^expected room for the ~[\d.]+GiB this run is estimated to fill/);
    expect(problems[1]!.given).toBe('"1.0GiB"');
    const bigCluster = ["system: kafka", "duration: 1h", "cluster: { brokers: 64 }", "topics: [{ name: t, partitions: 128, replicationFactor: 3 }]", "producers: [{ topic: t, rate: 1M/s }]"].join("\n");
    expect(problemsOf(loadScenarioText(bigCluster)).map((problem) => problem.path)).toEqual(["budgets.maxEvents", "budgets.maxMemory"]);
    // The same budgets given apart (the CLI's --max-events / --max-memory) replace the document's.
    expect(problemsOf(loadScenarioText(failoverWith(() => {}), "f", { maxEvents: 1_000 })).map((problem) => problem.path)).toEqual(["budgets.maxEvents"]);
    expect(loadScenarioText(failoverWith(() => {}), "f", { maxMemory: "1GiB" }).ok).toBe(true);
    expect(onlyProblem(failoverWith((doc) => (doc["budgets"].maxMemory = "1MiB")))).toMatchObject({ path: "budgets.maxMemory", message: 'expected a memory budget of at least 128MiB, such as "1GiB"' });
  });

  it("a partition scoped to a traffic class the system does not have (a typo would cut nothing), with a did-you-mean", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["faults"][2].spec = { kind: "isolate", nodes: ["b2"], classes: ["kafka-dta"] })))).toEqual({
      path: "faults[2].spec.classes[0]",
      message: 'expected a traffic class of this system (kafka-data, kafka-controller), got "kafka-dta" (did you mean "kafka-data"?)',
      given: '"kafka-dta"',
    });
    expect(loadScenarioText(failoverWith((doc) => (doc["faults"][2].spec = { kind: "isolate", nodes: ["b2"], classes: ["kafka-data"] }))).ok).toBe(true);
  });

  it("edge values a run can handle load: no latency, a rate of 0, 1 GiB messages, 8 bps", () => {
    for (const change of [
      (doc: Record<string, any>) => (doc["cluster"].latency = 0),
      (doc: Record<string, any>) => (doc["cluster"].nic = "8bps"),
      (doc: Record<string, any>) => (doc["producers"][0].rate = { kind: "poisson", rate: "0/s" }),
      (doc: Record<string, any>) => (doc["producers"][1].messageSize = "1GiB"),
      (doc: Record<string, any>) => (doc["producers"][0].messageSize = { kind: "uniform", min: "1KiB", max: "1KiB" }),
    ]) {
      expect(loadScenarioText(failoverWith(change)).ok).toBe(true);
    }
  });

  it("a union of plain types: what each form would take", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["seed"] = true)))).toEqual({ path: "seed", message: "expected a seed: an integer from 0 to 9007199254740991, or a string of 1 to 200 characters", given: "true" });
    expect(onlyProblem(failoverWith((doc) => (doc["sweep"] = { "cluster.brokers": [1, { two: 2 }] })))).toEqual({
      path: 'sweep["cluster.brokers"][1]',
      message: "expected a number, a string (at most 256 characters) or true/false",
      given: '{"two":2}',
    });
  });

  it("a record key that is not allowed", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["sweep"] = { "": [1] })))).toEqual({ path: 'sweep[""]', message: "expected a key that is at least 1 character", given: '""' });
    // zod drops a "__proto__" record key silently; the schema refuses it instead.
    expect(onlyProblem(JSON.stringify(FAILOVER_SCENARIO).replace(/}$/, ',"sweep":{"__proto__":[1],"cluster.brokers":[1,3]}}'))).toEqual({
      path: "sweep.__proto__",
      message: 'expected a parameter path such as "cluster.brokers"',
      given: '"__proto__"',
    });
  });
});

describe("rules across fields", () => {
  it("replication factor at most the number of brokers", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["topics"][1].replicationFactor = 5)))).toEqual({ path: "topics[1].replicationFactor", message: "expected at most 3 (the number of brokers), got 5", given: "5" });
  });

  it("faults name existing nodes, at the path of the name", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["faults"][0].node = "b9")))).toEqual({
      path: "faults[0].node",
      message: 'expected a node name among b1, b2, b3, controller, checkout-1, checkout-2, p2, billing-1, billing-2, billing-3, auditor-1, got "b9"',
      given: '"b9"',
    });
    expect(onlyProblem(failoverWith((doc) => (doc["faults"][2].spec = { kind: "one-way", from: ["b1"], to: ["b2", "nobody"] })))).toMatchObject({ path: "faults[2].spec.to[1]", given: '"nobody"' });
  });

  it("consumers and producers use defined topics, services and times", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["consumers"][0].topics = ["orders", "ordrs"])))).toEqual({ path: "consumers[0].topics[1]", message: 'expected one of the topics (orders, audit), got "ordrs"', given: '"ordrs"' });
    expect(onlyProblem(failoverWith((doc) => (doc["producers"][1].topic = "nope")))).toMatchObject({ path: "producers[1].topic", given: '"nope"' });
    expect(onlyProblem(failoverWith((doc) => (doc["producers"][1].callsBefore = ["db"])))).toEqual({
      path: "producers[1].callsBefore[0]",
      message: 'expected one of the services (none are defined under `services`), got "db"',
      given: '"db"',
    });
    expect(onlyProblem(failoverWith((doc) => (doc["consumers"][1].startAt = "90s")))).toEqual({ path: "consumers[1].startAt", message: "expected a time before the end of `duration` (1min), got 1.5min", given: '"1.5min"' });
    expect(onlyProblem(failoverWith((doc) => (doc["faults"][5].at = "1min")))).toEqual({ path: "faults[5].at", message: "expected a time before the end of `duration` (1min; everything heals then), got 1min", given: '"1min"' });
  });

  it("racks, duplicate topics, duplicate client nodes and min.insync.replicas", () => {
    expect(onlyProblem(failoverWith((doc) => (doc["cluster"].racks = ["r1"])))).toEqual({ path: "cluster.racks", message: "expected one rack per broker (3), got 1", given: '["r1"]' });
    expect(onlyProblem(failoverWith((doc) => doc["topics"].push({ name: "orders", partitions: 1, replicationFactor: 3 })))).toEqual({ path: "topics[2].name", message: 'expected each topic name once, but "orders" is defined twice', given: '"orders"' });
    expect(onlyProblem(failoverWith((doc) => (doc["producers"][1].name = "billing-2")))).toEqual({
      path: "consumers[0].group",
      message: 'expected client node names unique and unlike b1…b3 and controller, but "billing-2" is taken',
      given: '"billing"',
    });
    expect(onlyProblem(failoverWith((doc) => (doc["config"]["min.insync.replicas"] = 4)))).toEqual({
      path: 'config["min.insync.replicas"]',
      message: "expected at most 3 (topic orders's replication factor), or acks=all writes could never succeed; got 4",
      given: "4",
    });
  });

  it("are checked once the fields are valid, so a bad field is reported once, not again as a broken rule", () => {
    // 0 brokers would also make every replication factor and fault node "wrong".
    expect(problemsOf(loadScenarioText(failoverWith((doc) => (doc["cluster"].brokers = 0))))).toEqual([{ path: "cluster.brokers", message: "expected at least 1", given: "0" }]);
    // 1e308 brokers: the rules must not try to name 1e308 nodes (they used to, and threw RangeError).
    expect(problemsOf(loadScenarioText(failoverWith((doc) => (doc["cluster"].brokers = 1e308))))).toHaveLength(1);
  });
});

describe("documents that do not read", () => {
  it("a YAML syntax error: the line and column, and the line itself as given", () => {
    const problem = onlyProblem("system: kafka\ncluster: [1,\n  b: }\n");
    expect(problem.path).toBe("");
    expect(problem.message).toMatch(/^expected YAML or JSON, but scenario does not parse at line 3, column \d+: /);
    expect(problem.given).toBe('"  b: }"');
  });

  it("a duplicate key, at its path", () => {
    expect(onlyProblem("system: kafka\ncluster:\n  brokers: 1\n  brokers: 2\n")).toEqual({ path: "cluster.brokers", message: 'expected each key once in a mapping, but "brokers" appears again at line 4', given: '"brokers"' });
  });

  it("a duplicate key written once as a number and once as a string (one key in JavaScript)", () => {
    expect(onlyProblem("system: kafka\n1: a\n'1': b\n")).toEqual({ path: '["1"]', message: 'expected each key once in a mapping, but "1" appears again at line 3', given: '"1"' });
  });

  it("two documents in one file", () => {
    expect(onlyProblem(`${MINIMAL_SCENARIO_YAML}---\n${MINIMAL_SCENARIO_YAML}`).message).toMatch(/multiple documents/);
  });

  it("not a mapping", () => {
    expect(onlyProblem("")).toEqual({ path: "", message: "expected a mapping with at least `system`, `duration`, `cluster` and `topics` (Kafka) or `queues` (RabbitMQ) or `topics` (RocketMQ) or `queues` (ActiveMQ)", given: "null" });
    expect(onlyProblem("42").given).toBe("42");
    expect(onlyProblem("- a\n- b").given).toBe('["a","b"]');
    expect(onlyProblem('"just text"').given).toBe('"just text"');
  });

  it("too deep: 100 000 open brackets fail at once, without overflowing the stack", () => {
    for (const text of ["[".repeat(100_000), "{a: ".repeat(100_000), "- ".repeat(100_000), `${"[".repeat(70)}${"]".repeat(70)}`]) {
      expect(onlyProblem(text)).toEqual({ path: "", message: "expected a document nested at most 64 levels deep (a scenario needs about 7), but scenario nests deeper" });
    }
    const blockStyle = Array.from({ length: 80 }, (_, depth) => `${" ".repeat(depth)}k${depth}:`).join("\n");
    expect(onlyProblem(blockStyle).message).toMatch(/nested at most 64 levels deep/);
  });

  it("an alias bomb (billion laughs) fails fast", () => {
    const names = "abcdefghi";
    let bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let level = 1; level < names.length; level += 1) bomb += `${names[level]}: &${names[level]} [${Array(9).fill(`*${names[level - 1]}`).join(",")}]\n`;
    expect(onlyProblem(bomb)).toEqual({ path: "", message: "expected at most 100 expansions of any one YAML anchor (&name) through aliases (*name), nested aliases multiplying, but scenario has more (an alias bomb?)" });
  });

  it("many anchors, each used as often as allowed, that would expand a small file into millions of values", () => {
    const names = Array.from({ length: 1_000 }, (_, n) => `n${n}`).join(",");
    let text = `${MINIMAL_SCENARIO_YAML}anchors:\n`;
    for (let a = 0; a < 13; a += 1) text += `  - &a${a} [${names}]\n`;
    for (let a = 0; a < 13; a += 1) text += `  - [${Array(90).fill(`*a${a}`).join(",")}]\n`;
    expect(text.length).toBeLessThan(100_000);
    expect(onlyProblem(text)).toEqual({ path: "", message: "expected a document of at most 1000000 values once YAML aliases are expanded, but it has more (an alias bomb?)" });
  });

  it("an alias without an anchor", () => {
    expect(onlyProblem("system: *kafka\n").message).toBe("expected every YAML alias (*name) to follow its anchor (&name), but scenario has an alias without one: *kafka");
  });

  it("aliases that make a cycle are shown, not followed", () => {
    const problems = problemsOf(loadScenarioText("system: kafka\nduration: 1s\ncluster: &c {brokers: 1, again: *c}\ntopics: &t [*t]\n"));
    expect(problems).toContainEqual({ path: "cluster.again", message: expect.stringMatching(/^unknown key "again"/), given: '{"brokers":1,"again":[circular]}' });
    expect(problems).toContainEqual({ path: "topics[0]", message: "expected a mapping, got a list", given: "[[circular]]" });
  });

  it("reasonable aliases still work (a shared producer config)", () => {
    const text = MINIMAL_SCENARIO_YAML.replace("    rate: 1k/s\n", "    rate: 1k/s\n    config: &pc { acks: all, linger.ms: 5 }\n  - topic: orders\n    rate: 2k/s\n    config: *pc\n");
    const load = loadScenarioText(text);
    expect(kafkaOf(load).producers.map((producer) => producer.config)).toEqual([
      { acks: "all", "linger.ms": 5 },
      { acks: "all", "linger.ms": 5 },
    ]);
  });

  it("a document over the size limit is refused before parsing", () => {
    expect(onlyProblem(" ".repeat(SCENARIO_TEXT_MAX_CHARS + 1)).message).toBe(`expected a document of at most ${SCENARIO_TEXT_MAX_CHARS} characters, got ${SCENARIO_TEXT_MAX_CHARS + 1} (scenario)`);
  });

  describe("YAML warnings", () => {
    afterEach(() => vi.restoreAllMocks());
    it("are not printed (an unknown tag is just a value)", () => {
      const warn = vi.spyOn(process, "emitWarning");
      const consoleWarn = vi.spyOn(console, "warn");
      expect(loadScenarioText("system: !!binary aGVsbG8=\n").ok).toBe(false);
      expect(warn).not.toHaveBeenCalled();
      expect(consoleWarn).not.toHaveBeenCalled();
    });
  });
});

describe("many problems", () => {
  it("are all listed up to a limit, then counted", () => {
    const problems = problemsOf(loadScenarioText(failoverWith((doc) => (doc["faults"] = Array.from({ length: 300 }, () => ({ verb: "pause" }))))));
    expect(problems).toHaveLength(SCENARIO_PROBLEMS_MAX);
    expect(problems[0]).toEqual({ path: "faults[0].at", message: 'missing; expected a duration such as "250ms"' });
    expect(problems[SCENARIO_PROBLEMS_MAX - 1]).toEqual({ path: "", message: "expected fewer problems: at least 501 more like the ones above are not listed" });
  });

  it("60 000 unknown keys: the first ones listed, the rest counted, quickly", () => {
    const doc = structuredClone(FAILOVER_SCENARIO);
    for (let k = 0; k < 60_000; k += 1) doc[`key${k}`] = k;
    const problems = problemsOf(validateScenario(doc));
    expect(problems).toHaveLength(SCENARIO_PROBLEMS_MAX);
    expect(problems[0]).toMatchObject({ path: "key0", given: "0" });
    expect(problems[SCENARIO_PROBLEMS_MAX - 1]!.message).toBe("expected fewer problems: at least 59901 more like the ones above are not listed");
  });

  it("cross-field problems by the thousand are capped, and long name lists shortened", () => {
    // 100 producers of 100 clients each, and a fault naming 5 000 unknown nodes.
    const doc = structuredClone(FAILOVER_SCENARIO);
    doc["producers"] = Array.from({ length: 100 }, (_, k) => ({ name: `app${k}`, count: 100, topic: "orders", rate: "1/s" }));
    doc["faults"] = Array.from({ length: 25 }, () => ({ at: "1s", verb: "partition", spec: { kind: "isolate", nodes: Array.from({ length: 200 }, (_, n) => `ghost${n}`) } }));
    const problems = problemsOf(validateScenario(doc));
    expect(problems).toHaveLength(SCENARIO_PROBLEMS_MAX);
    expect(problems[0]).toEqual({
      path: "faults[0].spec.nodes[0]",
      message: 'expected a node name among b1, b2, b3, controller, app0-1, app0-2, app0-3, app0-4, app0-5, app0-6, app0-7, app0-8, app0-9, app0-10, app0-11, app0-12, … (10008 in all), got "ghost0"',
      given: '"ghost0"',
    });
  });

  it("print one per line for a terminal", () => {
    const problems = problemsOf(loadScenarioText(failoverWith((doc) => ((doc["cluster"].brokers = "3"), delete doc["duration"]))));
    expect(formatProblems(problems)).toBe('duration: missing; expected a duration such as "250ms"\ncluster.brokers: expected a number, got "3" (given: "3")');
  });
});

describe("validateScenario on values no parser makes", () => {
  it("never throws on exotic JavaScript values", () => {
    const cyclic: Record<string, unknown> = { system: "kafka" };
    cyclic["cluster"] = cyclic;
    for (const value of [undefined, Symbol("s"), () => 1, 10n, new Date(0), new Map([["system", "kafka"]]), Object.create(null), cyclic, { system: "kafka", seed: 10n }, [[]]]) {
      const load = validateScenario(value);
      expect(load.ok).toBe(false);
    }
  });

  it("preview shows any value briefly", () => {
    expect(preview(Number.NaN)).toBe("NaN");
    expect(preview(-0)).toBe("-0");
    expect(preview(10n)).toBe("10n");
    expect(preview(undefined)).toBe("undefined");
    expect(preview(new Date(0))).toBe("[object Date]");
    expect(preview("x".repeat(1_000_000))).toHaveLength(80);
    expect(preview(Array.from({ length: 1_000_000 }, () => 1))).toHaveLength(80);
    const deep: unknown[] = [];
    let inner = deep;
    for (let depth = 0; depth < 100_000; depth += 1) inner = inner[0] = [] as unknown[];
    expect(preview(deep)).toBe("[[[[[[[[[…]]]]]]]]]");
    expect(preview({ toString: 1, valueOf: "x" })).toBe('{"toString":1,"valueOf":"x"}');
  });
});
