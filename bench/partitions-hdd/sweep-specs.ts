/**
 * The run spec of one sweep point for each system: one broker on one disk
 * profile with P partitions (Kafka) or P queues (RocketMQ), the producers of
 * settings.ts, no faults, no checks, probes at the window's ends.
 */
import type { KafkaRunSpec, RabbitRunSpec, RocketRunSpec } from "../../src/systems/index.js";
import type { DiskProfileName } from "../../src/world/disk-profile.js";
import {
  MESSAGE_BYTES,
  MESSAGES_PER_SEND,
  OFFERED_BYTES_PER_SEC_EACH,
  PRODUCER_CONFIG,
  PRODUCERS,
  RABBIT_CONFIRMS_IN_FLIGHT,
  ROCKET_SENDER_THREADS,
  SEED,
  TOPIC,
  type SweepSystem,
  type Timing,
} from "./settings.js";

const EVENTS_MAX = 500_000_000;

/** What every point shares: the producers offer load for the whole run; nothing waits for the backlog to drain and nothing is checked (throughput only). */
function sequenceOf(timing: Timing): Pick<KafkaRunSpec, "seed" | "faults" | "faultPhaseNs" | "convergeNsMax" | "eventsMax" | "checks" | "probesAtNs"> {
  return { seed: SEED, faults: [], faultPhaseNs: timing.runNs, convergeNsMax: 0, eventsMax: EVENTS_MAX, checks: { checks: [] }, probesAtNs: [timing.windowFromNs, timing.windowToNs] };
}

const producerNames = (): string[] => Array.from({ length: PRODUCERS }, (_, k) => `p${k + 1}`);

function kafkaSpec(disk: DiskProfileName, partitions: number, timing: Timing): KafkaRunSpec {
  return {
    ...sequenceOf(timing),
    cluster: { brokers: 1, topics: [{ name: TOPIC, partitions, replicationFactor: 1 }], config: {}, disk },
    producers: producerNames().map((name) => ({
      name,
      topic: TOPIC,
      partitions,
      messagesPerSecond: OFFERED_BYTES_PER_SEC_EACH / MESSAGE_BYTES,
      messagesPerSend: MESSAGES_PER_SEND,
      bytesPerMessage: MESSAGE_BYTES,
      config: PRODUCER_CONFIG,
    })),
  };
}

/** One NameServer and one master (broker.conf defaults: ASYNC_MASTER, ASYNC_FLUSH); the topic's P queues are P consume queue files beside the one commit log. */
function rocketSpec(disk: DiskProfileName, queues: number, timing: Timing): RocketRunSpec {
  return {
    ...sequenceOf(timing),
    cluster: { nameServers: 1, brokerGroups: 1, slavesPerGroup: 0, broker: {}, topics: [{ name: TOPIC, queueNums: queues }], disk },
    producers: producerNames().map((name) => ({
      name,
      topic: TOPIC,
      messagesPerSecond: OFFERED_BYTES_PER_SEC_EACH / MESSAGE_BYTES,
      messagesPerSend: MESSAGES_PER_SEND,
      bodyBytes: MESSAGE_BYTES,
      senderThreads: ROCKET_SENDER_THREADS,
      config: {},
    })),
    consumers: [],
  };
}

/** One node with P durable classic queues and one confirming publisher per queue, offering the same load in all. */
function rabbitSpec(version: "3.13" | "4.x", disk: DiskProfileName, queues: number, timing: Timing): RabbitRunSpec {
  const names = Array.from({ length: queues }, (_, k) => `q${k + 1}`);
  return {
    ...sequenceOf(timing),
    cluster: { nodes: 1, config: { version }, queues: names.map((name) => ({ name, type: "classic" as const, durable: true, node: "r1" })), disk },
    publishers: names.map((queue, k) => ({
      name: `p${k + 1}`,
      exchange: "",
      routingKey: queue,
      mode: "confirm" as const,
      ratePerSec: (PRODUCERS * OFFERED_BYTES_PER_SEC_EACH) / MESSAGE_BYTES / queues,
      messageBytes: MESSAGE_BYTES,
      batch: MESSAGES_PER_SEND,
      persistent: true,
      inFlightMax: RABBIT_CONFIRMS_IN_FLIGHT,
    })),
    consumers: [],
  };
}

/** The registry's name of the system a sweep line runs. */
export function modelNameOf(system: SweepSystem): "kafka" | "rocketmq" | "rabbitmq" {
  return system === "kafka" || system === "rocketmq" ? system : "rabbitmq";
}

export function sweepSpecOf(system: SweepSystem, disk: DiskProfileName, partitions: number, timing: Timing): KafkaRunSpec | RocketRunSpec | RabbitRunSpec {
  switch (system) {
    case "kafka":
      return kafkaSpec(disk, partitions, timing);
    case "rocketmq":
      return rocketSpec(disk, partitions, timing);
    case "rabbitmq-3.13":
      return rabbitSpec("3.13", disk, partitions, timing);
    case "rabbitmq-4.x":
      return rabbitSpec("4.x", disk, partitions, timing);
  }
}
