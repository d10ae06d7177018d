/**
 * The RabbitMQ lines' two measurements, from the model's own counters:
 * (a) replication cost at a fixed offered load: one runRabbitMq run, the
 *     brokers' wire bytes of mirror and Raft messages ÷ confirmed payload;
 * (b) maximum throughput: far more offered than one queue can take, the
 *     confirmed rate in a steady window, and what was busy: every NIC
 *     direction and disk, plus each queue process's CPU (one core each).
 */
import { History } from "../../src/history/history.js";
import { Kernel } from "../../src/kernel/kernel.js";
import { buildRabbitCluster } from "../../src/systems/rabbitmq/cluster.js";
import { CLIENT_TRAFFIC } from "../../src/systems/rabbitmq/client-connection.js";
import { RabbitConsumer } from "../../src/systems/rabbitmq/consumer.js";
import { RabbitPublisher } from "../../src/systems/rabbitmq/publisher.js";
import { runRabbitMq } from "../../src/systems/rabbitmq/run.js";
import { resourcesBetween } from "./bottleneck.js";
import type { PointOptions, ReplicationCost, ResourceUse, SaturationThroughput } from "./design.js";
import { NIC } from "./kafka-setup.js";
import { consumerWorkloads, publisherWorkloads, queueCpuBusy, schedulerBusy, queueNames, RABBIT_EVENTS_MAX, rabbitClusterSpec, replicationWireBytes, type RabbitLayout } from "./rabbitmq-setup.js";
import { clientToServerBytes, serverToServerBytes, snapshotCounters } from "./traffic.js";
import { ackedInHistory, windowAcks } from "./window-acks.js";

/** One queue cannot carry Kafka's 100 MB/s (it is one core): the RabbitMQ lines' fixed load is 20 MB/s. */
export const RABBIT_FIXED_BYTES_PER_SEC = 20_000_000;
/** Offered to each queue in the saturation runs: ~4× what one queue process can do. */
export const RABBIT_SATURATION_MSG_PER_SEC_PER_QUEUE = 200_000;

export function measureRabbitReplicationCost(layout: RabbitLayout, nodes: number, options: PointOptions): ReplicationCost {
  const load = options.fixedLoad;
  const publishers = publisherWorkloads(layout, nodes, load.producers, RABBIT_FIXED_BYTES_PER_SEC / options.messageBytes, options.messageBytes);
  const result = runRabbitMq({
    seed: options.seed,
    cluster: rabbitClusterSpec(layout, nodes),
    publishers,
    consumers: consumerWorkloads(layout, nodes),
    faults: [],
    faultPhaseNs: load.sendPhaseNs,
    convergeNsMax: load.convergeNsMax,
    eventsMax: RABBIT_EVENTS_MAX,
    checks: { checks: ["lost"] },
  });
  const lost = result.checks.find((check) => check.check === "lost");
  if (lost === undefined) throw new Error("the lost check did not run");
  const { ackedMessages, ackedBatches } = ackedInHistory(result.history);
  const links = result.cluster.world.links();
  const servers = new Set(result.cluster.nodeNames);
  const all = serverToServerBytes(links, servers);
  const replication = replicationWireBytes(result.cluster.brokers.values());
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
  const consumers = consumerWorkloads(layout, nodes);
  const clients = [...publishers.map((p) => p.name), ...consumers.map((c) => c.name)];
  const kernel = new Kernel({ seed: options.seed, budgets: { eventsMax: RABBIT_EVENTS_MAX, timeNsMax: sat.runNs } });
  const cluster = buildRabbitCluster(kernel, { ...rabbitClusterSpec(layout, nodes), clients });
  const { world } = cluster;
  const config = cluster.plan.config;
  const history = new History();
  const rotate = (k: number): string[] => [...cluster.nodeNames.slice(k % nodes), ...cluster.nodeNames.slice(0, k % nodes)];
  publishers.forEach((workload, i) => world.install(workload.name, new RabbitPublisher(world, workload, workload.hosts ?? rotate(i), history, sat.runNs, config.clientReconnectNs, config.clientTimeoutNs, config.heartbeat * 1_000_000_000)));
  consumers.forEach((workload, i) => world.install(workload.name, new RabbitConsumer(world, workload, workload.hosts ?? rotate(i), history, null, config.clientReconnectNs, config.heartbeat * 1_000_000_000)));
  world.boot();
  const runTo = (untilNs: number): void => {
    const result = kernel.scheduler.run({ untilNs });
    if (result.reason !== "time-reached" && result.reason !== "idle") throw new Error(`RabbitMQ saturation run (${layout}, N=${nodes}) stopped early: ${result.reason}`);
  };
  const servers = new Set(cluster.nodeNames);
  runTo(sat.windowFromNs);
  const before = snapshotCounters(world, servers);
  const cpuBefore = queueCpuBusy(cluster.brokers);
  const schedulersBefore = schedulerBusy(cluster.brokers);
  runTo(sat.windowToNs);
  const after = snapshotCounters(world, servers);
  const cpuAfter = queueCpuBusy(cluster.brokers);
  const schedulersAfter = schedulerBusy(cluster.brokers);
  const windowNs = sat.windowToNs - sat.windowFromNs;
  const offeredBytesPerSec = offeredMessages * options.messageBytes;
  const { acks, ackedBytes } = windowAcks(history, sat, options.messageBytes, offeredBytesPerSec);
  const resources: ResourceUse[] = resourcesBetween(before, after, NIC, { servers, clients: new Set(clients) });
  for (const [process, busyNs] of cpuAfter) {
    const share = (busyNs - (cpuBefore.get(process) ?? 0)) / windowNs;
    const node = process.split(" ")[0]!;
    resources.push({ node, kind: "CPU (queue process)", side: "server", resource: `${process} CPU`, share });
  }
  for (const [node, use] of schedulersAfter) {
    const share = (use.busyNs - (schedulersBefore.get(node)?.busyNs ?? 0)) / (use.count * windowNs);
    resources.push({ node, kind: "CPU (schedulers)", side: "server", resource: `${node} schedulers CPU`, share });
  }
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
    digest: kernel.digestHex(),
    events: kernel.scheduler.eventsFired,
  };
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
