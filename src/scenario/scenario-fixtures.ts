/**
 * Valid scenario documents, as a user would write them, for the loader's
 * tests and properties (and as worked examples of the format): each loads
 * without a problem, and mutating them is how the malformed-input properties
 * start.
 */

/** The smallest useful scenario: one topic on three brokers, one producer, one consumer group. */
export const MINIMAL_SCENARIO_YAML = `system: kafka
duration: 30s
cluster:
  brokers: 3
topics:
  - name: orders
    partitions: 6
    replicationFactor: 3
producers:
  - topic: orders
    rate: 1k/s
consumers:
  - group: billing
    topics: [orders]
`;

/** acks=all under a broker crash and a partition: configuration in Kafka's own names, faults, checks, budgets. */
export const FAILOVER_SCENARIO: Record<string, unknown> = {
  system: "kafka",
  name: "acks-all-failover",
  description: "acks=all, min.insync.replicas=2: a leader crash and a network partition lose nothing acknowledged",
  seed: 42,
  duration: "60s",
  cluster: { brokers: 3, racks: ["r1", "r2", "r3"], disk: "nvme", nic: "10Gbps", latency: "200us" },
  config: { "min.insync.replicas": 2, "unclean.leader.election.enable": false, "replica.lag.time.max.ms": 10_000 },
  topics: [
    { name: "orders", partitions: 12, replicationFactor: 3 },
    { name: "audit", partitions: 1, replicationFactor: 3 },
  ],
  producers: [
    {
      name: "checkout",
      count: 2,
      topic: "orders",
      rate: { kind: "poisson", rate: "2k/s" },
      messageSize: { kind: "lognormal", median: "1KiB", sigma: 0.5 },
      config: { acks: "all", "linger.ms": 5, "batch.size": 16_384, "enable.idempotence": true, "max.in.flight.requests.per.connection": 5 },
    },
    { topic: "audit", rate: "50/s", messageSize: "200B", config: { acks: 1 } },
  ],
  consumers: [
    {
      group: "billing",
      count: 3,
      topics: ["orders"],
      processingTime: { kind: "exponential", mean: "2ms" },
      commit: "after-process",
      idempotent: true,
      config: { "enable.auto.commit": false, "max.poll.records": 500, "auto.offset.reset": "earliest" },
    },
    { group: "auditor", topics: ["audit"], startAt: "10s" },
  ],
  faults: [
    { at: "15s", verb: "processCrash", node: "b1" },
    { at: "25s", verb: "restart", node: "b1" },
    { at: "30s", verb: "partition", name: "split", spec: { kind: "isolate", nodes: ["b2"] } },
    { at: "40s", verb: "heal", name: "split" },
    { at: "45s", verb: "slowDisk", node: "b3", factor: 20 },
    { at: "50s", verb: "healAll" },
  ],
  checks: ["lost", "duplicated", "reordered"],
  budgets: { maxEvents: 50_000_000, convergeWithin: "90s" },
};

/** A ramp with downstream services and a sweep over linger.ms, in YAML with comments and flow style. */
export const SWEEP_SCENARIO_YAML = `# A load ramp against a slow downstream service; sweep linger.ms.
system: kafka
name: ramp-with-services
duration: 2min
seed: "ramp-1"
cluster: { brokers: 5, disk: sata-ssd, nic: 1Gbps, latency: 1ms }
topics:
  - { name: events, partitions: 24, replicationFactor: 3 }
services:
  - name: enrich
    latency: { kind: uniform, min: 1ms, max: 5ms }
    capacity: 20k/s
  - name: db
    latency: 3ms
producers:
  - topic: events
    rate:
      kind: piecewise
      steps:
        - { at: 0, rate: 1k/s }
        - { at: 30s, rate: 10k/s }
        - { at: 90s, rate: 2k/s }
    callsBefore: [enrich]
    messagesPerSend: 10
    config:
      acks: all
      linger.ms: 10
consumers:
  - group: writers
    count: 4
    topics: [events]
    calls: [db]
    maxRate: 15k/s
    processingTime: { kind: normal, mean: 2ms, stddev: 500us }
faults:
  - { at: 60s, verb: partition, spec: { kind: one-way, from: [b1, b2], to: [b3] } }
  - { at: 75s, verb: healAll }
sweep:
  producers[0].config["linger.ms"]: [0, 5, 50]
`;
