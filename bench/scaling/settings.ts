/**
 * The methodology's numbers: cluster sizes, seed, the fixed offered load and
 * the saturation workload. One place, so the report states exactly what ran.
 */
import type { PointOptions } from "./design.js";

export const SECOND = 1_000_000_000;
export const MS = 1_000_000;
export const SEED = 42;
export const KIB = 1024;

/** N: brokers (nodes) per cluster. */
export const BROKER_COUNTS: readonly number[] = [3, 5, 7, 9];
/** `--quick`: two sizes and shorter runs, for a smoke test. */
export const QUICK_BROKER_COUNTS: readonly number[] = [3, 5];

export const MESSAGE_BYTES = KIB;
/**
 * 1023 messages of 1 KiB plus the 61-byte record-batch header fill a 1 MiB
 * batch.size exactly, so each hand-off is one full batch. This stands in for
 * what Kafka's accumulator does under backpressure (the last batch keeps
 * filling until batch.size while the sender is blocked), which mqsim's
 * accumulator does not do: it seals a batch at linger.ms even when the sender
 * cannot take it.
 */
export const SATURATION_MESSAGES_PER_SEND = 1023;

export function pointOptions(quick: boolean): PointOptions {
  return {
    seed: SEED,
    messageBytes: MESSAGE_BYTES,
    fixedLoad: {
      // 100 MB/s = 97,656.25 msg/s of 1 KiB; over 4 producers, one 16-message hand-off every 655.36 µs each.
      bytesPerSec: 100_000_000,
      producers: 4,
      messagesPerSend: 16,
      sendPhaseNs: (quick ? 2 : 5) * SECOND,
      convergeNsMax: 30 * SECOND,
    },
    saturation: {
      // More than one 10 GbE NIC can carry: together the producers offer more than every broker NIC can receive.
      bytesPerSecPerProducer: 1_500_000_000,
      producersPerBroker: 1,
      messagesPerSend: SATURATION_MESSAGES_PER_SEND,
      runNs: (quick ? 3 : 10) * SECOND,
      windowFromNs: (quick ? 1 : 2) * SECOND,
      windowToNs: (quick ? 3 : 10) * SECOND,
      bucketNs: 250 * MS,
      sampleEveryNs: 1 * MS,
    },
  };
}
