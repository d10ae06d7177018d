/**
 * (a) Kafka's replication cost at a fixed offered load: one runKafka run
 * (producers send for the send phase, then the cluster settles until every
 * replica's log equals its leader's and every batch has its answer), then
 * the world's byte counters of the whole run.
 *
 * Kafka replication is follower fetching on the data plane (class
 * `kafka-data`, the class clients use too), so "replication traffic" is the
 * data-plane bytes on broker↔broker links: Fetch requests from followers and
 * their responses carrying record batches, plus OffsetsForLeaderEpoch when a
 * follower starts. Controller heartbeats run between brokers and the
 * controller node, never broker to broker.
 */
import { DATA_CLASS } from "../../src/systems/kafka/protocol.js";
import { systemNamed, type KafkaRunSpec } from "../../src/systems/index.js";
import type { PointOptions, ReplicationCost } from "./design.js";
import { clusterSpec, EVENTS_MAX, producerNames, producerWorkloads } from "./kafka-setup.js";
import { ackedInHistory } from "./window-acks.js";
import { clientToServerBytes, serverToServerBytes } from "./traffic.js";

export function measureKafkaReplicationCost(brokers: number, partitions: number, options: PointOptions): ReplicationCost {
  const load = options.fixedLoad;
  const names = producerNames(load.producers);
  const messagesPerSecondEach = load.bytesPerSec / options.messageBytes / load.producers;
  const kafka = systemNamed("kafka");
  const spec: KafkaRunSpec = {
    seed: options.seed,
    cluster: clusterSpec(brokers, partitions),
    producers: producerWorkloads(names, partitions, messagesPerSecondEach, load.messagesPerSend, options.messageBytes),
    faults: [],
    faultPhaseNs: load.sendPhaseNs,
    convergeNsMax: load.convergeNsMax,
    eventsMax: EVENTS_MAX,
    checks: { checks: ["lost"] },
  };
  const result = kafka.run(spec);
  const facts = kafka.facts(spec, result);
  const lost = result.checks.find((check) => check.check === "lost");
  if (lost === undefined) throw new Error("the lost check did not run");
  const { ackedMessages, ackedBatches } = ackedInHistory(result.history);
  if (ackedMessages !== lost.counts["acked"]) throw new Error(`acknowledged ${ackedMessages} by the history, ${lost.counts["acked"]} by the lost check`);

  const links = facts.world.links;
  const servers = new Set(facts.serverNodes);
  const replication = serverToServerBytes(links, servers);
  return {
    offeredBytesPerSec: load.bytesPerSec,
    ackedMessages,
    ackedBatches,
    ackedPayloadBytes: ackedMessages * options.messageBytes,
    replicationWireBytes: replication.bytes,
    // No faults, so each follower holds its leader's whole log: what replication copied.
    replicationRecordBytes: facts.followerRecordBytes ?? null,
    produceWireBytes: clientToServerBytes(links, new Set(names), servers, DATA_CLASS),
    counted:
      `bytes on broker↔broker links, both directions, every traffic class (seen there: ${replication.classes.join(", ") || "none"}): ` +
      "Fetch requests and responses of the follower replicas (record batches with their 61-byte headers, 64 bytes of header per request and per response) and Ethernet/IP/TCP framing (90 bytes per 1448-byte frame)",
    classes: replication.classes,
    lostMessages: (lost.counts["lost"] ?? 0) + (lost.counts["unseen"] ?? 0),
    converged: result.liveness.isConverged,
    digest: result.digest,
    events: result.events,
  };
}
