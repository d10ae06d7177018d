/**
 * The scenario file's RocketMQ branch (`system: rocketmq`), in RocketMQ's own
 * vocabulary: the cluster's NameServers and broker groups (a master and its
 * slaves each), broker.conf settings under `config` (brokerRole,
 * flushDiskType, syncFlushTimeout, inSyncReplicas, slaveReadEnable, …),
 * `topics` with their queue counts, and the client applications:
 * `producers` (DefaultMQProducer: sendMsgTimeout, retryTimesWhenSendFailed,
 * retryAnotherBrokerWhenNotStoreOK, sendLatencyFaultEnable) and `consumers` (DefaultMQPushConsumer
 * in clustering mode: consumer group, consumeFromWhere, pullBatchSize).
 * `version` picks the release's replication rules (config.ts). Units,
 * faults, machines, budgets and sweeps are the shared ones
 * (src/scenario/schema-parts.ts).
 */
import { z } from "zod";
import { CHECKER_NAMES, type CheckerName } from "../../checks/violation.js";
import { checkBudgets } from "../../scenario/budget-check.js";
import {
  budgetsSchema,
  BUDGETS_DEFAULT,
  checkClientNodeNames,
  checkFaults,
  clientNames,
  descriptionSchema,
  durationSchema,
  faultSchema,
  issueReporter,
  machineFields,
  messageSizeSchema,
  nameSchema,
  positiveRateSchema,
  seedSchema,
  someOf,
  sweepSchema,
} from "../../scenario/schema-parts.js";
import { CLIENT_TRAFFIC } from "./broker-protocol.js";
import { nameServerNodeNames, rocketGroups } from "./cluster.js";
import { DEFAULT_BROKER_CONFIG } from "./config.js";
import { HA_TRAFFIC } from "./ha-protocol.js";
import { NAMESRV_TRAFFIC } from "./namesrv-protocol.js";
import { estimateRocketRun } from "./run-estimate.js";

/**
 * The checkers that apply to RocketMQ runs. Divergence needs replicas that
 * agree on a committed prefix (Raft's, Kafka's high watermark): classic
 * master/slave has none, so it is left out until DLedger is modelled.
 */
export const ROCKET_CHECKER_NAMES = CHECKER_NAMES.filter((name): name is Exclude<CheckerName, "divergence"> => name !== "divergence");

const millisecondsSchema = z.int().min(0).max(3_600_000);

const brokerConfigSchema = z
  .strictObject({
    brokerRole: z.enum(["ASYNC_MASTER", "SYNC_MASTER"]).default(DEFAULT_BROKER_CONFIG.brokerRole as "ASYNC_MASTER"),
    flushDiskType: z.enum(["ASYNC_FLUSH", "SYNC_FLUSH"]).default(DEFAULT_BROKER_CONFIG.flushDiskType),
    flushIntervalCommitLog: millisecondsSchema.min(1).default(DEFAULT_BROKER_CONFIG.flushIntervalCommitLog),
    flushCommitLogLeastPages: z.int().min(0).max(1_000_000).default(DEFAULT_BROKER_CONFIG.flushCommitLogLeastPages),
    syncFlushTimeout: millisecondsSchema.min(1).default(DEFAULT_BROKER_CONFIG.syncFlushTimeout),
    enableDLegerCommitLog: z.boolean().default(DEFAULT_BROKER_CONFIG.enableDLegerCommitLog),
    flushIntervalConsumeQueue: millisecondsSchema.min(1).default(DEFAULT_BROKER_CONFIG.flushIntervalConsumeQueue),
    flushConsumeQueueLeastPages: z.int().min(0).max(1_000_000).default(DEFAULT_BROKER_CONFIG.flushConsumeQueueLeastPages),
    flushConsumeQueueThoroughInterval: millisecondsSchema.min(1).default(DEFAULT_BROKER_CONFIG.flushConsumeQueueThoroughInterval),
    /** 5.x: replicas (master included) a SYNC_MASTER's put waits for. */
    inSyncReplicas: z.int().min(1).max(16).default(DEFAULT_BROKER_CONFIG.inSyncReplicas),
    slaveTimeout: millisecondsSchema.min(1).default(DEFAULT_BROKER_CONFIG.slaveTimeout),
    haMaxGapNotInSync: z.int().min(1).max(1_099_511_627_776).default(DEFAULT_BROKER_CONFIG.haMaxGapNotInSync),
    slaveReadEnable: z.boolean().default(DEFAULT_BROKER_CONFIG.slaveReadEnable),
    sendMessageThreadPoolNums: z.int().min(1).max(256).default(DEFAULT_BROKER_CONFIG.sendMessageThreadPoolNums),
    flushConsumerOffsetInterval: millisecondsSchema.min(1).default(DEFAULT_BROKER_CONFIG.flushConsumerOffsetInterval),
  })
  .default({
    brokerRole: "ASYNC_MASTER",
    flushDiskType: "ASYNC_FLUSH",
    flushIntervalCommitLog: DEFAULT_BROKER_CONFIG.flushIntervalCommitLog,
    flushCommitLogLeastPages: DEFAULT_BROKER_CONFIG.flushCommitLogLeastPages,
    syncFlushTimeout: DEFAULT_BROKER_CONFIG.syncFlushTimeout,
    enableDLegerCommitLog: DEFAULT_BROKER_CONFIG.enableDLegerCommitLog,
    flushIntervalConsumeQueue: DEFAULT_BROKER_CONFIG.flushIntervalConsumeQueue,
    flushConsumeQueueLeastPages: DEFAULT_BROKER_CONFIG.flushConsumeQueueLeastPages,
    flushConsumeQueueThoroughInterval: DEFAULT_BROKER_CONFIG.flushConsumeQueueThoroughInterval,
    inSyncReplicas: DEFAULT_BROKER_CONFIG.inSyncReplicas,
    slaveTimeout: DEFAULT_BROKER_CONFIG.slaveTimeout,
    haMaxGapNotInSync: DEFAULT_BROKER_CONFIG.haMaxGapNotInSync,
    slaveReadEnable: DEFAULT_BROKER_CONFIG.slaveReadEnable,
    sendMessageThreadPoolNums: DEFAULT_BROKER_CONFIG.sendMessageThreadPoolNums,
    flushConsumerOffsetInterval: DEFAULT_BROKER_CONFIG.flushConsumerOffsetInterval,
  });

