/**
 * Consumer configuration under Kafka's names (Kafka 3.x consumer defaults,
 * https://kafka.apache.org/documentation/#consumerconfigs, unless noted),
 * plus mqsim's settings for what the application does with what it reads.
 *
 * A bad configuration is bad input (Kafka throws ConfigException from the
 * constructor), so resolving throws a plain Error naming the setting.
 */
import type { DurationNs } from "../../kernel/index.js";
import { msToNs } from "./config.js";

/**
 * When the application commits its position:
 * - "auto": enable.auto.commit as the Java consumer does it (the classic
 *   protocol, ConsumerCoordinator.maybeAutoCommitOffsetsAsync at the end of
 *   poll()): once auto.commit.interval.ms has passed, the next poll commits
 *   what earlier polls returned. In a synchronous poll-process loop those
 *   records are processed, so a crash repeats what came after the last
 *   commit and never loses anything: at-least-once;
 * - "auto-async": the timer-driven commit of records handed to the
 *   application, processed or not (processing off the poll thread): a crash
 *   loses the records being processed. Kafka's auto-commit with an
 *   asynchronous handler; K12's second form;
 * - "before-process": commitSync of a batch's end offset, then processing:
 *   at-most-once — a crash in between skips the batch for good;
 * - "after-process": processing, then a commit: at-least-once — a crash in
 *   between delivers the batch again.
 */
export type CommitPolicy = "auto" | "auto-async" | "before-process" | "after-process";

export interface KafkaConsumerConfig {
  /** Commit positions in the background every auto.commit.interval.ms. */
  "enable.auto.commit": boolean;
  "auto.commit.interval.ms": number;
  /**
   * Where to start when the group has no committed offset for a partition.
   * Kafka's default is "latest" (new groups skip the backlog); mqsim's is
   * "earliest", because its checks require every group to see every message.
   */
  "auto.offset.reset": "earliest" | "latest";
  /** How long the broker may hold a fetch for data to arrive. */
  "fetch.max.wait.ms": number;
  /** Most bytes one fetch returns for a partition (at least one batch, however large). */
  "max.partition.fetch.bytes": number;
  /** Most bytes one fetch returns over all its partitions (at least one batch). */
  "fetch.max.bytes": number;
  /** The coordinator fences a member it has not heard from for this long. */
  "session.timeout.ms": number;
  "heartbeat.interval.ms": number;
  /**
   * Most records one poll hands to the application. Kafka fills a poll from
   * several batches and partitions; mqsim's poll hands over records of one
   * batch only, so one batch is one unit of processing.
   */
  "max.poll.records": number;
  /** A request unanswered for this long closes its connection and fails. */
  "request.timeout.ms": number;
  /** Wait before retrying a failed fetch or metadata request. */
  "retry.backoff.ms": number;
  /** Wait before reconnecting to a node that dropped the connection; doubles per consecutive failure. */
  "reconnect.backoff.ms": number;
  /** Upper bound of the reconnect backoff. */
  "reconnect.backoff.max.ms": number;
  "mqsim.commit": CommitPolicy;
  /** Time the application takes to process what one poll returned (one batch, or max.poll.records of it). */
  "mqsim.processing.ms": number;
  /** Apply effects through an IdempotentConsumer (repeats are delivered but not applied). */
  "mqsim.idempotent": boolean;
}

export const DEFAULT_CONSUMER_CONFIG: KafkaConsumerConfig = {
  "enable.auto.commit": true,
  "auto.commit.interval.ms": 5_000,
  "auto.offset.reset": "earliest",
  "fetch.max.wait.ms": 500,
  "max.partition.fetch.bytes": 1_048_576,
  "fetch.max.bytes": 52_428_800,
  "session.timeout.ms": 45_000,
  "heartbeat.interval.ms": 3_000,
  "max.poll.records": 500,
  "request.timeout.ms": 30_000,
  "retry.backoff.ms": 100,
  "reconnect.backoff.ms": 50,
  "reconnect.backoff.max.ms": 1_000,
  "mqsim.commit": "auto",
  "mqsim.processing.ms": 1,
  "mqsim.idempotent": false,
};

