/**
 * The scenario file's Kafka branch (`system: kafka`), in Kafka's own config
 * names: `cluster` (brokers, racks), broker `config`, `topics`, `producers`
 * and `consumers` groups with their client configs, downstream `services`.
 * Units, faults, machines, budgets and sweeps are the shared parts
 * (src/scenario/schema-parts.ts).
 *
 * Cross-field rules run only once every field is valid on its own, so they
 * see values in range (a handful of brokers, not 1e308) and never report
 * again, as a broken rule, a problem already reported at the field itself:
 * replication factor ≤ brokers, faults name existing nodes, consumers
 * subscribe to existing topics, client configs Kafka accepts.
 */
import { z } from "zod";
import { CHECKER_NAMES } from "../../checks/violation.js";
import { checkBudgets } from "../../scenario/budget-check.js";
import {
  budgetsSchema,
  BUDGETS_DEFAULT,
  checkFaults,
  clientNames,
  descriptionSchema,
  distributionOf,
  durationSchema,
  faultSchema,
  issueReporter,
  machineFields,
  messageSizeDistributionSchema,
  nameSchema,
  positiveRateSchema,
  rateSchema,
  seedSchema,
  someOf,
  sweepSchema,
} from "../../scenario/schema-parts.js";
import { setKeysOnly } from "../../scenario/set-keys.js";
import { formatDurationNs } from "../../scenario/units.js";
import { kafkaBrokerConfigSchema, kafkaConsumerConfigSchema, kafkaProducerConfigSchema } from "./config-schema.js";
import { DEFAULT_BROKER_CONFIG } from "./config.js";
import { resolveConsumerConfig } from "./consumer-config.js";
import { resolveProducerConfig } from "./producer-config.js";
import { CONTROLLER_CLASS, DATA_CLASS } from "./protocol.js";
import { estimateKafkaRun } from "./run-estimate.js";

const rateShapeSchema = z.union(
  [
  rateSchema.transform((perSecond) => ({ kind: "constant" as const, perSecond })),
  z.strictObject({ kind: z.literal("constant"), rate: rateSchema }).transform((shape) => ({ kind: "constant" as const, perSecond: shape.rate })),
  z.strictObject({ kind: z.literal("poisson"), rate: rateSchema }).transform((shape) => ({ kind: "poisson" as const, perSecond: shape.rate })),
  z
    .strictObject({
      kind: z.literal("piecewise"),
      /** Rate from `at` until the next step; the first step starts at 0. */
      steps: z.array(z.strictObject({ at: durationSchema, rate: rateSchema })).min(1).max(1_000),
      poisson: z.boolean().default(false),
    })
    .transform((shape) => ({ kind: "piecewise" as const, steps: shape.steps.map((step) => ({ atNs: step.at, perSecond: step.rate })), poisson: shape.poisson })),
  ],
  { error: 'expected a rate such as "5k/s", or { kind: constant | poisson, rate }, or { kind: piecewise, steps: [{ at, rate }, …] }' },
);

const topicSchema = z.strictObject({
  name: nameSchema,
  partitions: z.int().min(1).max(10_000),
  replicationFactor: z.int().min(1).max(64),
});

const producerSchema = z.strictObject({
  /** Client node name (default p1, p2, … in order). With count > 1: name-1, name-2, … */
  name: nameSchema.optional(),
  count: z.int().min(1).max(100).default(1),
  topic: nameSchema,
  rate: rateShapeSchema,
  messageSize: messageSizeDistributionSchema.default({ kind: "constant", value: 1_024 }),
  /** Messages handed to the producer at once (an application's own batching). */
  messagesPerSend: z.int().min(1).max(1_000_000).default(1),
  /** Synchronous calls the application makes before publishing (claim C2); names of `services`. */
  callsBefore: z.array(nameSchema).max(100).default([]),
  config: kafkaProducerConfigSchema.default({}),
});

