/**
 * The partitions-per-disk sweep's numbers, in one place: one broker, one
 * topic of P partitions (replication factor 1), producers offering more than
 * a spinning disk can take, 1 KiB messages, acks=1.
 */
import type { KafkaProducerConfig } from "../../src/systems/kafka/config.js";
import type { DiskProfileName } from "../../src/world/disk-profile.js";

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
 * batch for one partition before it moves on.
 */
export const MESSAGES_PER_SEND = 16;
/** Kafka's producer defaults but acks=1 (the leader's append answers). */
export const PRODUCER_CONFIG: Partial<KafkaProducerConfig> = { acks: 1 };

export interface Timing {
  runNs: number;
  /** The steady-state window: counters are read at its ends. */
  windowFromNs: number;
  windowToNs: number;
}

/** Dirty data reaches its limit (256 MiB) within about two seconds even at the fastest disk rate; the window starts after. */
export const TIMING: Timing = { runNs: 12e9, windowFromNs: 4e9, windowToNs: 12e9 };
export const QUICK_TIMING: Timing = { runNs: 6e9, windowFromNs: 3e9, windowToNs: 6e9 };
