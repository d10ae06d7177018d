/**
 * The scenario file's RabbitMQ branch: a valid document loads with
 * RabbitMQ's defaults filled in and maps onto the run spec; every bad field
 * is one problem at its own path, saying what was expected and what was
 * given.
 */
import { describe, expect, it } from "vitest";
import { formatProblems, loadScenarioText, validateScenario, type ScenarioProblem } from "../../scenario/load.js";
import { rabbitRunSpecOf } from "./scenario-spec.js";
import type { RabbitScenario } from "./scenario-schema.js";

type Doc = Record<string, any>;

/** Three nodes, a classic queue bound to a fanout exchange, a quorum queue, a mirroring policy, two publishers, a consumer. */
function base(): Doc {
  return {
    system: "rabbitmq",
    version: "3.13",
    duration: "10s",
    cluster: { nodes: 3 },
    queues: [{ name: "orders", node: "r1" }, { name: "jobs", type: "quorum" }],
    exchanges: [{ name: "events", type: "fanout" }],
    bindings: [{ exchange: "events", queue: "orders" }],
    policies: [{ name: "ha", pattern: "^orders$", definition: { "ha-mode": "exactly", "ha-params": 2 } }],
    publishers: [{ routingKey: "orders", rate: "100/s" }, { exchange: "events", routingKey: "", rate: "10/s" }],
    consumers: [{ queue: "orders" }],
  };
}

function loaded(doc: Doc): RabbitScenario {
  const load = validateScenario(doc);
  if (!load.ok) throw new Error(formatProblems(load.problems));
  if (load.scenario.system !== "rabbitmq") throw new Error("expected a rabbitmq scenario");
  return load.scenario;
}

/** The only problem of `base()` with `change` applied. */
function onlyProblem(change: (doc: Doc) => void): ScenarioProblem {
  const doc = base();
  change(doc);
  const load = validateScenario(doc);
  if (load.ok) throw new Error("expected the document to be refused, but it loaded");
  expect(load.problems, formatProblems(load.problems)).toHaveLength(1);
  return load.problems[0]!;
}

