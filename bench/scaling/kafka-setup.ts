/**
 * The Kafka cluster and producers both Kafka measurements run: RF 3,
 * acks=all, min.insync.replicas=2, unclean election off, nvme disks, 10 GbE
 * (the world's default NIC), and the OpenMessaging Benchmark's
 * kafka-throughput producer settings (bench/models.ts).
 */
import type { KafkaBrokerConfig, KafkaProducerConfig } from "../../src/systems/kafka/config.js";
import { resolveProducerConfig } from "../../src/systems/kafka/producer-config.js";
import type { ProducerWorkload } from "../../src/systems/kafka/producer-workload.js";
import type { KafkaRunSpec } from "../../src/systems/kafka/run.js";
import { DEFAULT_NETWORK_OPTIONS, type NicSpec } from "../../src/world/network-options.js";

export const TOPIC = "t";
export const REPLICATION_FACTOR = 3;
export const DISK = "nvme";
export const BROKER_CONFIG: Partial<KafkaBrokerConfig> = { "min.insync.replicas": 2, "unclean.leader.election.enable": false };
/** OMB driver-kafka/kafka-throughput.yaml: batch.size 1 MiB, linger.ms 1; acks=all. Everything else is Kafka's default (idempotence on, 5 in flight). */
export const PRODUCER_CONFIG: Partial<KafkaProducerConfig> = { acks: "all", "batch.size": 1_048_576, "linger.ms": 1 };
/** The NIC every node has: the world's default (the cluster spec sets no network options). */
export const NIC: NicSpec = DEFAULT_NETWORK_OPTIONS.nic;
/** Far above what any run here fires; a runaway run stops instead of hanging. */
export const EVENTS_MAX = 500_000_000;

/** Requests one producer may have unanswered per broker connection, as the producer resolves its settings. */
export const IN_FLIGHT_MAX = resolveProducerConfig(PRODUCER_CONFIG).inFlightMax;

export function clusterSpec(brokers: number, partitions: number): KafkaRunSpec["cluster"] {
  return {
    brokers,
    topics: [{ name: TOPIC, partitions, replicationFactor: REPLICATION_FACTOR }],
    config: BROKER_CONFIG,
    disk: DISK,
  };
}

export function producerNames(count: number): string[] {
  return Array.from({ length: count }, (_, k) => `p${k + 1}`);
}

/** Producers that each write every partition round robin, one hand-off of `messagesPerSend` at a time. */
export function producerWorkloads(names: readonly string[], partitions: number, messagesPerSecondEach: number, messagesPerSend: number, messageBytes: number): ProducerWorkload[] {
  return names.map((name) => ({
    name,
    topic: TOPIC,
    partitions,
    messagesPerSecond: messagesPerSecondEach,
    messagesPerSend,
    bytesPerMessage: messageBytes,
    config: PRODUCER_CONFIG,
  }));
}

/** The settings lines the report prints for a Kafka design. */
export function kafkaSettings(partitionsPerBroker: number): string[] {
  const resolved = resolveProducerConfig(PRODUCER_CONFIG).kafka;
  return [
    `one topic, P = ${partitionsPerBroker === 1 ? "" : partitionsPerBroker}N partitions, replication factor ${REPLICATION_FACTOR}; replicas of partition p on brokers p, p+1, p+2 (mod N), so leaders and followers are spread evenly`,
    `brokers: min.insync.replicas=${BROKER_CONFIG["min.insync.replicas"]}, unclean.leader.election.enable=false, otherwise Kafka's defaults (replica.fetch.max.bytes=1048576, replica.fetch.wait.max.ms=500, no fsync); ${DISK} disks`,
    `producers: acks=${resolved.acks}, batch.size=${resolved["batch.size"]}, linger.ms=${resolved["linger.ms"]} (OMB kafka-throughput), max.in.flight.requests.per.connection=${resolved["max.in.flight.requests.per.connection"]}, enable.idempotence=${resolved["enable.idempotence"]}`,
    `network: ${NIC.egressBytesPerSec / 1e6} MB/s NICs each way (10 GbE), one-way latency lognormal with a median of 150 µs, Ethernet framing`,
  ];
}
