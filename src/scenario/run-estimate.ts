/**
 * What a run of a scenario will cost, estimated from the scenario alone,
 * before anything runs: the events the kernel will fire, the history records
 * it will keep, and the memory those take. A scenario whose estimate is past
 * its budgets (budgets.maxEvents, budgets.maxMemory) is refused as bad input
 * with the estimate and what to change, instead of running for minutes and
 * dying of out-of-memory (issue 19: 64 brokers at 1 M msg/s for an hour, or
 * 20 msg/s for 100 days).
 *
 * The constants are measured, not guessed (dist builds, Node 20, this
 * project's presets and stress scenarios, 2026-12): they aim a little above
 * what runs take, as an estimate that refuses should not be the one that
 * errs low. Measured:
 * - Kafka, idle: 6.1 events/s per follower replica (fetch loops parked
 *   replica.fetch.wait.max.ms), 6.3/s per partition a consumer group reads
 *   (fetch.max.wait.ms); broker heartbeats are negligible.
 * - Kafka, per producer batch: 11 (c9, RF 3, one group) to 28 (a group
 *   processing one message per ms) events; history 3 records per batch plus
 *   one per batch read back at the end, plus 3 per batch per group (deliver,
 *   effect, commit); about 900 bytes of heap per batch with RF 3 and one
 *   group (history ~135 B a record, the replicas' logs the rest).
 * - RabbitMQ, idle: ~51 events/s per quorum queue (Raft heartbeats), ~0 for
 *   classic queues. Per publish: 7 events (one node, no consumer) to 40
 *   (mirror-all on five nodes), ~10 more per consuming group; history 3
 *   records plus 2 per consuming group; 560 B (classic) to 2 KB (five
 *   replicas) of heap.
 */
import { MESSAGE_BYTES_MAX } from "../clients/message-size.js";
import type { KafkaScenario, RabbitScenario, Scenario } from "./schema.js";

export interface RunEstimate {
  /** Producer batches (Kafka) or publishes (RabbitMQ) over the workload. */
  batches: number;
  /** Kernel events fired, busy work and background together. */
  events: number;
  /** Of which background (heartbeats, parked fetches, Raft ticks) over the run's expected horizon. */
  backgroundEvents: number;
  historyRecords: number;
  /** Heap the run's state will hold at its end. */
  memoryBytes: number;
}

/** Heap a history record takes, with its share of the arrays around it (measured ~135 B; rounded up). */
export const HISTORY_BYTES_PER_RECORD = 160;
/** Heap a run needs before its first message: the modules, the cluster's objects, the report's buffers. */
export const BASELINE_BYTES = 64 * 1024 * 1024;
/** How long a run usually goes on after the workload to converge (the budget is the ceiling, not the norm). */
const EXPECTED_CONVERGE_NS = 10_000_000_000;

const KAFKA_EVENTS_PER_SEC_PER_FETCH_LOOP = 6.5;
const KAFKA_EVENTS_PER_BATCH_BASE = 8;
const KAFKA_EVENTS_PER_BATCH_PER_FOLLOWER = 2;
const KAFKA_EVENTS_PER_BATCH_PER_GROUP = 8;
const KAFKA_LOG_BYTES_PER_BATCH_PER_REPLICA = 120;

const RABBIT_EVENTS_PER_SEC_PER_QUORUM_QUEUE = 55;
const RABBIT_EVENTS_PER_PUBLISH_BASE = 8;
const RABBIT_EVENTS_PER_PUBLISH_PER_REPLICA = 8;
const RABBIT_EVENTS_PER_PUBLISH_PER_GROUP = 10;
const RABBIT_BYTES_PER_PUBLISH_PER_REPLICA = 200;

export function estimateRun(scenario: Scenario): RunEstimate {
  return scenario.system === "kafka" ? estimateKafka(scenario) : estimateRabbitMq(scenario);
}

function horizonSeconds(scenario: Scenario): number {
  return (scenario.duration + Math.min(scenario.budgets.convergeWithin, EXPECTED_CONVERGE_NS)) / 1e9;
}

/** Messages per second a rate shape offers on average over the workload. */
function averageRate(rate: KafkaScenario["producers"][number]["rate"], durationNs: number): number {
  if (rate.kind !== "piecewise") return rate.perSecond;
  if (durationNs === 0) return 0;
  let messages = 0;
  rate.steps.forEach((step, k) => {
    const startNs = Math.min(step.atNs, durationNs);
    const endNs = Math.min(rate.steps[k + 1]?.atNs ?? durationNs, durationNs);
    if (endNs > startNs) messages += (step.perSecond * (endNs - startNs)) / 1e9;
  });
  return messages / (durationNs / 1e9);
}

function messageBytesOf(shape: KafkaScenario["producers"][number]["messageSize"]): number {
  switch (shape.kind) {
    case "constant":
      return shape.value;
    case "uniform":
      return (shape.min + shape.max) / 2;
    case "exponential":
    case "normal":
      return shape.mean;
    case "lognormal":
      // The mean of a lognormal: median · e^(σ²/2), cut where the draws are cut.
      return Math.min(MESSAGE_BYTES_MAX, shape.median * Math.exp((shape.sigma * shape.sigma) / 2));
  }
}

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

function estimateKafka(scenario: KafkaScenario): RunEstimate {
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

/** Replicas of a queue: a quorum queue's group (3 by default), a classic queue's master and the mirrors a policy may give it. */
function rabbitReplicas(scenario: RabbitScenario, queue: RabbitScenario["queues"][number]): number {
  const nodes = scenario.cluster.nodes;
  if (queue.type === "quorum") return Math.min(nodes, queue.arguments["x-quorum-initial-group-size"] ?? 3);
  // An upper bound: any matching ha policy may mirror it to every node.
  const isMirrored = scenario.policies.some((policy) => safeTest(policy.pattern, queue.name));
  return isMirrored ? nodes : 1;
}

function safeTest(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern).test(name);
  } catch {
    return false;
  }
}

function estimateRabbitMq(scenario: RabbitScenario): RunEstimate {
  const seconds = horizonSeconds(scenario);
  const quorumQueues = scenario.queues.filter((queue) => queue.type === "quorum").length;
  const backgroundEvents = RABBIT_EVENTS_PER_SEC_PER_QUORUM_QUEUE * quorumQueues * seconds;
  const replicasMax = Math.max(1, ...scenario.queues.map((queue) => rabbitReplicas(scenario, queue)));
  const groups = new Set(scenario.consumers.map((consumer) => consumer.group ?? consumer.queue)).size;
  let publishes = 0;
  for (const publisher of scenario.publishers) publishes += ((publisher.rate.perSecond * publisher.count) / publisher.batch) * (scenario.duration / 1e9);
  const events = backgroundEvents + publishes * (RABBIT_EVENTS_PER_PUBLISH_BASE + RABBIT_EVENTS_PER_PUBLISH_PER_REPLICA * (replicasMax - 1) + RABBIT_EVENTS_PER_PUBLISH_PER_GROUP * groups);
  // send, send-result, one read back at the end, and per group a delivery and an effect.
  const historyRecords = publishes * (3 + 2 * groups);
  const memoryBytes = BASELINE_BYTES + historyRecords * HISTORY_BYTES_PER_RECORD + publishes * replicasMax * RABBIT_BYTES_PER_PUBLISH_PER_REPLICA;
  return { batches: publishes, events, backgroundEvents, historyRecords, memoryBytes };
}