const consumerGroupSchema = z.strictObject({
  group: nameSchema,
  /** Members of the group, each on its own client node (group-1, group-2, …). */
  count: z.int().min(1).max(100).default(1),
  topics: z.array(nameSchema).min(1).max(100),
  processingTime: distributionOf(durationSchema, "2ms").default({ kind: "constant", value: 1_000_000 }),
  /** A cap on what the group's members process together (a downstream database's capacity). */
  maxRate: positiveRateSchema.optional(),
  commit: z.enum(["auto", "auto-async", "before-process", "after-process"]).default("after-process"),
  idempotent: z.boolean().default(false),
  /** When the group joins (claim C1: a group added mid-run). */
  startAt: durationSchema.default(0),
  /** Services each message's processing calls, in order (their latency adds to processing). */
  calls: z.array(nameSchema).max(100).default([]),
  config: kafkaConsumerConfigSchema.default({}),
});

/** A downstream service: an application dependency with a latency (claims C2, C3). */
const serviceSchema = z.strictObject({
  name: nameSchema,
  latency: distributionOf(durationSchema, "2ms"),
  /** Requests per second it can serve; beyond that requests queue. */
  capacity: positiveRateSchema.optional(),
});

const clusterSchema = z.strictObject({
  brokers: z.int().min(1).max(64),
  /** broker.rack per broker, in order. */
  racks: z.array(nameSchema).max(64).optional(),
  /**
   * How many times faster than the calibration (Kreps 2014) every broker and
   * producer thread is: CPU costs are divided by it (src/systems/kafka/cpu-costs.ts).
   */
  cpuSpeed: z.number().min(0.01).max(1_000).default(1),
  ...machineFields,
});

const kafkaScenarioObject = z.strictObject({
  system: z.literal("kafka"),
  name: nameSchema.default("scenario"),
  description: descriptionSchema,
  seed: seedSchema,
  /** How long producers send and faults may happen; then everything heals. */
  duration: durationSchema,
  cluster: clusterSchema,
  config: kafkaBrokerConfigSchema.default({}),
  topics: z.array(topicSchema).min(1).max(100),
  producers: z.array(producerSchema).max(100).default([]),
  consumers: z.array(consumerGroupSchema).max(100).default([]),
  services: z.array(serviceSchema).max(100).default([]),
  faults: z.array(faultSchema).max(10_000).default([]),
  checks: z.array(z.enum(CHECKER_NAMES)).max(CHECKER_NAMES.length).optional(),
  budgets: budgetsSchema.default(BUDGETS_DEFAULT),
  /** Parameter path → values: each combination is one run of a sweep. */
  sweep: sweepSchema.optional(),
});

export type KafkaScenario = z.output<typeof kafkaScenarioObject>;

/** The Kafka branch of the scenario file, with its cross-field rules. */
export const kafkaScenarioSchema = kafkaScenarioObject.superRefine((scenario, ctx) => checkReferences(scenario, ctx), { when: (payload) => payload.issues.length === 0 });

/** Client node names, in a fixed order: producers first, then consumer group members. */
export function producerNodeNames(scenario: KafkaScenario): string[][] {
  return scenario.producers.map((producer, k) => clientNames(producer.name ?? `p${k + 1}`, producer.count));
}

export function consumerNodeNames(scenario: KafkaScenario): string[][] {
  return scenario.consumers.map((group) => Array.from({ length: group.count }, (_, n) => `${group.group}-${n + 1}`));
}

export function brokerNodeNames(scenario: KafkaScenario): string[] {
  return Array.from({ length: scenario.cluster.brokers }, (_, k) => `b${k + 1}`);
}

