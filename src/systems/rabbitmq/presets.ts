/**
 * The RabbitMQ presets: the mission's claims C5, C6, C7, C14 and C15 and
 * the anomaly table's rows R3 and R4, each as the YAML a user would write,
 * with what its run must conclude. Where a claim has a safe counterpart
 * (durable + persistent against transient, manual against automatic
 * acknowledgement, reject-publish against drop-head, automatic against
 * manual synchronisation, when-synced against always), both are here, run
 * on the same seed and faults.
 *
 * R3's and R4's fault schedules are written by hand to show the mechanism
 * (a backlog of old messages, a mirror that rejoins or is placed empty, the
 * master's loss); the fast-check searches of
 * properties/anomalies.property.test.ts find shrunk ones of their own.
 */
import { presetFromYaml, withClaim, type Preset, type PresetDocument, type SafetyClaim } from "../../scenario/preset.js";

/** One durable classic queue on one node; a slow consumer keeps a backlog; the node is down from 3 s to 6 s. */
function singleNode(name: string, persistent: boolean): string {
  return `
system: rabbitmq
name: ${name}
description: One node, one durable classic queue, publisher confirms, ${persistent ? "persistent" : "transient"} messages; the consumer (100 msg/s) falls behind the publisher (200 msg/s), so a backlog is queued when the node's process is killed at 3 s; it restarts at 6 s.${persistent ? " Everything confirmed is recovered from the message store; the outage is the unavailability." : " Transient messages live in memory only, so the backlog is gone after the restart."}
seed: 5
duration: 10s
cluster: { nodes: 1 }
queues: [{ name: orders, type: classic, durable: true }]
publishers:
  - { name: shop, routingKey: orders, mode: confirm, rate: 200/s, messageSize: 1KiB, persistent: ${persistent}, inFlightMax: 100 }
consumers:
  - { name: billing, queue: orders, prefetch: 10, processingTime: 10ms }
faults:
  - { at: 3s, verb: processCrash, node: r1 }
  - { at: 6s, verb: restart, node: r1 }
checks: [lost, unexpected]
`;
}

/** Mirror-all on `nodes` nodes with automatic synchronisation; the master is killed at 4 s and rejoins at 6 s. */
function mirrorAll(nodes: number): string {
  return `
system: rabbitmq
version: "3.13"
name: c7-mirror-all-${nodes}
description: A classic queue mirrored to all ${nodes} nodes (ha-mode all, ha-sync-mode automatic). The master copies every message to its ${nodes - 1} mirrors, and the publisher's channel (on r2 or r3, itself a mirror's node) sends its own copy to the other ${nodes - 2}, as RabbitMQ 3.8–3.13 do, so about ${2 * nodes - 3} bytes of replication cross the cluster per published byte (the clients add the forwarding of publishes and deliveries to the master). The master's process is killed at 4 s; the oldest synchronised mirror takes over and nothing confirmed is lost. The old master restarts at 6 s and rejoins as a mirror, synchronised at once.
seed: 7
duration: 10s
cluster: { nodes: ${nodes} }
queues: [{ name: orders, type: classic, durable: true, node: r1 }]
policies:
  - { name: ha-all, pattern: "^orders$", definition: { ha-mode: all, ha-sync-mode: automatic, ha-promote-on-failure: when-synced } }
publishers:
  - { name: shop, routingKey: orders, mode: confirm, rate: 500/s, messageSize: 4KiB, persistent: true, inFlightMax: 200, hosts: [r2, r3] }
consumers:
  - { name: billing, queue: orders, prefetch: 50, processingTime: 1ms, idempotent: true, hosts: [r2, r3] }
faults:
  - { at: 4s, verb: processCrash, node: r1 }
  - { at: 6s, verb: restart, node: r1 }
checks: [lost, lost-effects, unexpected, duplicated-effects]
`;
}

