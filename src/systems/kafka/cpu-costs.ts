/**
 * What Kafka's threads spend per unit of work: the one place the model's CPU
 * costs live. A broker has num.network.threads processor threads (reading
 * requests off sockets), num.io.threads request handler threads and one
 * replica fetcher thread per leader it follows; a producer has the
 * application thread that calls send(). Each thread is a serial server: work
 * queues for it and takes these times.
 *
 * Calibrated once against Kreps 2014 ("Benchmarking Apache Kafka: 2 Million
 * Writes Per Second (On Three Cheap Machines)": Kafka 0.8.1, 2.5 GHz six-core
 * Xeons, 1 GbE, 100-byte records; ../shared/research/model-references.md §1),
 * by `npm run bench:calibration`, which puts the model's figures for tests
 * 1–4 next to the published ones in reports/calibration.md. These are
 * 0.8-era costs on 2014 hardware: that broker validated and re-stamped every
 * message (a CRC32 and an offset per record), which is why the per-record
 * handler cost dominates. Modern brokers (record batch v2, CRC32C in
 * hardware) spend far less per record; lower these for them. Numbers marked
 * "fitted" were chosen, once, so that the calibration's ratios come out;
 * never tune them to make another chart come out. The fit: producerRecordNs
 * sets test 1 (one producer thread); test 3 (acks=all) is the per-request
 * round trip, whose leader share is bounded by test 1, so most of it landed
 * on replicaRecordNs (reports/calibration.md says how to read that).
 */

export interface KafkaCpuCosts {
  /** Producer application thread, per record handed to send(): serialise, partition, append to a batch. Fitted. */
  readonly producerRecordNs: number;
  /** Broker processor (network) thread, per request read off a socket. Estimate. */
  readonly networkRequestNs: number;
  /** Broker processor thread, per request byte copied from the socket into a buffer (~10 GB/s memcpy). */
  readonly networkByteNs: number;
  /** Request handler thread, per request: parsing, authorisation, purgatory, metrics. Estimate. */
  readonly handlerRequestNs: number;
  /** Request handler thread, per batch appended by a produce request: log lock, segment and index update. Estimate. */
  readonly handlerBatchNs: number;
  /** Request handler thread, per record appended: validation and offset assignment (Kafka 0.8 re-wrote each message). Fitted. */
  readonly handlerRecordNs: number;
  /** Request handler thread, per byte appended: the CRC check (software CRC32 in 0.8, about 1 GB/s). */
  readonly handlerByteNs: number;
  /** Request handler thread, per partition of a fetch request (reading the log's index; the data goes by sendfile). Estimate. */
  readonly fetchPartitionNs: number;
  /** Replica fetcher thread, per batch it appends (no offset assignment: the leader's offsets are kept). Estimate. */
  readonly replicaBatchNs: number;
  /** Replica fetcher thread, per record it appends: Kafka 0.8's follower validated every message. Fitted. */
  readonly replicaRecordNs: number;
  /** Replica fetcher thread, per byte it appends (its CRC check). */
  readonly replicaByteNs: number;
}

export const DEFAULT_CPU_COSTS: KafkaCpuCosts = Object.freeze({
  producerRecordNs: 1_200,
  networkRequestNs: 5_000,
  networkByteNs: 0.1,
  handlerRequestNs: 10_000,
  handlerBatchNs: 5_000,
  handlerRecordNs: 700,
  handlerByteNs: 1,
  fetchPartitionNs: 2_000,
  replicaBatchNs: 5_000,
  replicaRecordNs: 3_500,
  replicaByteNs: 1,
});

/** No CPU at all: every thread answers at once (the model before CPU costs; for tests of other mechanics). */
export const FREE_CPU_COSTS: KafkaCpuCosts = Object.freeze({
  producerRecordNs: 0,
  networkRequestNs: 0,
  networkByteNs: 0,
  handlerRequestNs: 0,
  handlerBatchNs: 0,
  handlerRecordNs: 0,
  handlerByteNs: 0,
  fetchPartitionNs: 0,
  replicaBatchNs: 0,
  replicaRecordNs: 0,
  replicaByteNs: 0,
});

/**
 * The calibrated costs on a CPU `speed` times as fast (every cost divided by
 * it): the what-if knob of a scenario's `cluster.cpuSpeed`. 1 is Kreps' 2014
 * machines and Kafka 0.8; a modern broker on modern cores is several times
 * faster per record.
 */
export function cpuCostsAtSpeed(speed: number): KafkaCpuCosts {
  if (!(Number.isFinite(speed) && speed > 0)) throw new Error(`cpu speed must be a positive number, got ${speed}`);
  const scaled = {} as Record<keyof KafkaCpuCosts, number>;
  for (const key of Object.keys(DEFAULT_CPU_COSTS) as (keyof KafkaCpuCosts)[]) scaled[key] = DEFAULT_CPU_COSTS[key] / speed;
  return Object.freeze(scaled);
}
