/**
 * RabbitMQ's configuration in its own vocabulary: queue declarations with
 * their x-arguments, policies (`ha-mode`, `ha-params`, `ha-sync-mode`,
 * `ha-promote-on-failure`, `ha-promote-on-shutdown`), exchanges and bindings,
 * and the node setting `cluster_partition_handling`. Plus the costs of the
 * mechanics mqsim simulates (CPU costs live in cpu-costs.ts).
 *
 * Sources: https://www.rabbitmq.com/docs/queues, /docs/ha (classic queue
 * mirroring), /docs/quorum-queues, /docs/partitions, /docs/ttl,
 * /docs/maxlength, /docs/confirms.
 */
import {
  defaultClassicQueueVersion,
  EMBED_MSGS_BELOW_BYTES_DEFAULT,
  RABBIT_VERSION_DEFAULT,
  type ClassicQueueVersion,
  type RabbitVersion,
} from "./classic-persistence.js";

export type QueueType = "classic" | "quorum";
export type Overflow = "drop-head" | "reject-publish";
export type HaMode = "all" | "exactly" | "nodes";
export type HaSyncMode = "manual" | "automatic";
export type HaPromote = "always" | "when-synced";
export type PartitionHandling = "ignore" | "pause_minority" | "autoheal";
export type ExchangeType = "direct" | "fanout";

export interface QueueArguments {
  /** Per-queue message TTL (ms), as `x-message-ttl`. */
  "x-message-ttl"?: number;
  /** Maximum number of ready messages, as `x-max-length`. */
  "x-max-length"?: number;
  /** What happens at x-max-length: drop the oldest (default) or refuse the publish. */
  "x-overflow"?: Overflow;
  /** Quorum queues: replicas of the queue (default 3, RabbitMQ's default). */
  "x-quorum-initial-group-size"?: number;
  /** Classic queues: storage version 1 or 2 (default classic_queue.default_version); see classic-persistence.ts. */
  "x-queue-version"?: ClassicQueueVersion;
}

export interface QueueDeclaration {
  name: string;
  type: QueueType;
  /** Durable queues survive a node restart; transient ones are gone (quorum queues are always durable). */
  durable: boolean;
  arguments?: QueueArguments;
  /**
   * The node the queue was declared on: a classic queue's home node (its
   * master, when mirrored). Default: queues are spread round robin over the
   * nodes in declaration order, as clients connected to different nodes
   * with `queue-leader-locator: client-local` would place them.
   */
  node?: string;
}

export interface HaPolicyDefinition {
  "ha-mode": HaMode;
  /** `exactly`: the number of replicas (master + mirrors); `nodes`: the node names. */
  "ha-params"?: number | string[];
  "ha-sync-mode"?: HaSyncMode;
  "ha-promote-on-failure"?: HaPromote;
  "ha-promote-on-shutdown"?: HaPromote;
}

export interface Policy {
  name: string;
  /** A regular expression matched against queue names, as `rabbitmqctl set_policy`. */
  pattern: string;
  definition: HaPolicyDefinition;
  /** Among policies matching a queue, the highest priority wins (ties: the first declared). */
  priority?: number;
}

export interface ExchangeDeclaration {
  name: string;
  type: ExchangeType;
}

export interface Binding {
  exchange: string;
  queue: string;
  /** direct exchanges: the routing key that reaches the queue (default: the queue's name). */
  routingKey?: string;
}