/** C14's consumer side: a consumer holding its prefetch window is killed at 3 s and restarts at 4 s. */
function consumerCrash(name: string, autoAck: boolean): string {
  return `
system: rabbitmq
name: ${name}
description: The publisher offers 100 msg/s, the consumer processes 50 msg/s. ${autoAck ? "With automatic acknowledgement the broker forgets a message when it sends it and ignores the prefetch, so the backlog piles up in the consumer's memory; when the consumer is killed at 3 s all of it is gone, delivered and never processed." : "With manual acknowledgement after processing the broker keeps the backlog and sends at most 50 unacknowledged (prefetch). The consumer is killed at 3 s; the broker requeues its unacknowledged messages and delivers them again (redelivered), and the idempotent consumer applies each once."}
seed: 14
duration: 10s
cluster: { nodes: 1 }
queues: [{ name: orders, type: classic, durable: true }]
publishers:
  - { name: shop, routingKey: orders, mode: confirm, rate: 100/s, messageSize: 1KiB, persistent: true, inFlightMax: 100 }
consumers:
  - { name: billing, queue: orders, prefetch: 50, autoAck: ${autoAck}, processingTime: 20ms, idempotent: ${!autoAck} }
faults:
  - { at: 3s, verb: processCrash, node: billing }
  - { at: 4s, verb: restart, node: billing }
checks: [lost, lost-effects, duplicated-effects]
`;
}

/** C14's publisher side: 5000 msg/s offered to one node, with confirms or with a transaction per message. */
function publishMode(mode: "confirm" | "tx"): string {
  return `
system: rabbitmq
version: "3.12"
name: c14-${mode === "confirm" ? "confirms" : "transactions"}
description: RabbitMQ 3.12, whose message store fsyncs before a persistent message is confirmed or committed (from 3.13 on classic queues fsync less, and in 4.x not at all, so a commit costs a round trip only). ${mode === "confirm" ? "Publisher confirms, asynchronous, up to 1000 unconfirmed; the message store's group commit covers many messages with one fsync, so the offered 5000 msg/s are carried." : "tx.select, then each message is published and committed (tx.commit) before the next; every commit waits for its fsync and a round trip, so only a fraction of the offered 5000 msg/s gets through."} Nothing confirmed or committed is lost either way.
seed: 14
duration: 5s
cluster: { nodes: 1 }
queues: [{ name: orders, type: classic, durable: true }]
publishers:
  - { name: shop, routingKey: orders, mode: ${mode}, rate: 5k/s, messageSize: 1KiB, persistent: true, inFlightMax: 1000 }
checks: [lost]
`;
}

/** C14 inside the broker: the only node loses power; what a confirm meant decides what comes back. */
function powerLoss(version: "3.12" | "4.x"): string {
  return `
system: rabbitmq
version: "${version}"
name: c14-power-loss-${version === "4.x" ? "4x" : "3-12"}
description: One node, one durable classic queue, persistent 1 KiB messages with publisher confirms at 200 msg/s; the node loses power at 3 s and restarts at 4 s. ${version === "4.x" ? "RabbitMQ 4.x classic queues (CQv2) confirm once a message is written to the OS, without fsync, so what the kernel had not yet written back (dirty pages wait up to 30 s) is gone, although it was confirmed, persistent and durable. Quorum queues, which confirm after a majority fsynced, or 3.12's fsync close this path." : "RabbitMQ 3.12's message store fsyncs before it confirms a persistent message, so everything confirmed is on the disk when the power goes."}
seed: 14
duration: 6s
cluster: { nodes: 1 }
queues: [{ name: orders, type: classic, durable: true }]
publishers:
  - { name: shop, routingKey: orders, mode: confirm, rate: 200/s, messageSize: 1KiB, persistent: true, inFlightMax: 100 }
faults:
  - { at: 3s, verb: powerLoss, node: r1 }
  - { at: 4s, verb: restart, node: r1 }
checks: [lost]
`;
}

/**
 * Jepsen's 2014 RabbitMQ test (Kyle Kingsbury, "Call me maybe: RabbitMQ",
 * aphyr.com/posts/315): five nodes, one durable queue mirrored to three of
 * them with automatic synchronisation, publisher confirms, persistent
 * messages, cluster_partition_handling pause_minority; the network split
 * into random halves for 60 s, then healed for 60 s, five times; then
 * everything is drained. Published result: confirmed messages lost. The
 * halves below were drawn once (Python's random.seed(3)) and are fixed.
 * The quorum counterpart runs the same schedule on a quorum queue.
 */
