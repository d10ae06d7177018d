/**
 * The RabbitMQ lines' two measurements, from the model's own counters as
 * plain data (the run's facts and probes, through the system registry):
 * (a) replication cost at a fixed offered load: one runRabbitMq run, the
 *     brokers' wire bytes of mirror and Raft messages ÷ confirmed payload;
 * (b) maximum throughput: far more offered than one queue can take, the
 *     confirmed rate in a steady window, and what was busy: every NIC
 *     direction and disk, plus each queue process's CPU (one core each).
 */
import { systemNamed, type RabbitRunSpec } from "../../src/systems/index.js";
import { CLIENT_TRAFFIC } from "../../src/systems/rabbitmq/client-connection.js";
import { resourcesBetween } from "./bottleneck.js";
import type { PointOptions, ReplicationCost, ResourceUse, SaturationThroughput } from "./design.js";
import { NIC } from "./kafka-setup.js";
import { consumerWorkloads, publisherWorkloads, queueNames, RABBIT_EVENTS_MAX, rabbitClusterSpec, type RabbitLayout } from "./rabbitmq-setup.js";
import { probedWindow, windowProbesAtNs } from "./probe-window.js";
import { threadsBetween } from "./threads.js";
import { clientToServerBytes, serverToServerBytes, snapshotCounters } from "./traffic.js";
import { ackedInHistory, windowAcks } from "./window-acks.js";

/** One queue cannot carry Kafka's 100 MB/s (it is one core): the RabbitMQ lines' fixed load is 20 MB/s. */
export const RABBIT_FIXED_BYTES_PER_SEC = 20_000_000;
/** Offered to each queue in the saturation runs: ~4× what one queue process can do. */
export const RABBIT_SATURATION_MSG_PER_SEC_PER_QUEUE = 200_000;

export function measureRabbitReplicationCost(layout: RabbitLayout, nodes: number, options: PointOptions): ReplicationCost {
  const load = options.fixedLoad;
  const publishers = publisherWorkloads(layout, nodes, load.producers, RABBIT_FIXED_BYTES_PER_SEC / options.messageBytes, options.messageBytes);
  const rabbitmq = systemNamed("rabbitmq");
  const spec: RabbitRunSpec = {
    seed: options.seed,
    cluster: rabbitClusterSpec(layout, nodes),
    publishers,
    consumers: consumerWorkloads(layout, nodes),
    faults: [],
    faultPhaseNs: load.sendPhaseNs,
    convergeNsMax: load.convergeNsMax,
    eventsMax: RABBIT_EVENTS_MAX,
    checks: { checks: ["lost"] },
  };
  const result = rabbitmq.run(spec);
  const facts = rabbitmq.facts(spec, result);
  const lost = result.checks.find((check) => check.check === "lost");
  if (lost === undefined) throw new Error("the lost check did not run");
  const { ackedMessages, ackedBatches } = ackedInHistory(result.history);
  const links = facts.world.links;
  const servers = new Set(facts.serverNodes);
  const all = serverToServerBytes(links, servers);
  // The brokers' own counters of replication messages, by kind (mirror-*, raft).
  const replication = facts.interNode(all.bytes, ackedMessages * options.messageBytes).replicationBytes ?? 0;
  return {
    offeredBytesPerSec: RABBIT_FIXED_BYTES_PER_SEC,
    ackedMessages,
    ackedBatches,
    ackedPayloadBytes: ackedMessages * options.messageBytes,
    replicationWireBytes: replication,
    replicationRecordBytes: null,
    produceWireBytes: clientToServerBytes(links, new Set(publishers.map((p) => p.name)), servers, CLIENT_TRAFFIC),
    counted:
      "wire bytes (framing included) of the replication messages the nodes sent each other, from the brokers' counters by message kind: " +
      `mirror-publish / mirror-channel-copy / mirror-publish-ok / mirror-remove / mirror-sync (classic mirroring: the master's copies and the channel's own to each mirror) and raft (quorum queues). All node↔node bytes, forwarding and metadata included: ${(all.bytes / Math.max(1, ackedMessages * options.messageBytes)).toFixed(3)} per payload byte`,
    classes: all.classes,
    lostMessages: (lost.counts["lost"] ?? 0) + (lost.counts["unseen"] ?? 0),
    converged: result.liveness.isConverged,
    digest: result.digest,
    events: result.events,
  };
}

