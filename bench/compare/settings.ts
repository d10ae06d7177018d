/**
 * The four-system comparison's numbers, in one place (claim C12): the same
 * machines (8 cores, 10 GbE, one disk of each profile), the same messages,
 * the same number of destinations, each system in its own defaults but for
 * what the comparison names (replication, message size, load).
 */
import type { DiskProfileName } from "../../src/world/disk-profile.js";
import type { Timing } from "../partitions-hdd/settings.js";

/** A run's length and the window its figures are read over (the partitions sweep's). */
export type { Timing } from "../partitions-hdd/settings.js";

/**
 * The systems, and the variants the comparison shows side by side: RabbitMQ
 * 3.13 (the 3.x CPU costs, CQv1's fsynced queue index) and 4.x (CQv2, its
 * own costs); ActiveMQ as shipped (concurrentStoreAndDispatchQueues) and
 * with it off (each sender's thread stores; the queue sweep only).
 */
export type CompareSystem = "kafka" | "rocketmq" | "rabbitmq-3.13" | "rabbitmq-4.x" | "activemq" | "activemq-direct";
export const SYSTEMS: readonly CompareSystem[] = ["rabbitmq-3.13", "rabbitmq-4.x", "activemq", "kafka", "rocketmq"];
export const SWEEP_SYSTEMS: readonly CompareSystem[] = [...SYSTEMS, "activemq-direct"];
export const SYSTEM_LABELS: Readonly<Record<CompareSystem, string>> = {
  kafka: "Kafka",
  rocketmq: "RocketMQ",
  "rabbitmq-3.13": "RabbitMQ 3.13",
  "rabbitmq-4.x": "RabbitMQ 4.x",
  activemq: "ActiveMQ",
  "activemq-direct": "ActiveMQ, concurrentStoreAndDispatchQueues=false",
};
/** The registry's name of each variant's system. */
export const MODEL_NAMES: Readonly<Record<CompareSystem, "kafka" | "rocketmq" | "rabbitmq" | "activemq">> = {
  kafka: "kafka",
  rocketmq: "rocketmq",
  "rabbitmq-3.13": "rabbitmq",
  "rabbitmq-4.x": "rabbitmq",
  activemq: "activemq",
  "activemq-direct": "activemq",
};

export const DISKS: readonly DiskProfileName[] = ["hdd", "nvme"];
export const MESSAGE_SIZES: readonly number[] = [1_024, 100];
/** One machine, then three: each system's replicated setup on three (what a node's loss leaves acknowledged). */
export const NODE_COUNTS: readonly (1 | 3)[] = [1, 3];
/** Topics' partitions / queues of the peak and latency runs. */
export const DESTINATIONS = 8;
export const SWEEP_DESTINATIONS: readonly number[] = [8, 64, 256, 1_024];
export const QUICK_SWEEP_DESTINATIONS: readonly number[] = [8, 256];
export const SEED = 1;

/** Producers' batches: the clients' own default batch sizes where they batch (Kafka's batch.size 16 KiB), the same hand-off for the others. */
export const BATCH_BYTES = 16_384;
/** The peak runs offer this much payload a second (above what one hdd writes), capped at this many messages a second. */
export const PEAK_OFFERED_BYTES_PER_SEC = 250_000_000;
export const PEAK_OFFERED_MESSAGES_PER_SEC_MAX = 1_000_000;
/** ActiveMQ's and RocketMQ's sync senders: this many sends in flight in all (RocketMQ: 8 producers × 8 threads; ActiveMQ: 64 producer sessions). */
export const SYNC_SENDERS = 64;
/** Producers (publishers) of the peak and latency runs, and consumers: one per destination. */
export const PRODUCERS = 8;
/** RabbitMQ publishers' unconfirmed messages allowed (PerfTest --confirm). */
export const RABBIT_CONFIRMS_IN_FLIGHT = 5_000;
/** The latency runs' load: moderate, far below every system's peak. */
export const MODERATE_MESSAGES_PER_SEC = 2_000;

export const PEAK_TIMING: Timing = { runNs: 12e9, windowFromNs: 5e9, windowToNs: 12e9 };
/** RocketMQ's consume queues take tens of seconds to settle at a thousand queues (partitions-hdd's note). */
export const SWEEP_TIMING: Timing = { runNs: 40e9, windowFromNs: 20e9, windowToNs: 40e9 };
/**
 * After Kafka's consumer group has settled: its initial rebalance delay is
 * 3 s, and each of the 8 members joining rebalances it again, so messages
 * sent before about 6 s wait up to a second for their partition's owner.
 */
export const LATENCY_TIMING: Timing = { runNs: 15e9, windowFromNs: 8e9, windowToNs: 15e9 };
export const QUICK_TIMING: Timing = { runNs: 3e9, windowFromNs: 1.5e9, windowToNs: 3e9 };

/** One run of the comparison. */
export interface PointParams {
  system: CompareSystem;
  disk: DiskProfileName;
  nodes: 1 | 3;
  messageBytes: number;
  destinations: number;
  offeredMessagesPerSec: number;
  /** Messages the application hands over at a time. */
  messagesPerSend: number;
  /** Consumers read everything (one per destination); without, only the write path is measured. */
  withConsumers: boolean;
  timing: Timing;
}