const JEPSEN_2014_PARTITIONS = `
  - { at: 30s, verb: partition, spec: { kind: total, groups: [[r1, r3], [r4, r5, r2]] } }
  - { at: 90s, verb: heal }
  - { at: 150s, verb: partition, spec: { kind: total, groups: [[r2, r4], [r3, r1, r5]] } }
  - { at: 210s, verb: heal }
  - { at: 270s, verb: partition, spec: { kind: total, groups: [[r2, r1], [r5, r3, r4]] } }
  - { at: 330s, verb: heal }
  - { at: 390s, verb: partition, spec: { kind: total, groups: [[r1, r5], [r3, r4, r2]] } }
  - { at: 450s, verb: heal }
  - { at: 510s, verb: partition, spec: { kind: total, groups: [[r5, r3], [r1, r2, r4]] } }
  - { at: 570s, verb: heal }`;

function jepsen2014(queueType: "classic" | "quorum"): string {
  const mirrored = queueType === "classic";
  return `
system: rabbitmq
version: "${mirrored ? "3.13" : "4.x"}"
name: jepsen-2014${mirrored ? "" : "-quorum"}
description: Jepsen's 2014 RabbitMQ test. Five nodes, ${mirrored ? "one durable classic queue mirrored to three of them (ha-mode exactly 3, ha-sync-mode automatic)" : "one quorum queue (three replicas)"}, cluster_partition_handling pause_minority, five publishers with confirms and persistent messages, one per node. The network splits into random halves for 60 s, heals for 60 s, five times; then the queue is drained. ${mirrored ? "A node learns that its peers are gone only after net_ticktime (60 to 75 s of silence), so during a split the old master keeps its place and, once its lost mirrors are dropped, confirms on its own; the majority side promotes a mirror without those messages, and the minority side's copy is discarded when its paused nodes come back. Confirmed messages are lost, as Jepsen found." : "A quorum queue commits a message only on a majority of its replicas, so the minority side cannot confirm anything; the same schedule loses nothing."}
seed: 1
duration: 630s
cluster: { nodes: 5 }
config: { cluster_partition_handling: pause_minority }
queues: [{ name: jepsen, type: ${queueType}, durable: true, node: r1 }]
${mirrored ? `policies:
  - { name: ha, pattern: "^jepsen$", definition: { ha-mode: exactly, ha-params: 3, ha-sync-mode: automatic } }
` : ""}publishers:
  - { name: p, count: 5, routingKey: jepsen, mode: confirm, rate: 20/s, messageSize: 100B, persistent: true, inFlightMax: 20 }
faults:${JEPSEN_2014_PARTITIONS}
checks: [lost, unexpected]
budgets: { convergeWithin: 10m }
`;
}

/** C15: 200 msg/s into a queue whose consumer manages 50 msg/s, with a length limit or a TTL. */
function fullQueue(name: string, args: string, description: string): string {
  return `
system: rabbitmq
name: ${name}
description: ${description}
seed: 15
duration: 5s
cluster: { nodes: 1 }
queues: [{ name: orders, type: classic, durable: true, arguments: ${args} }]
publishers:
  - { name: shop, routingKey: orders, mode: confirm, rate: 200/s, messageSize: 1KiB, persistent: true, inFlightMax: 100 }
consumers:
  - { name: billing, queue: orders, prefetch: 10, processingTime: 20ms }
checks: [lost, unexpected]
`;
}

/**
 * R3 and R4: a durable classic queue homed on r1 of three nodes, confirmed
 * persistent messages and no consumer until the run's final read, so every
 * confirmed message is still queued when the mirrors change.
 */
/**
 * The schedules fast-check found and shrank (rabbitAnomalyCounterexamples,
 * search seed 20261122, replay seed 0; src/systems/rabbitmq/anomalies.ts).
 * presets.test.ts checks they are still what the search returns.
 */
export const SHRUNK_SCHEDULES: Readonly<Record<"r3" | "r4", string>> = {
  r3: `
  - { at: 0ns, verb: processCrash, node: r2 }
  - { at: 0ns, verb: processCrash, node: r3 }
  - { at: 0ns, verb: restart, node: r2 }
  - { at: 350971910ns, verb: processCrash, node: r1 }`,
  r4: `
  - { at: 64947109ns, verb: processCrash, node: r2 }
  - { at: 65315106ns, verb: processCrash, node: r1 }`,
};