export function measureRabbitSaturation(layout: RabbitLayout, nodes: number, options: PointOptions): SaturationThroughput {
  const sat = options.saturation;
  const queues = queueNames(layout, nodes);
  const offeredMessages = RABBIT_SATURATION_MSG_PER_SEC_PER_QUEUE * queues.length;
  const publishers = publisherWorkloads(layout, nodes, 4, offeredMessages, options.messageBytes);
  // Consumer k on the k-th node round robin (the run places clients without hosts one node further on).
  const consumers = consumerWorkloads(layout, nodes).map((workload, k) => ({ ...workload, hosts: workload.hosts ?? rotate(nodes, k) }));
  const rabbitmq = systemNamed("rabbitmq");
  const spec: RabbitRunSpec = {
    seed: options.seed,
    cluster: rabbitClusterSpec(layout, nodes),
    publishers,
    consumers,
    faults: [],
    faultPhaseNs: sat.runNs,
    convergeNsMax: 0,
    eventsMax: RABBIT_EVENTS_MAX,
    checks: { checks: [] },
    probesAtNs: windowProbesAtNs(sat),
  };
  const result = rabbitmq.run(spec);
  const window = probedWindow(result, sat, `RabbitMQ saturation run (${layout}, N=${nodes})`);
  const servers = new Set(rabbitmq.facts(spec, result).serverNodes);
  const clients = new Set([...publishers.map((p) => p.name), ...consumers.map((c) => c.name)]);
  const before = snapshotCounters(window.first.atNs, window.first.world, servers);
  const after = snapshotCounters(window.last.atNs, window.last.world, servers);
  const offeredBytesPerSec = offeredMessages * options.messageBytes;
  const { acks, ackedBytes } = windowAcks(result.history, sat, options.messageBytes, offeredBytesPerSec);
  const resources: ResourceUse[] = [...resourcesBetween(before, after, NIC, { servers, clients }), ...threadsBetween(window.first, window.last)];
  resources.sort((a, b) => b.share - a.share || (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
  preferSaturatedCpu(resources);
  return {
    offeredBytesPerSec,
    producers: publishers.length,
    windowFromNs: sat.windowFromNs,
    windowToNs: sat.windowToNs,
    ...acks,
    resources,
    producerWindowUse: null,
    producerBufferFullShare: null,
    replicationWirePerPayload: (after.serverToServerBytes - before.serverToServerBytes) / ackedBytes,
    digest: result.digest,
    events: result.events,
  };
}

/** Node names r1..rN starting at the k-th. */
function rotate(nodes: number, k: number): string[] {
  const names = Array.from({ length: nodes }, (_, i) => `r${i + 1}`);
  return [...names.slice(k % nodes), ...names.slice(0, k % nodes)];
}

/**
 * A disk doing group commit is busy whenever anything is waiting, so it
 * reads ~100 % at any rate: more fsyncs would just carry fewer messages each.
 * A queue process at ~100 % CPU is the real limit (a faster core would
 * raise the rate), so when both are saturated the CPU is named.
 */
function preferSaturatedCpu(resources: ResourceUse[]): void {
  const top = resources[0];
  if (top === undefined || top.kind !== "disk") return;
  const cpu = resources.findIndex((r) => r.kind.startsWith("CPU") && r.share >= top.share - 0.02);
  if (cpu > 0) resources.unshift(...resources.splice(cpu, 1));
}
