/**
 * The Kafka wire protocol as mqsim models it: Kafka's request names, fields
 * and error codes, carried as payload objects over world connections. Sizes on
 * the wire come from `wireBytesOf`, so replication and client traffic cost
 * what they would (record bytes plus request overhead).
 *
 * Two planes, two traffic classes, so a partition can cut one and keep the
 * other (the Jepsen 2013 fault cuts the data port and keeps the session):
 * - data plane, port `kafka`, class `kafka-data`: Produce, Fetch (clients and
 *   follower replicas), OffsetsForLeaderEpoch, Metadata; and, on port
 *   `group-coordinator` of the controller node, ConsumerGroupHeartbeat,
 *   OffsetCommit and OffsetFetch;
 * - control plane, port `controller`, class `kafka-controller`: broker
 *   heartbeats and registration, AlterPartition (ISR changes), and the
 *   controller's partition-state pushes (LeaderAndIsr / UpdateMetadata).
 */
import type { RecordBatch } from "./partition-log.js";

export const DATA_PORT = "kafka";
export const DATA_CLASS = "kafka-data";
export const CONTROLLER_PORT = "controller";
export const CONTROLLER_CLASS = "kafka-controller";
export const COORDINATOR_PORT = "group-coordinator";

/** Kafka error codes used by the model (names as in org.apache.kafka.common.protocol.Errors). */
export type KafkaError =
  | "NONE"
  | "NOT_LEADER_OR_FOLLOWER"
  | "LEADER_NOT_AVAILABLE"
  | "NOT_ENOUGH_REPLICAS"
  | "NOT_ENOUGH_REPLICAS_AFTER_APPEND"
  | "REQUEST_TIMED_OUT"
  | "FENCED_LEADER_EPOCH"
  | "UNKNOWN_LEADER_EPOCH"
  | "OFFSET_OUT_OF_RANGE"
  | "OUT_OF_ORDER_SEQUENCE_NUMBER"
  | "DUPLICATE_SEQUENCE_NUMBER"
  | "KAFKA_STORAGE_ERROR"
  | "STALE_BROKER_EPOCH"
  /** The group coordinator does not know the member (it left or its session expired). */
  | "UNKNOWN_MEMBER_ID"
  /** The member claims an epoch the coordinator never gave it (KIP-848). */
  | "FENCED_MEMBER_EPOCH"
  /** An offset commit from a member that does not own the partition now (KIP-848). */
  | "STALE_MEMBER_EPOCH";

/** Errors after which a producer may retry the same batch. */
export function isRetriable(error: KafkaError): boolean {
  return (
    error === "NOT_LEADER_OR_FOLLOWER" ||
    error === "LEADER_NOT_AVAILABLE" ||
    error === "NOT_ENOUGH_REPLICAS" ||
    error === "NOT_ENOUGH_REPLICAS_AFTER_APPEND" ||
    error === "REQUEST_TIMED_OUT" ||
    error === "FENCED_LEADER_EPOCH" ||
    error === "UNKNOWN_LEADER_EPOCH" ||
    error === "KAFKA_STORAGE_ERROR"
  );
}