function mirrorAnomaly(id: "r3" | "r4", variant: "named" | "shrunk" = "named"): PresetDocument[] {
  const r3 = id === "r3";
  const isShrunk = variant === "shrunk";
  const policy = (safe: boolean): string =>
    r3
      ? `{ ha-mode: all, ha-sync-mode: ${safe ? "automatic" : "manual"}, ha-promote-on-failure: always }`
      : `{ ha-mode: exactly, ha-params: 2, ha-sync-mode: manual, ha-promote-on-failure: ${safe ? "when-synced" : "always"} }`;
  const faults = isShrunk
    ? SHRUNK_SCHEDULES[id]
    : r3
    ? `
  - { at: 2s, verb: processCrash, node: r2 }
  - { at: 3s, verb: restart, node: r2 }
  - { at: 5s, verb: processCrash, node: r3 }
  - { at: 6s, verb: processCrash, node: r1 }`
    : `
  - { at: 2s, verb: processCrash, node: r2 }
  - { at: 5s, verb: processCrash, node: r1 }`;
  const story = isShrunk
    ? `The minimal fault schedule fast-check found and shrank for ${id.toUpperCase()} (replay seed 0), in which ${r3 ? "r2 and r3 die at once, r2 restarts empty (an unsynchronised mirror), then the master r1 dies at 351.0 ms" : "with ha-mode exactly 2, the mirror on r2 dies and the policy places an empty mirror on r3; the master r1 dies 0.4 ms later"}.`
    : r3
    ? "Mirror-all. r2 is killed at 2 s and restarts at 3 s; it rejoins as an empty mirror holding only what is published from then on. r3 (a synchronised mirror) dies at 5 s, the master r1 at 6 s, and r2 is the only mirror left."
    : "ha-mode exactly 2, one mirror. The mirror on r2 is killed at 2 s; the policy places a new, empty mirror on r3. The master r1 is killed at 5 s while r3 still lacks the messages from before 2 s.";
  const document = (safe: boolean): string => `
system: rabbitmq
version: "3.13"
name: ${id}${isShrunk ? "-shrunk" : ""}${safe ? "-safe" : ""}
description: ${story} ${
    r3
      ? safe
        ? "With ha-sync-mode automatic the rejoining mirror is synchronised at once (the queue blocks while it copies), so its promotion loses nothing."
        : "With ha-sync-mode manual (the default) it stays unsynchronised behind the backlog and is promoted anyway, so the older messages are lost."
      : safe
        ? "With ha-promote-on-failure when-synced the unsynchronised mirror is not promoted; the queue is unavailable until r1 returns (at the heal, 10 s) with its messages on disk."
        : "With ha-promote-on-failure always (the default) r3 is promoted and the messages it never had are lost."
  }
seed: ${isShrunk ? 0 : r3 ? 3 : 4}
duration: 10s
cluster: { nodes: 3 }
queues: [{ name: orders, type: classic, durable: true, node: r1 }]
policies:
  - { name: ha, pattern: "^orders$", definition: ${policy(safe)} }
publishers:
  - { name: shop, routingKey: orders, mode: confirm, rate: 100/s, messageSize: 100B, persistent: true, inFlightMax: 50, hosts: [r1, r2, r3] }
faults:${faults}
checks: [lost, unexpected]
budgets: { convergeWithin: 30s }
`;
  const title = r3
    ? "ha-sync-mode manual: a restarted node rejoins as an empty mirror; the master dies and that mirror is promoted"
    : "ha-promote-on-failure always: the master dies while its only mirror is unsynchronised, and that mirror is promoted";
  const name = `${id}${isShrunk ? "-shrunk" : ""}`;
  const prefix = isShrunk ? "shrunk counterexample: " : "";
  return [
    { name, claim: id.toUpperCase(), title: `${prefix}${title}: ${r3 ? "older messages lost" : "what it never had is lost"}`, expect: "safety-failed", yaml: document(false) },
    {
      name: `${name}-safe`,
      claim: id.toUpperCase(),
      title: prefix + (r3 ? "R3's safe counterpart, ha-sync-mode automatic: the same faults, nothing lost" : "R4's safe counterpart, ha-promote-on-failure when-synced: the same faults, unavailable until the master returns, nothing lost"),
      expect: "ok",
      yaml: document(true),
    },
  ];
}

