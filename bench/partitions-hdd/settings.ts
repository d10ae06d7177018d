/**
 * The partitions-per-disk sweep's numbers, in one place: one broker, one
 * topic of P partitions (Kafka, replication factor 1) or P queues (RocketMQ,
 * one master, no slave), producers offering more than a spinning disk can
 * take, 1 KiB messages, each system's acknowledgement without replication
 * or fsync (acks=1; ASYNC_MASTER with ASYNC_FLUSH).
 */
import type { KafkaProducerConfig } from "../../src/systems/kafka/config.js";
import type { DiskProfileName } from "../../src/world/disk-profile.js";

/** The systems of the partitions sweep, and the RabbitMQ releases of the single-node table beside them. */
export type SweepSystem = "kafka" | "rocketmq" | "rabbitmq-3.13" | "rabbitmq-4.x";

export const SYSTEMS: readonly SweepSystem[] = ["kafka", "rocketmq"];
/**
 * The single-node table: every system at SINGLE_NODE_PARTITIONS queues
 * (partitions). RabbitMQ 3.13 spends the 3.x CPU costs, 4.x its own
 * (src/systems/rabbitmq/cpu-costs.ts); both confirm a persistent message of
 * a classic queue without an fsync.
 */
export const SINGLE_NODE_SYSTEMS: readonly SweepSystem[] = ["kafka", "rocketmq", "rabbitmq-3.13", "rabbitmq-4.x"];
export const SINGLE_NODE_PARTITIONS = 8;
export const PARTITION_COUNTS: readonly number[] = [8, 64, 512, 2048];
export const QUICK_PARTITION_COUNTS: readonly number[] = [8, 512];
export const DISKS: readonly DiskProfileName[] = ["hdd", "nvme"];
export const TOPIC = "t";
export const SEED = 1;
export const MESSAGE_BYTES = 1024;
/** Producers, each writing every partition in turn. */
export const PRODUCERS = 4;
/** Each producer offers this much payload: 250 MB/s in all, above the hdd profile's 137 MB/s and below a 10 GbE NIC. */
export const OFFERED_BYTES_PER_SEC_EACH = 62_500_000;
/**
 * Messages per hand-off to the producer, all for one partition: 16 KiB, one
 * default batch (batch.size 16384), as Kafka's sticky partitioner fills a
 * batch for one partition before it moves on. RocketMQ's producer sends the
 * same 16 messages as one batch (send(Collection<Message>), one request to
 * one queue, the next queue in turn).
 */
export const MESSAGES_PER_SEND = 16;
/** Kafka's producer defaults but acks=1 (the leader's append answers). */
export const PRODUCER_CONFIG: Partial<KafkaProducerConfig> = { acks: 1 };
/**
 * Application threads calling RocketMQ's synchronous send() in each
 * producer: 8 × 4 producers = 32 requests in flight, more than Kafka's 4 × 5
 * in-flight requests, so the broker, not the client, sets the rate.
 */
export const ROCKET_SENDER_THREADS = 8;
/**
 * RabbitMQ: one publisher per queue (publisher confirms, persistent
 * messages, durable classic queues), each allowed this many unconfirmed
 * messages, as PerfTest's --confirm does.
 */
export const RABBIT_CONFIRMS_IN_FLIGHT = 5_000;

export interface Timing {
  runNs: number;
  /** The steady-state window: counters are read at its ends. */
  windowFromNs: number;
  windowToNs: number;
}

/**
 * Dirty data reaches its limit (256 MiB) within about two seconds even at
 * the fastest disk rate, but RocketMQ's consume queues take longer to settle:
 * each is flushed once it holds 2 dirty pages (flushConsumeQueueLeastPages),
 * which at 2048 queues takes tens of seconds, and every 60 s all of them
 * (flushConsumeQueueThoroughInterval). The window starts after 30 s and
 * spans the 60 s mark.
 */
export const TIMING: Timing = { runNs: 90e9, windowFromNs: 30e9, windowToNs: 90e9 };
export const QUICK_TIMING: Timing = { runNs: 6e9, windowFromNs: 3e9, windowToNs: 6e9 };