const topicSchema = z.strictObject({
  name: nameSchema,
  /** Read and write queues of the topic on each broker group (defaultTopicQueueNums: 8). */
  queueNums: z.int().min(1).max(1_024).default(8),
});

const producerSchema = z.strictObject({
  /** Client node name (default p1, p2, … in order). With count > 1: name-1, name-2, … */
  name: nameSchema.optional(),
  count: z.int().min(1).max(100).default(1),
  topic: nameSchema,
  rate: positiveRateSchema,
  messageSize: messageSizeSchema.pipe(z.number().min(1)).default(1_024),
  /** Messages per send(): 1, or a batch sent as one request. */
  batch: z.int().min(1).max(1_000).default(1),
  /** Application threads calling the synchronous send() at once. */
  senderThreads: z.int().min(1).max(1_000).default(1),
  config: z
    .strictObject({
      sendMsgTimeout: millisecondsSchema.min(1).optional(),
      retryTimesWhenSendFailed: z.int().min(0).max(100).optional(),
      retryAnotherBrokerWhenNotStoreOK: z.boolean().optional(),
      sendLatencyFaultEnable: z.boolean().optional(),
    })
    .default({}),
  /** The application sends a message again when send() answers other than SEND_OK (FLUSH_*_TIMEOUT, SLAVE_NOT_AVAILABLE). */
  resendOnNotOk: z.boolean().default(false),
  /** When the application starts sending (default at boot; the slaves' first boot follows the masters' by 1 s). */
  startAt: durationSchema.default(0),
});

const consumerSchema = z.strictObject({
  /** Client node name (default c1, c2, … in order). With count > 1: name-1, name-2, … */
  name: nameSchema.optional(),
  count: z.int().min(1).max(100).default(1),
  group: nameSchema,
  topic: nameSchema,
  /** Time to process each message; its effect happens at its end. */
  processingTime: durationSchema.default(1_000_000),
  idempotent: z.boolean().default(false),
  config: z
    .strictObject({
      consumeFromWhere: z.enum(["CONSUME_FROM_LAST_OFFSET", "CONSUME_FROM_FIRST_OFFSET"]).optional(),
      pullBatchSize: z.int().min(1).max(1_024).optional(),
      /** Messages cached per queue before the consumer stops pulling it (flow control). */
      pullThresholdForQueue: z.int().min(1).max(65_535).optional(),
      persistConsumerOffsetInterval: millisecondsSchema.min(1).optional(),
    })
    .default({}),
});

