/**
 * The run spec of one comparison point for each system, in its own terms:
 * one machine (no replication) or three (each system's replicated setup),
 * `destinations` partitions or queues, producers offering the point's load,
 * and one consumer per destination when the point reads. No faults, no
 * checks; probes at the window's ends.
 *
 * - Kafka: 8 producers (defaults: acks=all, idempotence, batch.size 16 KiB,
 *   linger.ms 5 in 4.x), one topic; three brokers: replication factor 3 and
 *   min.insync.replicas 2. Consumers: one group, one member per partition.
 * - RocketMQ: a NameServer and one broker group (broker.conf defaults:
 *   ASYNC_MASTER, ASYNC_FLUSH); three: the master and two slaves, SYNC_MASTER.
 *   8 producers of 8 threads calling the synchronous send(); one consumer group.
 * - RabbitMQ (3.13 and 4.x): durable classic queues on one node, quorum queues
 *   on three; one publisher per queue with confirms (5,000 unconfirmed at
 *   most), persistent messages; one consumer per queue, manual acks.
 * - ActiveMQ (5.18): KahaDB on the broker's disk (journalDiskSyncStrategy
 *   ALWAYS, concurrentStoreAndDispatchQueues); three: a master and a slave on
 *   an NFSv4 store (the third machine). 64 producer sessions of persistent
 *   sync sends (the JMS default), each to its queues in turn; one consumer
 *   per queue, AUTO_ACKNOWLEDGE, prefetch 1000.
 */
import type { SystemRunSpec } from "../../src/run/system.js";
import type { ActiveMqRunSpec, KafkaRunSpec, RabbitRunSpec, RocketRunSpec } from "../../src/systems/index.js";
import { PRODUCERS, RABBIT_CONFIRMS_IN_FLIGHT, SEED, SYNC_SENDERS, type PointParams } from "./settings.js";

const SECOND = 1_000_000_000;
const EVENTS_MAX = 1_000_000_000;
const TOPIC = "t";

function sequenceOf(point: PointParams): Pick<KafkaRunSpec, "seed" | "faults" | "faultPhaseNs" | "convergeNsMax" | "eventsMax" | "checks" | "probesAtNs"> {
  const { timing } = point;
  return { seed: SEED, faults: [], faultPhaseNs: timing.runNs, convergeNsMax: 0, eventsMax: EVENTS_MAX, checks: { checks: [] }, probesAtNs: [timing.windowFromNs, timing.windowToNs] };
}

const names = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, k) => `${prefix}${k + 1}`);

function kafkaSpec(point: PointParams): KafkaRunSpec {
  const partitions = point.destinations;
  return {
    ...sequenceOf(point),
    cluster: { brokers: point.nodes, topics: [{ name: TOPIC, partitions, replicationFactor: point.nodes }], config: point.nodes === 3 ? { "min.insync.replicas": 2 } : {}, disk: point.disk },
    producers: names("p", PRODUCERS).map((name) => ({
      name,
      topic: TOPIC,
      partitions,
      messagesPerSecond: point.offeredMessagesPerSec / PRODUCERS,
      messagesPerSend: point.messagesPerSend,
      bytesPerMessage: point.messageBytes,
      config: {},
    })),
    consumers: point.withConsumers ? names("c", partitions).map((name) => ({ name, group: "g", topics: [TOPIC], config: { "mqsim.processing.ms": 0 } })) : [],
  };
}

function rocketSpec(point: PointParams): RocketRunSpec {
  const threadsPerProducer = SYNC_SENDERS / PRODUCERS;
  return {
    ...sequenceOf(point),
    cluster: {
      nameServers: 1,
      brokerGroups: 1,
      slavesPerGroup: point.nodes === 3 ? 2 : 0,
      broker: point.nodes === 3 ? { brokerRole: "SYNC_MASTER" } : {},
      topics: [{ name: TOPIC, queueNums: point.destinations }],
      disk: point.disk,
    },
    producers: names("p", PRODUCERS).map((name) => ({
      name,
      topic: TOPIC,
      messagesPerSecond: point.offeredMessagesPerSec / PRODUCERS,
      messagesPerSend: point.messagesPerSend,
      bodyBytes: point.messageBytes,
      senderThreads: threadsPerProducer,
      config: {},
    })),
    consumers: point.withConsumers ? names("c", Math.min(point.destinations, PRODUCERS)).map((name) => ({ name, group: "g", topic: TOPIC, processNsPerMessage: 0 })) : [],
  };
}

function rabbitSpec(point: PointParams, version: "3.13" | "4.x"): RabbitRunSpec {
  const queues = names("q", point.destinations);
  return {
    ...sequenceOf(point),
    cluster: { nodes: point.nodes, config: { version }, queues: queues.map((name) => ({ name, type: point.nodes === 3 ? ("quorum" as const) : ("classic" as const), durable: true })), disk: point.disk },
    publishers: queues.map((queue, k) => ({
      name: `p${k + 1}`,
      exchange: "",
      routingKey: queue,
      mode: "confirm" as const,
      ratePerSec: point.offeredMessagesPerSec / queues.length,
      messageBytes: point.messageBytes,
      batch: point.messagesPerSend,
      persistent: true,
      inFlightMax: RABBIT_CONFIRMS_IN_FLIGHT,
    })),
    consumers: point.withConsumers ? queues.map((queue, k) => ({ name: `c${k + 1}`, queue, prefetch: 0, autoAck: false, processNsPerMessage: 0 })) : [],
  };
}

function activeMqSpec(point: PointParams, concurrentStoreAndDispatchQueues: boolean): ActiveMqRunSpec {
  const queues = names("q", point.destinations);
  // Fewer queues than producers: producer k sends to queue k mod P; more: to the queues k, k + 64, k + 128, … in turn.
  const queuesOf = (k: number): string[] => (queues.length <= SYNC_SENDERS ? [queues[k % queues.length]!] : queues.filter((_, j) => j % SYNC_SENDERS === k));
  return {
    ...sequenceOf(point),
    cluster: {
      brokers: point.nodes === 3 ? ["b1", "b2"] : ["b1"],
      ...(point.nodes === 3 ? { sharedStore: { server: "nfs", lockRecovery: "lease" as const, leaseNs: 30 * SECOND } } : {}),
      queues,
      disk: point.disk,
      concurrentStoreAndDispatchQueues,
    },
    producers: names("p", SYNC_SENDERS).map((name, k) => {
      const own = queuesOf(k);
      return { name, destination: own[0]!, ...(own.length > 1 ? { destinations: own } : {}), messagesPerSecond: point.offeredMessagesPerSec / SYNC_SENDERS, bodyBytes: point.messageBytes };
    }),
    consumers: point.withConsumers ? queues.map((queue, k) => ({ name: `c${k + 1}`, destination: queue, processNsPerMessage: 0 })) : [],
  };
}

/** The registry's name and the run spec of a point. */
export function specOf(point: PointParams): SystemRunSpec {
  switch (point.system) {
    case "kafka":
      return kafkaSpec(point);
    case "rocketmq":
      return rocketSpec(point);
    case "rabbitmq-3.13":
      return rabbitSpec(point, "3.13");
    case "rabbitmq-4.x":
      return rabbitSpec(point, "4.x");
    case "activemq":
      return activeMqSpec(point, true);
    case "activemq-direct":
      return activeMqSpec(point, false);
  }
}