const RABBITMQ_PRESET_DOCUMENTS: readonly PresetDocument[] = [
  {
    name: "c5-single-node-durable",
    claim: "C5",
    title: "One RabbitMQ node: its outage is the unavailability; a durable queue with persistent messages loses nothing across the restart",
    expect: "ok",
    yaml: singleNode("c5-single-node-durable", true),
  },
  {
    name: "c5-single-node-transient",
    claim: "C5",
    title: "One RabbitMQ node, transient messages: confirmed, queued in memory, gone after the restart",
    expect: "safety-failed",
    yaml: singleNode("c5-single-node-transient", false),
  },
  {
    name: "c6-classic-cluster",
    claim: "C6",
    title: "A classic queue in a 3-node cluster lives on its home node: clients elsewhere cost inter-node bytes; the home node's loss is an outage; persistent messages wait for its restart",
    expect: "ok",
    yaml: `
system: rabbitmq
name: c6-classic-cluster
description: The queue is declared on r1; the publisher is connected to r2 and the consumer to r3, so every message crosses the cluster twice (r2 to r1, r1 to r3). r1's process is killed at 3 s and restarted at 6 s. Nodes r2 and r3 stay up, yet the queue is unavailable for the whole outage; its persistent messages come back with r1.
seed: 6
duration: 10s
cluster: { nodes: 3 }
queues: [{ name: orders, type: classic, durable: true, node: r1 }]
publishers:
  - { name: shop, routingKey: orders, mode: confirm, rate: 200/s, messageSize: 1KiB, persistent: true, inFlightMax: 100, hosts: [r2] }
consumers:
  - { name: billing, queue: orders, prefetch: 20, processingTime: 2ms, idempotent: true, hosts: [r3] }
faults:
  - { at: 3s, verb: processCrash, node: r1 }
  - { at: 6s, verb: restart, node: r1 }
checks: [lost, lost-effects, unexpected]
`,
  },
  {
    name: "c7-mirror-all-3",
    claim: "C7",
    title: "Mirror-all on 3 nodes: about 2 replication bytes per published byte; the master's loss loses nothing",
    expect: "ok",
    yaml: mirrorAll(3),
  },
  {
    name: "c7-mirror-all-5",
    claim: "C7",
    title: "Mirror-all on 5 nodes: about 4 replication bytes per published byte for the same one queue; the master's loss loses nothing",
    expect: "ok",
    yaml: mirrorAll(5),
  },
  {
    name: "c14-auto-ack",
    claim: "C14",
    title: "Automatic acknowledgement: a consumer crash loses every message it held (delivered, never processed)",
    expect: "safety-failed",
    yaml: consumerCrash("c14-auto-ack", true),
  },
  {
    name: "c14-manual-ack",
    claim: "C14",
    title: "Manual acknowledgement after processing: the same crash redelivers what was unacknowledged; an idempotent consumer applies each message once",
    expect: "ok",
    yaml: consumerCrash("c14-manual-ack", false),
  },
  {
    name: "c14-confirms",
    claim: "C14",
    title: "Publisher confirms: 5000 msg/s offered, carried, each confirmed after its fsync",
    expect: "ok",
    yaml: publishMode("confirm"),
  },
  {
    name: "c14-transactions",
    claim: "C14",
    title: "Transactions (a commit per message): as safe as confirms, a small fraction of the throughput",
    expect: "ok",
    yaml: publishMode("tx"),
  },
  {
    name: "c14-power-loss-4x",
    claim: "C14",
    title: "RabbitMQ 4.x: durable queue, persistent messages, confirms, and a power loss still loses confirmed messages (classic queues no longer fsync)",
    expect: "safety-failed",
    yaml: powerLoss("4.x"),
  },
  {
    name: "c14-power-loss-3-12",
    claim: "C14",
    title: "RabbitMQ 3.12: the same power loss loses nothing confirmed (the message store fsyncs before confirming)",
    expect: "ok",
    yaml: powerLoss("3.12"),
  },
  {
    name: "c15-drop-head",
    claim: "C15",
    title: "x-max-length 50 with drop-head (the default): a full queue drops its oldest messages, confirmed ones included",
    expect: "safety-failed",
    yaml: fullQueue("c15-drop-head", "{ x-max-length: 50, x-overflow: drop-head }", "The publisher offers 200 msg/s, the consumer takes 50 msg/s, the queue holds at most 50. With drop-head every publish is confirmed and the oldest messages are discarded to make room."),
  },
  {
    name: "c15-reject-publish",
    claim: "C15",
    title: "x-max-length 50 with reject-publish: the overflow is refused (basic.nack), nothing confirmed is lost",
    expect: "ok",
    yaml: fullQueue("c15-reject-publish", "{ x-max-length: 50, x-overflow: reject-publish }", "The publisher offers 200 msg/s, the consumer takes 50 msg/s, the queue holds at most 50. With reject-publish the broker nacks what does not fit, so the publisher knows; what it confirmed is delivered."),
  },
  {
    name: "c15-ttl-expiry",
    claim: "C15",
    title: "x-message-ttl 500 ms: messages that wait longer in the queue expire unread",
    expect: "safety-failed",
    yaml: fullQueue("c15-ttl-expiry", "{ x-message-ttl: 500 }", "The publisher offers 200 msg/s, the consumer takes 50 msg/s; a message that waits more than 500 ms in the queue expires (and without a dead-letter exchange it is gone)."),
  },
  {
    name: "jepsen-2014",
    claim: "J14",
    title: "Jepsen 2014: a mirrored queue with pause_minority under random-halves partitions loses confirmed messages",
    expect: "safety-failed",
    yaml: jepsen2014("classic"),
  },
  {
    name: "jepsen-2014-quorum",
    claim: "J14",
    title: "Jepsen 2014's schedule on a quorum queue: nothing confirmed is lost",
    expect: "ok",
    yaml: jepsen2014("quorum"),
  },
  ...mirrorAnomaly("r3"),
  ...mirrorAnomaly("r4"),
  ...mirrorAnomaly("r3", "shrunk"),
  ...mirrorAnomaly("r4", "shrunk"),
];

