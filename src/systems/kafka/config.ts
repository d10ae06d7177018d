/**
 * Kafka configuration under Kafka's own names, so a scenario file reads like a
 * server.properties / producer.properties. Defaults are Kafka 3.x defaults
 * (https://kafka.apache.org/documentation/#configuration) unless noted.
 */

/** How a replica that becomes follower finds where its log diverges from the leader's. */
export type TruncationMode =
  /**
   * Before KIP-101 (Kafka < 0.11): truncate to the replica's own high
   * watermark, then fetch. Loses committed data when the follower's HW lags
   * (KIP-101's first scenario).
   */
  | "high-watermark"
  /**
   * KIP-101 without KIP-279 (Kafka 0.11 to 1.x): ask the leader where the
   * follower's latest epoch ends, and truncate to that or the follower's own
   * log end. Ignores which epoch the leader answered for, so after a leader
   * ping-pong replicas stay divergent (KIP-279's scenario).
   */
  | "leader-epoch-kip101"
  /**
   * KIP-101 with KIP-279 (Kafka 2.0+, AbstractFetcherThread.getOffsetTruncationState):
   * truncate to the smaller of the leader's and the follower's own end
   * offset for the epoch the leader answered for, asking again while the
   * follower does not know that epoch.
   */
  | "leader-epoch";

export interface KafkaBrokerConfig {
  /** Minimum in-sync replicas for an acks=all write to be accepted (NOT_ENOUGH_REPLICAS otherwise). */
  "min.insync.replicas": number;
  /** Elect an out-of-sync replica when no in-sync one is alive (may lose acknowledged writes). */
  "unclean.leader.election.enable": boolean;
  /** A follower that has not caught up to the leader's LEO for this long leaves the ISR. */
  "replica.lag.time.max.ms": number;
  /** How long a follower's fetch waits at the leader for new data before returning empty. */
  "replica.fetch.wait.max.ms": number;
  /** Most bytes one follower fetch returns for a partition. */
  "replica.fetch.max.bytes": number;
  /** Most bytes of one replica fetcher's response, over all its partitions (at least one batch). */
  "replica.fetch.response.max.bytes": number;
  /**
   * A replica fetcher's request timeout (its NetworkClient's, BrokerBlockingSender):
   * a fetch or OffsetsForLeaderEpoch not answered in this long closes the
   * connection, and the fetcher reconnects. Must be at least replica.fetch.wait.max.ms.
   */
  "replica.socket.timeout.ms": number;
  /**
   * The broker-to-controller channels' request timeout. The heartbeat channel
   * uses the smaller of this and broker.session.timeout.ms / 2 (KAFKA-14392,
   * BrokerServer.scala), so a broker gives up on a heartbeat before the
   * controller gives up on the broker.
   */
  "controller.socket.timeout.ms": number;
  /**
   * Request handler threads (KafkaRequestHandlerPool). A thread handles one
   * request at a time and is held while its appends' write() calls block on
   * the dirty-page limit.
   */
  "num.io.threads": number;
  /** Processor threads reading requests off the data-plane connections (each connection is served by one). */
  "num.network.threads": number;
  /** Requests taken off connections and waiting for a handler thread; when full, the network threads take no more. */
  "queued.max.requests": number;
  /** Brokers heartbeat the controller this often (KRaft). */
  "broker.heartbeat.interval.ms": number;
  /** The controller fences a broker it has not heard from for this long (KRaft). */
  "broker.session.timeout.ms": number;
  /** How often each replica writes its high watermark to replication-offset-checkpoint. */
  "replica.high.watermark.checkpoint.interval.ms": number;
  /** fsync the log after this many messages (Kafka's default: never; rely on replication). */
  "log.flush.interval.messages": number;
  /**
   * fsync a log not flushed for this long (default: never) — checked only by
   * the background flusher, every log.flush.scheduler.interval.ms, whose
   * default is also never: set alone, it does nothing, as in Kafka.
   */
  "log.flush.interval.ms": number;
  /** How often the background flusher (LogManager's kafka-log-flusher) looks for logs due a flush (default: never). */
  "log.flush.scheduler.interval.ms": number;
  /** mqsim's switch between truncation before KIP-101, KIP-101 alone, and KIP-101 with KIP-279 (the default). */
  "mqsim.truncation": TruncationMode;
  /**
   * What the controller does when a broker heartbeats with a new broker epoch
   * before its session expired (a fast restart): "fence" (KRaft with KIP-841:
   * its old incarnation is fenced, so it loses its leaderships and leaves the
   * ISRs until it catches up) or "keep" (the ZooKeeper era's window: the
   * restart goes unnoticed and it keeps them — KIP-101's scenario needs it).
   */
  "mqsim.reregistration": "fence" | "keep";
}

