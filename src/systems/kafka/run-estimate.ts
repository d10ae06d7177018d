/**
 * What a Kafka run of a scenario will cost, estimated before it runs
 * (src/scenario/run-estimate.ts says why). Measured (dist builds, Node 20,
 * presets and stress scenarios, 2026-12):
 * - Kafka, idle: 6.1 events/s per follower replica (fetch loops parked
 *   replica.fetch.wait.max.ms), 6.3/s per partition a consumer group reads
 *   (fetch.max.wait.ms); broker heartbeats are negligible.
 * - Kafka, per producer batch: 11 (c9, RF 3, one group) to 28 (a group
 *   processing one message per ms) events; history 3 records per batch plus
 *   one per batch read back at the end, plus 3 per batch per group (deliver,
 *   effect, commit); about 900 bytes of heap per batch with RF 3 and one
 *   group (history ~135 B a record, the replicas' logs the rest).
 */
import { averageRate, BASELINE_BYTES, HISTORY_BYTES_PER_RECORD, horizonSeconds, messageBytesOf, type RunEstimate } from "../../scenario/run-estimate.js";
import type { KafkaScenario } from "./scenario-schema.js";

const KAFKA_EVENTS_PER_SEC_PER_FETCH_LOOP = 6.5;
const KAFKA_EVENTS_PER_BATCH_BASE = 8;
const KAFKA_EVENTS_PER_BATCH_PER_FOLLOWER = 2;
const KAFKA_EVENTS_PER_BATCH_PER_GROUP = 8;
const KAFKA_LOG_BYTES_PER_BATCH_PER_REPLICA = 120;

/**
 * Batches a Kafka producer closes per second: one per send at most; fewer
 * when linger.ms or batch.size gathers sends, per partition (Kafka's
 * RecordAccumulator): at most one per linger.ms unless batch.size fills first.
 */
function kafkaBatchesPerSecond(producer: KafkaScenario["producers"][number], partitions: number, durationNs: number): number {
  const messagesPerSec = averageRate(producer.rate, durationNs) * producer.count;
  const sendsPerSec = messagesPerSec / producer.messagesPerSend;
  const lingerMs = producer.config["linger.ms"] ?? 5;
  const batchBytes = Math.max(1, producer.config["batch.size"] ?? 16_384);
  if (lingerMs === 0 || partitions === 0) return sendsPerSec;
  const bytesPerSecPerPartition = (messagesPerSec * Math.max(1, messageBytesOf(producer.messageSize))) / partitions;
  const perPartition = Math.max(1000 / lingerMs, bytesPerSecPerPartition / batchBytes) * producer.count;
  return Math.min(sendsPerSec, perPartition * partitions);
}

export function estimateKafkaRun(scenario: KafkaScenario): RunEstimate {
  const seconds = horizonSeconds(scenario);
  const partitionsOf = new Map(scenario.topics.map((topic) => [topic.name, topic]));
  const followerReplicas = scenario.topics.reduce((sum, topic) => sum + topic.partitions * (topic.replicationFactor - 1), 0);
  const groupPartitions = scenario.consumers.reduce((sum, group) => sum + group.topics.reduce((n, name) => n + (partitionsOf.get(name)?.partitions ?? 0), 0), 0);
  const groups = new Set(scenario.consumers.map((group) => group.group)).size;
  const backgroundEvents = KAFKA_EVENTS_PER_SEC_PER_FETCH_LOOP * (followerReplicas + groupPartitions) * seconds;
  let batches = 0;
  let events = backgroundEvents;
  let logBytes = 0;
  for (const producer of scenario.producers) {
    const topic = partitionsOf.get(producer.topic);
    const replicas = topic?.replicationFactor ?? 1;
    const produced = kafkaBatchesPerSecond(producer, topic?.partitions ?? 1, scenario.duration) * (scenario.duration / 1e9);
    const readers = scenario.consumers.filter((group) => group.topics.includes(producer.topic)).length;
    batches += produced;
    events += produced * (KAFKA_EVENTS_PER_BATCH_BASE + KAFKA_EVENTS_PER_BATCH_PER_FOLLOWER * (replicas - 1) + KAFKA_EVENTS_PER_BATCH_PER_GROUP * readers);
    logBytes += produced * replicas * KAFKA_LOG_BYTES_PER_BATCH_PER_REPLICA;
  }
  const historyRecords = batches * (4 + 3 * groups);
  return { batches, events, backgroundEvents, historyRecords, memoryBytes: BASELINE_BYTES + historyRecords * HISTORY_BYTES_PER_RECORD + logBytes };
}