/** RabbitMQ 3.12 classic queues: the message store fsyncs before confirming (classic-persistence.ts). */
const RABBIT_FSYNCED: SafetyClaim = { survives: ["crash", "pause", "partition", "power-loss"] };

/** RabbitMQ 4.x classic queues (CQv2): confirmed once written to the OS, never fsynced (classic-persistence.ts). */
const RABBIT_WRITTEN: SafetyClaim = {
  survives: ["crash", "pause", "partition"],
  notSafeAgainst:
    "RabbitMQ 4.x classic queues (CQv2) confirm a persistent message once it is written, without fsync, so a power loss before writeback loses confirmed messages; quorum queues (a majority fsynced) or 3.12's message store close it",
};

const MIRRORED_PARTITIONS =
  "a partition longer than net_ticktime lets both sides promote and confirm: with cluster_partition_handling ignore they stay split after it heals until an operator restarts one side, whose confirmed messages are then discarded; with pause_minority the minority master confirms with the mirrors beside it (jepsen-2014)";

const MIRRORED: SafetyClaim = { survives: ["crash", "pause", "power-loss"], notSafeAgainst: MIRRORED_PARTITIONS };

/**
 * What each safe preset is safe against, found by searching it with each kind
 * of fault alone (mqsim check --faults <kind> --runs 200, search seed 42,
 * 2026-12-06; the 4.x classic presets and the mirrored ones' power-loss
 * claims revised 2026-12-07 with the version field and the fsynced queue
 * records).
 */
const RABBITMQ_SAFETY_CLAIMS: Readonly<Record<string, SafetyClaim>> = {
  "c5-single-node-durable": RABBIT_WRITTEN,
  "c6-classic-cluster": RABBIT_WRITTEN,
  "c14-manual-ack": RABBIT_WRITTEN,
  "c14-confirms": RABBIT_FSYNCED,
  "c14-transactions": RABBIT_FSYNCED,
  "c14-power-loss-3-12": RABBIT_FSYNCED,
  "c15-reject-publish": RABBIT_WRITTEN,
  "c7-mirror-all-3": MIRRORED,
  "c7-mirror-all-5": MIRRORED,
  // A power loss of every node in turn used to restart the queue from a node that had not seen the last
  // confirmed message: the queue records were never fsynced. They are now (broker.ts storeRecord).
  "r3-safe": MIRRORED,
  "r4-safe": MIRRORED,
  "r3-shrunk-safe": MIRRORED,
  "r4-shrunk-safe": MIRRORED,
};

export const RABBITMQ_PRESETS: readonly Preset[] = RABBITMQ_PRESET_DOCUMENTS.map(presetFromYaml).map((preset) => withClaim(preset, RABBITMQ_SAFETY_CLAIMS));