const rocketScenarioObject = z.strictObject({
  system: z.literal("rocketmq"),
  name: nameSchema.default("scenario"),
  description: descriptionSchema,
  seed: seedSchema,
  /** The release whose replication rules the brokers follow (SYNC_MASTER and slave reads differ, see config.ts). */
  version: z.enum(["4.9", "5.3"]).default("5.3"),
  /** How long producers send and faults may happen; then everything heals. */
  duration: durationSchema,
  cluster: z.strictObject({
    nameServers: z.int().min(1).max(16).default(2),
    /** Broker groups broker-a, broker-b, …: each a master (a0, b0, …) and its slaves (a1, …). */
    brokerGroups: z.int().min(1).max(26),
    slavesPerGroup: z.int().min(0).max(4).default(1),
    ...machineFields,
  }),
  /** broker.conf settings every master takes (slaves take the same with brokerRole SLAVE). */
  config: brokerConfigSchema,
  topics: z.array(topicSchema).min(1).max(1_000),
  producers: z.array(producerSchema).max(100).default([]),
  consumers: z.array(consumerSchema).max(100).default([]),
  faults: z.array(faultSchema).max(10_000).default([]),
  checks: z.array(z.enum(ROCKET_CHECKER_NAMES)).max(ROCKET_CHECKER_NAMES.length).optional(),
  budgets: budgetsSchema.default(BUDGETS_DEFAULT),
  sweep: sweepSchema.optional(),
});

export type RocketScenario = z.output<typeof rocketScenarioObject>;

/** The RocketMQ branch of the scenario file, with its cross-field rules (run once every field is valid on its own). */
export const rocketScenarioSchema = rocketScenarioObject.superRefine((scenario, ctx) => checkRocketReferences(scenario, ctx), { when: (payload) => payload.issues.length === 0 });

export function rocketServerNodeNames(scenario: RocketScenario): string[] {
  return [...nameServerNodeNames(scenario.cluster.nameServers), ...rocketBrokerNodeNames(scenario)];
}

export function rocketBrokerNodeNames(scenario: RocketScenario): string[] {
  return rocketGroups(scenario.cluster).flatMap((group) => group.nodes);
}

export function rocketProducerNodeNames(scenario: RocketScenario): string[][] {
  return scenario.producers.map((producer, k) => clientNames(producer.name ?? `p${k + 1}`, producer.count));
}

export function rocketConsumerNodeNames(scenario: RocketScenario): string[][] {
  return scenario.consumers.map((consumer, k) => clientNames(consumer.name ?? `c${k + 1}`, consumer.count));
}

function checkRocketReferences(scenario: RocketScenario, ctx: z.RefinementCtx): void {
  const issue = issueReporter(ctx);
  const topics = new Set<string>();
  scenario.topics.forEach((topic, k) => {
    if (topics.has(topic.name)) issue(["topics", k, "name"], `expected each topic name once, but "${topic.name}" is declared twice`, topic.name);
    topics.add(topic.name);
  });
  const topicList = someOf(topics);
  scenario.producers.forEach((producer, k) => {
    if (!topics.has(producer.topic)) issue(["producers", k, "topic"], `expected one of the topics (${topicList}), got "${producer.topic}"`, producer.topic);
  });
  scenario.consumers.forEach((consumer, k) => {
    if (!topics.has(consumer.topic)) issue(["consumers", k, "topic"], `expected one of the topics (${topicList}), got "${consumer.topic}"`, consumer.topic);
  });
  if (scenario.config.brokerRole === "SYNC_MASTER" && scenario.cluster.slavesPerGroup === 0) {
    issue(["config", "brokerRole"], "expected ASYNC_MASTER with slavesPerGroup 0: a SYNC_MASTER waits for a slave it does not have", scenario.config.brokerRole);
  }
  if (scenario.config.enableDLegerCommitLog && scenario.cluster.slavesPerGroup < 2) {
    issue(["cluster", "slavesPerGroup"], "expected at least 2 with enableDLegerCommitLog: a DLedger group of 3 members survives the loss of one", scenario.cluster.slavesPerGroup);
  }
  const nodes = new Set(rocketServerNodeNames(scenario));
  const applications = [
    { key: "producers", declared: scenario.producers, names: rocketProducerNodeNames(scenario) },
    { key: "consumers", declared: scenario.consumers, names: rocketConsumerNodeNames(scenario) },
  ];
  checkClientNodeNames(nodes, applications, "the servers' (ns1…, a0, a1, …)", issue);
  checkFaults(scenario.faults, scenario.duration, nodes, [CLIENT_TRAFFIC, HA_TRAFFIC, NAMESRV_TRAFFIC], issue);
  checkBudgets(scenario, estimateRocketRun(scenario), issue);
}