export const DEFAULT_BROKER_CONFIG: KafkaBrokerConfig = {
  "min.insync.replicas": 1,
  "unclean.leader.election.enable": false,
  "replica.lag.time.max.ms": 30_000,
  "replica.fetch.wait.max.ms": 500,
  "replica.fetch.max.bytes": 1_048_576,
  "replica.fetch.response.max.bytes": 10_485_760,
  "replica.socket.timeout.ms": 30_000,
  "controller.socket.timeout.ms": 30_000,
  "num.io.threads": 8,
  "num.network.threads": 3,
  "queued.max.requests": 500,
  "broker.heartbeat.interval.ms": 2_000,
  "broker.session.timeout.ms": 9_000,
  "replica.high.watermark.checkpoint.interval.ms": 5_000,
  "log.flush.interval.messages": Number.MAX_SAFE_INTEGER,
  "log.flush.interval.ms": Number.MAX_SAFE_INTEGER,
  "log.flush.scheduler.interval.ms": Number.MAX_SAFE_INTEGER,
  "mqsim.truncation": "leader-epoch",
  "mqsim.reregistration": "fence",
};

export type Acks = 0 | 1 | "all";

export interface KafkaProducerConfig {
  acks: Acks;
  "linger.ms": number;
  "batch.size": number;
  /** Most bytes one ProduceRequest carries (its batches together; the first goes whatever its size). */
  "max.request.size": number;
  /**
   * The socket's send buffer (SO_SNDBUF): what the producer may have written
   * to a broker that has not acknowledged it at the TCP level. When the
   * broker is unreachable, writes stop there instead of piling up.
   */
  "send.buffer.bytes": number;
  /**
   * The producer's buffer pool: each batch takes batch.size bytes of it from
   * creation until its send-result. When a new batch would not fit, send()
   * blocks the calling thread until a batch completes, for at most max.block.ms.
   */
  "buffer.memory": number;
  /** The longest send() blocks on a full buffer.memory before it throws (the records are not sent). */
  "max.block.ms": number;
  retries: number;
  "retry.backoff.ms": number;
  "request.timeout.ms": number;
  "delivery.timeout.ms": number;
  "max.in.flight.requests.per.connection": number;
  "enable.idempotence": boolean;
  "metadata.max.age.ms": number;
}

/** Kafka 3.x producer defaults (acks=all and idempotence on since 3.0). */
export const DEFAULT_PRODUCER_CONFIG: KafkaProducerConfig = {
  acks: "all",
  "linger.ms": 5,
  "batch.size": 16_384,
  "max.request.size": 1_048_576,
  "send.buffer.bytes": 131_072,
  "buffer.memory": 33_554_432,
  "max.block.ms": 60_000,
  retries: 2_147_483_647,
  "retry.backoff.ms": 100,
  "request.timeout.ms": 30_000,
  "delivery.timeout.ms": 120_000,
  "max.in.flight.requests.per.connection": 5,
  "enable.idempotence": true,
  "metadata.max.age.ms": 300_000,
};

/** Milliseconds (Kafka's config unit) to the simulator's integer nanoseconds. */
export function msToNs(milliseconds: number): number {
  return Math.round(milliseconds * 1_000_000);
}