/** A topic-partition is named "<topic>-<index>", as in Kafka's log directory names. */
export function topicPartition(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** The topic of a topic-partition name (topic names may contain "-"; the index never does). */
export function topicOfPartition(topicPartitionName: string): string {
  return topicPartitionName.slice(0, topicPartitionName.lastIndexOf("-"));
}

/** What the controller decides about one partition; pushed to brokers and served to clients. */
export interface PartitionState {
  topicPartition: string;
  /** Broker name of the leader, or null while the partition is offline. */
  leader: string | null;
  leaderEpoch: number;
  /** Bumped on every ISR or leader change (KIP-497's partition epoch). */
  partitionEpoch: number;
  isr: string[];
  replicas: string[];
}

// ------------------------------------------------------------------ data plane

/** One partition's batch in a ProduceRequest. */
export interface ProducePart {
  topicPartition: string;
  /** The leader assigns baseOffset and leaderEpoch; the producer sends -1 for both. */
  batch: RecordBatch;
}

/**
 * A ProduceRequest carries one batch for each of several partitions led by
 * the same broker (Kafka's Sender drains every ready partition of a node
 * into one request); it is answered once, when every partition is.
 */
export interface ProduceRequest {
  kind: "produce";
  correlationId: number;
  /** -1 = all (acks=all), 0, 1. */
  acks: -1 | 0 | 1;
  timeoutMs: number;
  parts: ProducePart[];
}

/** One partition's answer in a ProduceResponse. */
export interface ProducePartResult {
  topicPartition: string;
  error: KafkaError;
  /** Offset of the batch's first record in the log, or -1 on error. */
  baseOffset: number;
}

export interface ProduceResponse {
  kind: "produce-response";
  correlationId: number;
  parts: ProducePartResult[];
}

/** One partition of a FetchRequest. */
export interface FetchPartition {
  topicPartition: string;
  fetchOffset: number;
  /** The fetcher's view of the leader epoch; a stale one is fenced (KIP-320). */
  currentLeaderEpoch: number;
  /** Most bytes for this partition (replica.fetch.max.bytes, max.partition.fetch.bytes); at least one batch. */
  maxBytes: number;
}

/**
 * A FetchRequest for several partitions led by the same broker: a follower
 * broker's replica fetcher asks for every partition it follows from that
 * leader in one request (num.replica.fetchers = 1), answered when any has
 * data or after maxWaitMs (Kafka's DelayedFetch).
 */
export interface FetchRequest {
  kind: "fetch";
  correlationId: number;
  /** Broker name of a follower replica, or null for a consumer. */
  replica: string | null;
  maxWaitMs: number;
  /** Most bytes for the whole response (replica.fetch.response.max.bytes, fetch.max.bytes); at least one batch. */
  maxBytes: number;
  partitions: FetchPartition[];
}

/** One partition's answer in a FetchResponse. */
export interface FetchPartitionData {
  topicPartition: string;
  error: KafkaError;
  highWatermark: number;
  logEndOffset: number;
  /** Followers get batches up to the log end; consumers only up to the high watermark. */
  batches: RecordBatch[];
}

export interface FetchResponse {
  kind: "fetch-response";
  correlationId: number;
  partitions: FetchPartitionData[];
}

export interface OffsetsForLeaderEpochRequest {
  kind: "offsets-for-leader-epoch";
  correlationId: number;
  topicPartition: string;
  /** The epoch whose end offset the follower asks for (its latest). */
  leaderEpoch: number;
  currentLeaderEpoch: number;
}

export interface OffsetsForLeaderEpochResponse {
  kind: "offsets-for-leader-epoch-response";
  correlationId: number;
  topicPartition: string;
  error: KafkaError;
  leaderEpoch: number;
  endOffset: number;
}

export interface MetadataRequest {
  kind: "metadata";
  correlationId: number;
}

export interface MetadataResponse {
  kind: "metadata-response";
  correlationId: number;
  partitions: PartitionState[];
}

// ------------------------------------------------------------------ control plane

export interface BrokerHeartbeatRequest {
  kind: "broker-heartbeat";
  correlationId: number;
  broker: string;
  /** Changes at every broker restart, so the controller tells incarnations apart. */
  brokerEpoch: number;
  /** A controlled shutdown has begun (BrokerHeartbeatRequest.WantShutDown): move my leaderships away. */
  wantShutDown: boolean;
}

export interface BrokerHeartbeatResponse {
  kind: "broker-heartbeat-response";
  correlationId: number;
  /** True when the controller considers this broker fenced (it must re-register). */
  isFenced: boolean;
  /** The broker leads nothing any more: it may finish its controlled shutdown (BrokerHeartbeatResponse.ShouldShutDown). */
  shouldShutDown: boolean;
}

export interface AlterPartitionRequest {
  kind: "alter-partition";
  broker: string;
  brokerEpoch: number;
  topicPartition: string;
  leaderEpoch: number;
  partitionEpoch: number;
  newIsr: string[];
}

export interface AlterPartitionResponse {
  kind: "alter-partition-response";
  topicPartition: string;
  error: KafkaError;
  state: PartitionState | null;
}

/** The controller's push of partition states (LeaderAndIsr + UpdateMetadata folded into one). */
export interface PartitionStateUpdate {
  kind: "partition-state";
  states: PartitionState[];
}

// ------------------------------------------------------------------ group coordinator

/** KIP-848's ConsumerGroupHeartbeat: joins, stays in and leaves a group; the answer carries the assignment. */
export interface ConsumerGroupHeartbeatRequest {
  kind: "consumer-group-heartbeat";
  correlationId: number;
  group: string;
  memberId: string;
  /** 0 joins (or rejoins after being fenced), -1 leaves, otherwise the epoch last received. */
  memberEpoch: number;
  /** Subscribed topic names. */
  topics: string[];
  /**
   * KIP-848's TopicPartitions: what the member owns now. A partition the
   * coordinator revoked stays the member's until a heartbeat no longer lists
   * it; only then may another member get it.
   */
  ownedTopicPartitions: string[];
  /**
   * The member's session.timeout.ms. KIP-848 made it a broker-side group
   * setting (group.consumer.session.timeout.ms); mqsim keeps it on the
   * consumer, carried here as the classic JoinGroup carried it.
   */
  sessionTimeoutMs: number;
}

export interface ConsumerGroupHeartbeatResponse {
  kind: "consumer-group-heartbeat-response";
  correlationId: number;
  error: KafkaError;
  memberId: string;
  /** The member's epoch now (-1 after leaving). */
  memberEpoch: number;
  /** Topic-partitions the member owns now, in topic then partition order. */
  assignment: string[];
}

export interface OffsetCommitRequest {
  kind: "offset-commit";
  correlationId: number;
  group: string;
  /** The committing member: only the partition's current owner may commit (KIP-848 fences zombies). */
  memberId: string;
  memberEpoch: number;
  topicPartition: string;
  /** The next offset to consume (Kafka commits "position", not "last processed"). */
  offset: number;
}

export interface OffsetCommitResponse {
  kind: "offset-commit-response";
  correlationId: number;
  error: KafkaError;
}

export interface OffsetFetchRequest {
  kind: "offset-fetch";
  correlationId: number;
  group: string;
  topicPartition: string;
}

export interface OffsetFetchResponse {
  kind: "offset-fetch-response";
  correlationId: number;
  topicPartition: string;
  /** -1 when the group has never committed for this partition. */
  offset: number;
}

export type KafkaMessage =
  | ProduceRequest
  | ProduceResponse
  | FetchRequest
  | FetchResponse
  | OffsetsForLeaderEpochRequest
  | OffsetsForLeaderEpochResponse
  | MetadataRequest
  | MetadataResponse
  | BrokerHeartbeatRequest
  | BrokerHeartbeatResponse
  | AlterPartitionRequest
  | AlterPartitionResponse
  | PartitionStateUpdate
  | ConsumerGroupHeartbeatRequest
  | ConsumerGroupHeartbeatResponse
  | OffsetCommitRequest
  | OffsetCommitResponse
  | OffsetFetchRequest
  | OffsetFetchResponse;

/** A partition's entry in a request or response besides its records: index, error or record-set size, offsets. */
const PART_OVERHEAD_BYTES = 16;
/** Request header and fixed fields (~60 bytes in Kafka's protocol) plus record batches. */
const REQUEST_OVERHEAD_BYTES = 64;
const PARTITION_STATE_BYTES = 48;
/** A topic or topic-partition name with its length prefix and partition index. */
const NAME_BYTES = 24;

export function wireBytesOf(message: KafkaMessage): number {
  switch (message.kind) {
    case "produce": {
      let bytes = REQUEST_OVERHEAD_BYTES;
      for (let partIndex = 0; partIndex < message.parts.length; partIndex++) {
        const part = message.parts[partIndex]!;
        bytes += PART_OVERHEAD_BYTES + part.batch.bytes;
      }
      return bytes;
    }
    case "produce-response":
      return REQUEST_OVERHEAD_BYTES + PART_OVERHEAD_BYTES * message.parts.length;
    case "fetch": {
      return REQUEST_OVERHEAD_BYTES + PART_OVERHEAD_BYTES * message.partitions.length;
    }
    case "fetch-response": {
      let bytes = REQUEST_OVERHEAD_BYTES;
      for (let partIndex = 0; partIndex < message.partitions.length; partIndex++) {
        const part = message.partitions[partIndex]!;
        bytes += PART_OVERHEAD_BYTES;
        for (let batchIndex = 0; batchIndex < part.batches.length; batchIndex++) {
          const batch = part.batches[batchIndex]!;
          bytes += batch.bytes;
        }
      }
      return bytes;
    }
    case "metadata-response":
      return REQUEST_OVERHEAD_BYTES + PARTITION_STATE_BYTES * message.partitions.length;
    case "partition-state":
      return REQUEST_OVERHEAD_BYTES + PARTITION_STATE_BYTES * message.states.length;
    case "consumer-group-heartbeat":
      return REQUEST_OVERHEAD_BYTES + NAME_BYTES * (message.topics.length + message.ownedTopicPartitions.length);
    case "consumer-group-heartbeat-response":
      return REQUEST_OVERHEAD_BYTES + NAME_BYTES * message.assignment.length;
    default:
      return REQUEST_OVERHEAD_BYTES;
  }
}