/** Rules across fields, each reported at the path of the field that breaks it, with the value found there. */
function checkReferences(scenario: KafkaScenario, ctx: z.RefinementCtx): void {
  const issue = issueReporter(ctx);
  const brokers = scenario.cluster.brokers;
  const duration = formatDurationNs(scenario.duration);
  const topics = new Set<string>();
  scenario.topics.forEach((topic, k) => {
    if (topics.has(topic.name)) issue(["topics", k, "name"], `expected each topic name once, but "${topic.name}" is defined twice`, topic.name);
    topics.add(topic.name);
    if (topic.replicationFactor > brokers) issue(["topics", k, "replicationFactor"], `expected at most ${brokers} (the number of brokers), got ${topic.replicationFactor}`, topic.replicationFactor);
  });
  const topicList = someOf(topics);
  if (scenario.cluster.racks !== undefined && scenario.cluster.racks.length !== brokers) {
    issue(["cluster", "racks"], `expected one rack per broker (${brokers}), got ${scenario.cluster.racks.length}`, scenario.cluster.racks);
  }
  const services = new Set(scenario.services.map((service) => service.name));
  const serviceList = services.size === 0 ? "none are defined under `services`" : someOf(services);
  scenario.producers.forEach((producer, k) => {
    if (!topics.has(producer.topic)) issue(["producers", k, "topic"], `expected one of the topics (${topicList}), got "${producer.topic}"`, producer.topic);
    producer.callsBefore.forEach((name, n) => {
      if (!services.has(name)) issue(["producers", k, "callsBefore", n], `expected one of the services (${serviceList}), got "${name}"`, name);
    });
    // The producer's own configuration rules (Kafka's ConfigException), checked here so they are bad input, not a crash mid-run.
    const refused = configRefusal(() => resolveProducerConfig(setKeysOnly(producer.config)));
    if (refused !== null) issue(["producers", k, "config"], `expected a configuration Kafka accepts: ${refused}`, producer.config);
  });
  scenario.consumers.forEach((group, k) => {
    const refused = configRefusal(() => resolveConsumerConfig({ ...setKeysOnly(group.config), "mqsim.commit": group.commit, "mqsim.idempotent": group.idempotent }));
    if (refused !== null) issue(["consumers", k, "config"], `expected a configuration Kafka accepts: ${refused}`, group.config);
    group.topics.forEach((topic, n) => {
      if (!topics.has(topic)) issue(["consumers", k, "topics", n], `expected one of the topics (${topicList}), got "${topic}"`, topic);
    });
    group.calls.forEach((name, n) => {
      if (!services.has(name)) issue(["consumers", k, "calls", n], `expected one of the services (${serviceList}), got "${name}"`, name);
    });
    if (group.startAt >= scenario.duration) issue(["consumers", k, "startAt"], `expected a time before the end of \`duration\` (${duration}), got ${formatDurationNs(group.startAt)}`, formatDurationNs(group.startAt));
  });
  // Every node name once: brokers b1…bN, the controller, then each client node.
  const nodes = new Set([...brokerNodeNames(scenario), "controller"]);
  const clientNode = (name: string, path: (string | number)[], given: string): void => {
    if (nodes.has(name)) issue(path, `expected client node names unique and unlike b1…b${brokers} and controller, but "${name}" is taken`, given);
    nodes.add(name);
  };
  producerNodeNames(scenario).forEach((names, k) => {
    const producer = scenario.producers[k]!;
    for (const name of names) clientNode(name, producer.name === undefined ? ["producers", k] : ["producers", k, "name"], producer.name ?? name);
  });
  consumerNodeNames(scenario).forEach((names, k) => {
    for (const name of names) clientNode(name, ["consumers", k, "group"], scenario.consumers[k]!.group);
  });
  checkFaults(scenario.faults, scenario.duration, nodes, [DATA_CLASS, CONTROLLER_CLASS], issue);
  checkBudgets(scenario, estimateKafkaRun(scenario), issue);
  const minIsr = scenario.config["min.insync.replicas"];
  if (minIsr !== undefined) {
    const smallest = scenario.topics.reduce((low, topic) => (topic.replicationFactor < low.replicationFactor ? topic : low));
    if (minIsr > smallest.replicationFactor) {
      issue(["config", "min.insync.replicas"], `expected at most ${smallest.replicationFactor} (topic ${smallest.name}'s replication factor), or acks=all writes could never succeed; got ${minIsr}`, minIsr);
    }
  }
  // Kafka refuses to start otherwise (KafkaConfig): every idle fetch would time out.
  const socketTimeoutMs = scenario.config["replica.socket.timeout.ms"] ?? DEFAULT_BROKER_CONFIG["replica.socket.timeout.ms"];
  const fetchWaitMs = scenario.config["replica.fetch.wait.max.ms"] ?? DEFAULT_BROKER_CONFIG["replica.fetch.wait.max.ms"];
  if (socketTimeoutMs < fetchWaitMs) {
    issue(["config", "replica.socket.timeout.ms"], `expected at least replica.fetch.wait.max.ms (${fetchWaitMs}), as Kafka requires; got ${socketTimeoutMs}`, socketTimeoutMs);
  }
}

/** The message of the Error a configuration resolver throws, or null when it accepts. */
function configRefusal(resolve: () => unknown): string | null {
  try {
    resolve();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
