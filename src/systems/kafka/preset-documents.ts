/**
 * Kafka's hand-written presets of the seed tour, as the YAML a user would write.
 * Each names the claim of ../shared/mission.md it shows and what its run
 * must conclude.
 */
import type { PresetDocument } from "../../scenario/preset.js";

export const HAND_WRITTEN_PRESETS: readonly PresetDocument[] = [
  {
    name: "c1-fan-out",
    claim: "C1",
    title: "Fan-out: every consumer group gets every message; a group added mid-run changes nothing for the producer",
    expect: "ok",
    yaml: `
system: kafka
name: c1-fan-out
description: Two groups read from the start, a third joins at 10 s and catches up from the beginning; the producer does not notice.
seed: 1
duration: 20s
cluster: { brokers: 3 }
config: { min.insync.replicas: 2 }
topics: [{ name: orders, partitions: 6, replicationFactor: 3 }]
producers:
  - name: shop
    topic: orders
    rate: 1k/s
    messagesPerSend: 10
    messageSize: 1KiB
    config: { acks: all }
consumers:
  - { group: billing, count: 2, topics: [orders], processingTime: 1ms, commit: after-process }
  - { group: search, count: 2, topics: [orders], processingTime: 1ms, commit: after-process }
  - { group: analytics, count: 1, topics: [orders], processingTime: 1ms, commit: after-process, startAt: 10s }
checks: [lost, unexpected, reordered, divergence]
`,
  },
  {
    name: "c2-synchronous-chain",
    claim: "C2",
    title: "Without a queue: the user waits for every service in the chain, 3 + 300 + 450 + 200 ms",
    expect: "ok",
    yaml: `
system: kafka
name: c2-synchronous-chain
description: Each user request calls four services one after another (3, 300, 450 and 200 ms), then records an event. The user waits for all of it. Compare with c2-publish-to-queue.
seed: 2
duration: 30s
cluster: { brokers: 3 }
config: { min.insync.replicas: 2 }
topics: [{ name: orders, partitions: 3, replicationFactor: 3 }]
services:
  - { name: order-db, latency: 3ms }
  - { name: inventory, latency: 300ms }
  - { name: payment, latency: 450ms }
  - { name: email, latency: 200ms }
producers:
  - { name: web, topic: orders, rate: 2/s, messageSize: 512B, callsBefore: [order-db, inventory, payment, email], config: { acks: all, linger.ms: 0 } }
checks: [lost, unexpected]
`,
  },
  {
    name: "c2-publish-to-queue",
    claim: "C2",
    title: "With a queue: the user waits for the first service and the publish; the other services run behind the queue",
    expect: "ok",
    yaml: `
system: kafka
name: c2-publish-to-queue
description: Each user request writes the order (3 ms) and publishes an event (acks=all); consumers call inventory, payment and email (300 + 450 + 200 ms) asynchronously, each member one request at a time. The user waits a few milliseconds; the work still takes about a second, end to end.
seed: 2
duration: 30s
cluster: { brokers: 3 }
config: { min.insync.replicas: 2 }
topics: [{ name: orders, partitions: 3, replicationFactor: 3 }]
services:
  - { name: order-db, latency: 3ms }
  - { name: inventory, latency: 300ms }
  - { name: payment, latency: 450ms }
  - { name: email, latency: 200ms }
producers:
  - { name: web, topic: orders, rate: 2/s, messageSize: 512B, callsBefore: [order-db], config: { acks: all, linger.ms: 0 } }
consumers:
  - { group: fulfilment, count: 3, topics: [orders], processingTime: 0ms, calls: [inventory, payment, email], commit: after-process, config: { max.poll.records: 500 } }
checks: [lost, lost-effects, unexpected]
`,
  },
  {
    name: "c3-peak-shaving",
    claim: "C3",
    title: "Peak shaving: 50 req/s, 5k req/s for an hour, consumers capped at 2k/s; the queue absorbs the peak",
    expect: "ok",
    yaml: `
system: kafka
name: c3-peak-shaving
description: Virtual time 0 is 11:00. 50 req/s, then 5k req/s from 12:00 to 13:00, then 50 req/s; the database behind the consumers takes at most 2k/s.
seed: 3
duration: 3h
cluster: { brokers: 3 }
config: { min.insync.replicas: 2 }
topics: [{ name: requests, partitions: 6, replicationFactor: 3 }]
producers:
  - name: web
    topic: requests
    rate:
      kind: piecewise
      steps:
        - { at: 0s, rate: 50/s }
        - { at: 1h, rate: 5k/s }
        - { at: 2h, rate: 50/s }
    messagesPerSend: 250
    messageSize: 1KiB
    config: { acks: all, batch.size: 1048576, linger.ms: 20 }
consumers:
  - group: db-writer
    count: 3
    topics: [requests]
    processingTime: 1ms
    maxRate: 2k/s
    commit: after-process
    config: { max.poll.records: 500 }
checks: [lost, unexpected, divergence]
budgets: { convergeWithin: 3h }
`,
  },
  {
    name: "c8-rf1-broker-lost",
    claim: "C8",
    title: "No replication (RF 1): one broker of three loses power and takes a third of the data with it",
    expect: "safety-failed",
    yaml: `
system: kafka
name: c8-rf1-broker-lost
description: Six partitions over three brokers without copies; b1 (leader of two) loses power at 5 s. Kafka does not fsync by default, so what b1 acknowledged is gone.
seed: 8
duration: 15s
cluster: { brokers: 3 }
config: { broker.session.timeout.ms: 3000, broker.heartbeat.interval.ms: 500 }
topics: [{ name: t, partitions: 6, replicationFactor: 1 }]
producers:
  - { name: p1, topic: t, rate: 600/s, messageSize: 1000B, config: { acks: 1, request.timeout.ms: 1000, delivery.timeout.ms: 3000 } }
faults:
  - { at: 5s, verb: powerLoss, node: b1 }
checks: [lost]
`,
  },
  {
    name: "c9-replication-failover",
    claim: "C9",
    title: "Replication: the leader dies, a follower from the ISR takes over, committed messages survive",
    expect: "ok",
    yaml: `
system: kafka
name: c9-replication-failover
description: RF 3, acks=all, min.insync.replicas=2; b1 crashes at 5 s and returns at 15 s. Nothing acknowledged is lost; consumers never read past the high watermark; the failover shows as seconds of unavailability.
seed: 9
duration: 20s
cluster: { brokers: 3 }
config: { min.insync.replicas: 2, unclean.leader.election.enable: false, broker.session.timeout.ms: 3000, broker.heartbeat.interval.ms: 500 }
topics: [{ name: orders, partitions: 6, replicationFactor: 3 }]
producers:
  - { name: p1, topic: orders, rate: 2k/s, messagesPerSend: 10, messageSize: 1KiB, config: { acks: all, enable.idempotence: true } }
consumers:
  - { group: billing, count: 2, topics: [orders], processingTime: 1ms, commit: after-process, idempotent: true }
faults:
  - { at: 5s, verb: processCrash, node: b1 }
  - { at: 15s, verb: restart, node: b1 }
checks: [lost, lost-effects, duplicated-effects, dirty-read, divergence, reordered]
`,
  },
  {
    name: "c10-acks1-leader-loss",
    claim: "C10",
    title: "acks=1: the leader acknowledges what its followers have not fetched, then dies; a clean election loses it",
    expect: "safety-failed",
    yaml: `
system: kafka
name: c10-acks1-leader-loss
description: The followers stop fetching from b1 (data port only) for 1 s, well inside replica.lag.time.max.ms, so they stay in the ISR; b1 acknowledges alone (acks=1) and is killed. Compare with acks=all (preset k2-safe).
seed: 10
duration: 10s
cluster: { brokers: 3 }
config: { min.insync.replicas: 1, broker.session.timeout.ms: 3000, broker.heartbeat.interval.ms: 500 }
topics: [{ name: t, partitions: 1, replicationFactor: 3 }]
producers:
  - { name: p1, topic: t, rate: 1k/s, messagesPerSend: 10, messageSize: 100B, config: { acks: 1, enable.idempotence: false } }
faults:
  - { at: 2s, verb: partition, name: fetch-cut, spec: { kind: one-way, from: [b2, b3], to: [b1], classes: [kafka-data] } }
  - { at: 3s, verb: processCrash, node: b1 }
  - { at: 4s, verb: heal, name: fetch-cut }
checks: [lost]
`,
  },
];