describe("a RabbitMQ scenario", () => {
  it("loads from YAML with RabbitMQ's defaults: classic durable queues, manual sync, promotion always, confirms, persistent messages", () => {
    const load = loadScenarioText(`
system: rabbitmq
version: 3.13
duration: 10s
cluster: { nodes: 3 }
queues: [{ name: orders, arguments: { x-message-ttl: 30s, x-max-length: 1000 } }]
policies: [{ name: ha, pattern: "^orders$", definition: { ha-mode: all } }]
publishers: [{ routingKey: orders, rate: 1k/s, messageSize: 4KiB, expiration: 500 }]
consumers: [{ queue: orders, prefetch: 20, processingTime: 2ms }]
faults: [{ at: 2s, verb: processCrash, node: r1 }]
`);
    if (!load.ok) throw new Error(formatProblems(load.problems));
    const scenario = load.scenario as RabbitScenario;
    // YAML reads 3.13 as a number: taken as the release "3.13".
    expect(scenario.version).toBe("3.13");
    expect(scenario.config).toEqual({ cluster_partition_handling: "ignore", net_ticktime: 60, heartbeat: 60, queue_index_embed_msgs_below: 4096, "disk_free_limit.absolute": 50_000_000, "raft.wal_max_size_bytes": 536_870_912 });
    expect(scenario.queues[0]).toEqual({ name: "orders", type: "classic", durable: true, arguments: { "x-message-ttl": 30_000, "x-max-length": 1000 } });
    expect(scenario.policies[0]!.definition).toEqual({ "ha-mode": "all", "ha-sync-mode": "manual", "ha-promote-on-failure": "always", "ha-promote-on-shutdown": "when-synced" });
    expect(scenario.publishers[0]).toMatchObject({ exchange: "", mode: "confirm", persistent: true, batch: 1, inFlightMax: 0, messageSize: 4096, expiration: 500 });
    expect(scenario.consumers[0]).toMatchObject({ autoAck: false, prefetch: 20, processingTime: 2_000_000, idempotent: false });
  });

  it("maps onto the run spec: node and client names, workloads, policies, the fault schedule, unavailability always measured", () => {
    const scenario = loaded({ ...base(), checks: ["lost"], faults: [{ at: "3s", verb: "restart", node: "r2" }, { at: "1s", verb: "processCrash", node: "r2" }] });
    const spec = rabbitRunSpecOf(scenario, 9);
    expect(spec.seed).toBe(9);
    expect(spec.cluster.nodes).toBe(3);
    expect(spec.cluster.config).toMatchObject({ version: "3.13", queue_index_embed_msgs_below: 4096 });
    expect(spec.cluster.queues).toEqual([
      { name: "orders", type: "classic", durable: true, node: "r1" },
      { name: "jobs", type: "quorum", durable: true },
    ]);
    expect(spec.cluster.policies).toEqual([{ name: "ha", pattern: "^orders$", priority: 0, definition: { "ha-mode": "exactly", "ha-params": 2, "ha-sync-mode": "manual", "ha-promote-on-failure": "always", "ha-promote-on-shutdown": "when-synced" } }]);
    expect(spec.publishers.map((p) => [p.name, p.exchange, p.routingKey, p.ratePerSec, p.messageBytes])).toEqual([
      ["p1", "", "orders", 100, 1024],
      ["p2", "events", "", 10, 1024],
    ]);
    expect(spec.consumers).toEqual([{ name: "c1", queue: "orders", group: "orders", prefetch: 0, autoAck: false, processNsPerMessage: 1_000_000, idempotent: false }]);
    expect(spec.faults.map((fault) => fault.atNs)).toEqual([1e9, 3e9]);
    expect(spec.checks).toEqual({ checks: ["lost", "unavailability"] });
  });

  it("names several identical clients name-1, name-2, …", () => {
    const spec = rabbitRunSpecOf(loaded({ ...base(), consumers: [{ name: "billing", count: 2, queue: "orders" }] }));
    expect(spec.consumers!.map((c) => c.name)).toEqual(["billing-1", "billing-2"]);
  });
});