export interface RabbitMqConfig {
  /** The RabbitMQ release modelled: it decides what a classic queue fsyncs and whether mirroring exists (classic-persistence.ts). */
  version: RabbitVersion;
  /** rabbitmq.conf's classic_queue.default_version: the storage version of classic queues without x-queue-version (default: the version's, see classic-persistence.ts). */
  "classic_queue.default_version"?: ClassicQueueVersion;
  /** rabbitmq.conf's queue_index_embed_msgs_below (bytes): CQv1 keeps smaller messages in the queue index. */
  queue_index_embed_msgs_below: number;
  cluster_partition_handling: PartitionHandling;
  /**
   * rabbitmq.conf's net_ticktime (seconds, Erlang's default 60): a peer
   * node silent for net_ticktime to 5/4 of it is down (nodedown), which is
   * what partition handling acts on. https://www.rabbitmq.com/docs/nettick
   */
  net_ticktime: number;
  /**
   * rabbitmq.conf's heartbeat (seconds, default 60), which clients accept:
   * a client connection silent for one to one and a half timeouts is closed
   * by either end. https://www.rabbitmq.com/docs/heartbeats
   */
  heartbeat: number;
  /**
   * rabbitmq.conf's vm_memory_high_watermark.relative: the share of the
   * machine's RAM at which the memory alarm blocks publishers (default 0.4 up
   * to 3.13, 0.6 from 4.0: resource-alarms.ts).
   */
  "vm_memory_high_watermark.relative"?: number;
  /** rabbitmq.conf's disk_free_limit.absolute (bytes, default 50 MB): less free disk blocks publishers. */
  "disk_free_limit.absolute": number;
  /** rabbitmq.conf's raft.wal_max_size_bytes (default 512 MiB): Ra's WAL keeps entries in memory until it rolls over at this size. */
  "raft.wal_max_size_bytes": number;
  /** Synchronisation of a new mirror sends messages in batches of `ha-sync-batch-size`. */
  haSyncBatchSize: number;
  /** How long a client waits between reconnect attempts (client library's recovery interval). */
  clientReconnectNs: number;
  /** A client's patience for a synchronous reply (tx.commit-ok, channel open) before it gives up. */
  clientTimeoutNs: number;
  /** Raft timing of quorum queues (Ra). */
  raftElectionTimeoutNsMin: number;
  raftElectionTimeoutNsMax: number;
  raftHeartbeatIntervalNs: number;
}

export const DEFAULT_RABBITMQ_CONFIG: RabbitMqConfig = {
  version: RABBIT_VERSION_DEFAULT,
  queue_index_embed_msgs_below: EMBED_MSGS_BELOW_BYTES_DEFAULT,
  cluster_partition_handling: "ignore",
  net_ticktime: 60,
  heartbeat: 60,
  "disk_free_limit.absolute": 50_000_000,
  "raft.wal_max_size_bytes": 536_870_912,
  haSyncBatchSize: 4096,
  clientReconnectNs: 1_000_000_000,
  clientTimeoutNs: 30_000_000_000,
  raftElectionTimeoutNsMin: 1_000_000_000,
  raftElectionTimeoutNsMax: 2_000_000_000,
  raftHeartbeatIntervalNs: 100_000_000,
};

/** The storage version of a classic queue: its x-queue-version, else the node's default, else the release's. */
export function classicQueueVersionOf(declaration: QueueDeclaration, config: RabbitMqConfig): ClassicQueueVersion {
  return declaration.arguments?.["x-queue-version"] ?? config["classic_queue.default_version"] ?? defaultClassicQueueVersion(config.version);
}

/** vm_memory_high_watermark.relative as set, else the release's default (https://www.rabbitmq.com/docs/memory: 0.4, then 0.6 from 4.0). */
export function memoryWatermarkOf(config: RabbitMqConfig): number {
  return config["vm_memory_high_watermark.relative"] ?? (config.version === "4.x" ? 0.6 : 0.4);
}

/** The policy that applies to a queue: the highest priority match, first declared on ties. */
export function policyFor(queueName: string, policies: readonly Policy[]): Policy | null {
  let best: Policy | null = null;
  for (const policy of policies) {
    if (!new RegExp(policy.pattern).test(queueName)) continue;
    if (best === null || (policy.priority ?? 0) > (best.priority ?? 0)) best = policy;
  }
  return best;
}