export interface ResolvedConsumerConfig {
  readonly kafka: Readonly<KafkaConsumerConfig>;
  readonly commit: CommitPolicy;
  /** Auto-commit every autoCommitIntervalNs (also with a manual policy, if asked for explicitly): in poll() unless the policy is "auto-async". */
  readonly autoCommit: boolean;
  readonly autoCommitIntervalNs: DurationNs;
  readonly fetchMaxWaitMs: number;
  readonly maxPartitionFetchBytes: number;
  readonly fetchMaxBytes: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalNs: DurationNs;
  readonly maxPollRecords: number;
  readonly requestTimeoutNs: DurationNs;
  readonly retryBackoffNs: DurationNs;
  readonly reconnectBackoffNs: DurationNs;
  readonly reconnectBackoffMaxNs: DurationNs;
  readonly processingNs: DurationNs;
  readonly idempotent: boolean;
}

export function resolveConsumerConfig(overrides: Partial<KafkaConsumerConfig>): ResolvedConsumerConfig {
  const kafka: KafkaConsumerConfig = { ...DEFAULT_CONSUMER_CONFIG, ...overrides };
  const commit = kafka["mqsim.commit"];
  if (commit !== "auto" && commit !== "auto-async" && commit !== "before-process" && commit !== "after-process") {
    throw new Error(`mqsim.commit must be "auto", "auto-async", "before-process" or "after-process", got ${String(commit)}`);
  }
  const reset = kafka["auto.offset.reset"];
  if (reset !== "earliest" && reset !== "latest") throw new Error(`auto.offset.reset must be "earliest" or "latest", got ${String(reset)}`);
  for (const name of ["auto.commit.interval.ms", "fetch.max.wait.ms", "request.timeout.ms", "retry.backoff.ms", "reconnect.backoff.ms", "reconnect.backoff.max.ms", "mqsim.processing.ms"] as const) {
    checkInteger(name, kafka[name], 0);
  }
  for (const name of ["max.partition.fetch.bytes", "fetch.max.bytes", "session.timeout.ms", "heartbeat.interval.ms", "max.poll.records"] as const) {
    checkInteger(name, kafka[name], 1);
  }
  // Kafka: "must be set lower than session.timeout.ms" — else a healthy member would be fenced.
  if (kafka["heartbeat.interval.ms"] >= kafka["session.timeout.ms"]) {
    throw new Error(`heartbeat.interval.ms (${kafka["heartbeat.interval.ms"]}) must be lower than session.timeout.ms (${kafka["session.timeout.ms"]})`);
  }
  // A manual policy turns the default auto-commit off; asked for explicitly, it runs as well.
  const isAutoPolicy = commit === "auto" || commit === "auto-async";
  const autoCommit = isAutoPolicy ? kafka["enable.auto.commit"] : overrides["enable.auto.commit"] === true;
  if (isAutoPolicy && !autoCommit) throw new Error(`mqsim.commit "${commit}" needs enable.auto.commit=true (or choose "before-process" / "after-process")`);
  if (autoCommit && kafka["auto.commit.interval.ms"] === 0) throw new Error("auto.commit.interval.ms must be positive with enable.auto.commit=true");
  return {
    kafka: { ...kafka, "enable.auto.commit": autoCommit },
    commit,
    autoCommit,
    autoCommitIntervalNs: msToNs(kafka["auto.commit.interval.ms"]),
    fetchMaxWaitMs: kafka["fetch.max.wait.ms"],
    maxPartitionFetchBytes: kafka["max.partition.fetch.bytes"],
    fetchMaxBytes: kafka["fetch.max.bytes"],
    sessionTimeoutMs: kafka["session.timeout.ms"],
    heartbeatIntervalNs: msToNs(kafka["heartbeat.interval.ms"]),
    maxPollRecords: kafka["max.poll.records"],
    requestTimeoutNs: msToNs(kafka["request.timeout.ms"]),
    retryBackoffNs: msToNs(kafka["retry.backoff.ms"]),
    reconnectBackoffNs: msToNs(kafka["reconnect.backoff.ms"]),
    reconnectBackoffMaxNs: msToNs(Math.max(kafka["reconnect.backoff.ms"], kafka["reconnect.backoff.max.ms"])),
    processingNs: msToNs(kafka["mqsim.processing.ms"]),
    idempotent: kafka["mqsim.idempotent"],
  };
}

function checkInteger(name: string, value: number, minimum: number): void {
  if (!(Number.isSafeInteger(value) && value >= minimum)) throw new Error(`${name} must be an integer >= ${minimum}, got ${value}`);
}