describe("RabbitMQ problems: each at its path, with what was expected and what was given", () => {
  it("queue declarations and their x-arguments", () => {
    expect(onlyProblem((d) => (d.queues[0].type = "stream"))).toEqual({ path: "queues[0].type", message: 'expected one of "classic", "quorum"', given: '"stream"' });
    expect(onlyProblem((d) => (d.queues[0].arguments = { "x-overflow": "reject-publish-dlx" }))).toEqual({ path: 'queues[0].arguments["x-overflow"]', message: 'expected one of "drop-head", "reject-publish"', given: '"reject-publish-dlx"' });
    expect(onlyProblem((d) => (d.queues[0].arguments = { "x-message-ttl": "1.5ms" }))).toMatchObject({ path: 'queues[0].arguments["x-message-ttl"]', message: expect.stringMatching(/^expected whole milliseconds/), given: '"1.5ms"' });
    expect(onlyProblem((d) => (d.queues[0].arguments = { "x-max-lenght": 5 }))).toMatchObject({ path: 'queues[0].arguments["x-max-lenght"]', message: expect.stringContaining('did you mean "x-max-length"?') });
    expect(onlyProblem((d) => (d.queues[1].durable = false))).toMatchObject({ path: "queues[1].durable", message: expect.stringContaining("quorum queues are always durable"), given: "false" });
    expect(onlyProblem((d) => (d.queues[0].arguments = { "x-quorum-initial-group-size": 3 }))).toMatchObject({ path: 'queues[0].arguments["x-quorum-initial-group-size"]', message: "expected only on a quorum queue (type: quorum)" });
    expect(onlyProblem((d) => (d.queues[1].arguments = { "x-quorum-initial-group-size": 5 }))).toMatchObject({ message: "expected at most 3 (the number of nodes), got 5" });
    expect(onlyProblem((d) => (d.queues[0].node = "r4"))).toEqual({ path: "queues[0].node", message: 'expected a RabbitMQ node among r1, r2, r3, got "r4"', given: '"r4"' });
    expect(onlyProblem((d) => (d.queues[1].name = "orders"))).toMatchObject({ path: "queues[1].name", message: expect.stringContaining("declared twice") });
  });

  it("the release: 4.x has no classic queue mirroring and no CQv1; x-queue-version belongs to classic queues", () => {
    expect(loaded(base()).version).toBe("3.13");
    const { version: _version, ...unversioned } = base();
    expect(validateScenario({ ...unversioned, policies: [] }).ok).toBe(true);
    expect(onlyProblem((d) => delete d.version)).toEqual({
      path: 'policies[0].definition["ha-mode"]',
      message: 'expected no ha-mode policy on a classic queue with version 4.x: classic queue mirroring was removed in RabbitMQ 4.0 (set version: "3.13", or use quorum queues)',
      given: '"exactly"',
    });
    // A policy that matches only quorum queues mirrors nothing (and RabbitMQ ignores ha-* keys for them).
    expect(validateScenario({ ...base(), version: "4.x", policies: [{ name: "ha", pattern: "^jobs$", definition: { "ha-mode": "all" } }] }).ok).toBe(true);
    expect(onlyProblem((d) => ((d.policies = []), (d.version = "4.x"), (d.queues[0].arguments = { "x-queue-version": 1 })))).toMatchObject({ path: 'queues[0].arguments["x-queue-version"]', message: expect.stringContaining("only classic queue storage version 2") });
    expect(onlyProblem((d) => ((d.policies = []), (d.version = "4.x"), (d.config = { "classic_queue.default_version": 1 })))).toMatchObject({ path: 'config["classic_queue.default_version"]' });
    expect(onlyProblem((d) => (d.queues[1].arguments = { "x-queue-version": 2 }))).toMatchObject({ path: 'queues[1].arguments["x-queue-version"]', message: "expected only on a classic queue (type: classic)" });
    expect(onlyProblem((d) => (d.queues[0].arguments = { "x-queue-version": 3 }))).toMatchObject({ path: 'queues[0].arguments["x-queue-version"]', message: "expected 1 or 2 (classic queue storage version)" });
  });

  it("mirroring policies: ha-mode, ha-params that fit it, the pattern", () => {
    expect(onlyProblem((d) => (d.policies[0].definition["ha-mode"] = "some"))).toEqual({ path: 'policies[0].definition["ha-mode"]', message: 'expected one of "all", "exactly", "nodes"', given: '"some"' });
    expect(onlyProblem((d) => delete d.policies[0].definition["ha-params"])).toMatchObject({ path: "policies[0].definition", message: "expected ha-params, the number of replicas (master + mirrors), with ha-mode exactly" });
    expect(onlyProblem((d) => (d.policies[0].definition["ha-mode"] = "all"))).toEqual({ path: 'policies[0].definition["ha-params"]', message: "expected no ha-params with ha-mode all (RabbitMQ refuses them)", given: "2" });
    expect(onlyProblem((d) => (d.policies[0].definition = { "ha-mode": "nodes", "ha-params": ["r1", "r9"] }))).toMatchObject({ path: 'policies[0].definition["ha-params"][1]', given: '"r9"' });
    expect(onlyProblem((d) => (d.policies[0].definition["ha-sync-mode"] = "auto"))).toMatchObject({ path: 'policies[0].definition["ha-sync-mode"]', message: 'expected one of "manual", "automatic"' });
    for (const pattern of ["(a+)+$", "(["]) expect(onlyProblem((d) => (d.policies[0].pattern = pattern))).toMatchObject({ path: "policies[0].pattern", message: expect.stringMatching(/^expected a regular expression/) });
  });

  it("publishers: routes that reach a queue, modes, hosts, rates and sizes", () => {
    expect(onlyProblem((d) => (d.publishers[0].routingKey = "order"))).toMatchObject({ path: "publishers[0].routingKey", message: expect.stringContaining('"order" reaches no queue'), given: '"order"' });
    expect(onlyProblem((d) => (d.publishers[1].exchange = "evnts"))).toMatchObject({ path: "publishers[1].exchange", message: 'expected "" (the default exchange) or one of the exchanges (events), got "evnts"' });
    expect(onlyProblem((d) => (d.publishers[0].mode = "sync"))).toEqual({ path: "publishers[0].mode", message: 'expected one of "confirm", "tx", "none"', given: '"sync"' });
    expect(onlyProblem((d) => (d.publishers[0].hosts = ["b1"]))).toEqual({ path: "publishers[0].hosts[0]", message: 'expected a RabbitMQ node among r1, r2, r3, got "b1"', given: '"b1"' });
    expect(onlyProblem((d) => (d.publishers[0].rate = "0/s"))).toMatchObject({ path: "publishers[0].rate", message: 'expected a rate above 0 such as "5k/s"' });
    expect(onlyProblem((d) => (d.publishers[0].messageSize = 0))).toMatchObject({ path: "publishers[0].messageSize", message: "expected at least 1" });
    expect(onlyProblem((d) => (d.publishers[0].name = "r2"))).toMatchObject({ path: "publishers[0].name", message: expect.stringContaining('"r2" is taken') });
  });

  it("consumers, bindings, faults, checks, the cluster and rabbitmq.conf", () => {
    expect(onlyProblem((d) => (d.consumers[0].queue = "nope"))).toEqual({ path: "consumers[0].queue", message: 'expected one of the queues (orders, jobs), got "nope"', given: '"nope"' });
    expect(onlyProblem((d) => d.consumers.push({ queue: "orders", group: "other" }))).toMatchObject({ path: "consumers[1].group", message: expect.stringMatching(/^expected "orders": consumers of one queue share its messages/) });
    expect(onlyProblem((d) => (d.consumers[0].autoack = true))).toMatchObject({ path: "consumers[0].autoack", message: expect.stringContaining('did you mean "autoAck"?') });
    expect(onlyProblem((d) => (d.bindings[0].queue = "nope"))).toMatchObject({ path: "bindings[0].queue", given: '"nope"' });
    expect(onlyProblem((d) => (d.faults = [{ at: "1s", verb: "processCrash", node: "b1" }]))).toEqual({ path: "faults[0].node", message: 'expected a node name among r1, r2, r3, p1, p2, c1, got "b1"', given: '"b1"' });
    expect(onlyProblem((d) => (d.checks = ["lost", "dirty-read"]))).toMatchObject({ path: "checks[1]", given: '"dirty-read"' });
    // Divergence compares quorum queue members' Raft logs: asked of a cluster with none, it is refused.
    expect(loaded({ ...base(), checks: ["lost", "divergence"] }).checks).toEqual(["lost", "divergence"]);
    const classicOnly = onlyProblem((d) => {
      d.queues = [d.queues[0]];
      d.checks = ["lost", "divergence"];
    });
    expect(classicOnly).toMatchObject({ path: "checks[1]", given: '"divergence"', message: expect.stringMatching(/^expected a quorum queue for divergence/) });
    expect(onlyProblem((d) => (d.config = { cluster_partition_handling: "pause-minority" }))).toEqual({ path: "config.cluster_partition_handling", message: 'expected one of "ignore", "pause_minority", "autoheal"', given: '"pause-minority"' });
    expect(onlyProblem((d) => (d.version = "3.8"))).toEqual({ path: "version", message: 'expected one of "3.12", "3.13", "4.x" (the RabbitMQ release)', given: '"3.8"' });
    expect(onlyProblem((d) => (d.config = { queue_index_embed_msgs_below: -1 }))).toMatchObject({ path: "config.queue_index_embed_msgs_below" });
    const doc = base();
    doc["cluster"] = { brokers: 3 };
    const load = validateScenario(doc);
    expect(load.ok ? [] : load.problems.map((problem) => problem.path)).toEqual(["cluster.nodes", "cluster.brokers"]);
  });
});
