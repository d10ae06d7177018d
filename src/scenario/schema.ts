/**
 * The scenario file: what a user writes (YAML or JSON) to describe a cluster,
 * its configuration in the system's own names, the workload, the faults and
 * the checks. Validated with zod before anything runs: strict objects (an
 * unknown key is an error, so a typo never passes silently), values with
 * units as strings ("10ms", "1KiB", "10Gbps", "5k/s"), ranges that keep a
 * run finite, and cross-field rules (replication factor ≤ brokers, faults
 * name existing nodes, consumers subscribe to existing topics).
 *
 * `system` is the discriminator: "kafka" now; RabbitMQ, RocketMQ and
 * ActiveMQ add their own branch with their own config names.
 */
import { z } from "zod";
import { CHECKER_NAMES } from "../checks/violation.js";
import { resolveConsumerConfig } from "../systems/kafka/consumer-config.js";
import { resolveProducerConfig } from "../systems/kafka/producer-config.js";
import { kafkaBrokerConfigSchema, kafkaConsumerConfigSchema, kafkaProducerConfigSchema } from "../systems/kafka/config-schema.js";
import { setKeysOnly } from "./set-keys.js";
import { formatDurationNs, parseBandwidthBytesPerSec, parseDurationNs, parseRatePerSec, parseSizeBytes, UNIT_VALUE_MAX } from "./units.js";

/** The longest text a value with a unit may be ("1.5GiB" needs a handful of characters). */
const UNIT_TEXT_MAX_CHARS = 64;

/**
 * A value written with a unit; a plain number is taken in the base unit where
 * that is unambiguous (`number.baseUnit`, e.g. "of bytes"), rounded to an
 * integer when the base unit is integral. Where a plain number would be
 * ambiguous (a duration), only 0 may be written without a unit, as YAML reads
 * `at: 0` as a number. Every failure (wrong type, too long, no unit, negative,
 * too large) reads "expected <what> such as <example>…".
 */
function withUnit(what: string, example: string, parse: (text: string) => number | null, number: { baseUnit: string; integral: boolean } | "zero" | null) {
  const expected = `expected ${what} such as ${JSON.stringify(example)}${typeof number === "object" && number !== null ? ` or a number ${number.baseUnit}` : ""}`;
  const input = number !== null ? z.union([z.string(), z.number()], { error: expected }) : z.string({ error: expected });
  return input.transform((value, ctx) => {
    let parsed: number | null;
    if (typeof value === "number") {
      if (number === "zero" || number === null) parsed = value === 0 ? 0 : null;
      else {
        const rounded = number.integral ? Math.round(value) : value;
        parsed = Number.isFinite(rounded) && rounded >= 0 && rounded <= UNIT_VALUE_MAX ? rounded : null;
      }
    } else {
      parsed = value.length <= UNIT_TEXT_MAX_CHARS ? parse(value) : null;
    }
    if (parsed === null) {
      ctx.addIssue({ code: "custom", message: `${expected}${unitHint(value, typeof number === "object" && number !== null)}`, input: value });
      return z.NEVER;
    }
    // -0 (from "-0" in YAML or JSON) is 0.
    return parsed + 0;
  });
}

/** Why a value with a unit was refused, when that is not plain from the example. */
function unitHint(value: string | number, numbersAllowed: boolean): string {
  if (typeof value === "number") {
    if (!numbersAllowed) return " (with its unit: a plain number other than 0 is ambiguous)";
    if (!Number.isFinite(value)) return " (a finite number)";
    return value < 0 ? " (not negative)" : ` (at most ${UNIT_VALUE_MAX})`;
  }
  if (value.length > UNIT_TEXT_MAX_CHARS) return ` (at most ${UNIT_TEXT_MAX_CHARS} characters)`;
  if (value.trim().startsWith("-")) return " (not negative)";
  return "";
}

/** Integer nanoseconds. */
export const durationSchema = withUnit("a duration", "250ms", parseDurationNs, "zero");
/** Bytes. */
export const sizeSchema = withUnit("a size", "1KiB", parseSizeBytes, { baseUnit: "of bytes", integral: true });
/** Bytes per second. */
export const bandwidthSchema = withUnit("a bandwidth", "10Gbps", parseBandwidthBytesPerSec, null);
/** Per second. */
export const rateSchema = withUnit("a rate", "5k/s", parseRatePerSec, { baseUnit: "per second", integral: false });

const nameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "expected a name of letters, digits, '.', '_' or '-' (at most 64)");

/** A distribution of a quantity in `unit` (a duration or a size): one value, or a shape. */
function distributionOf(unit: typeof durationSchema | typeof sizeSchema, example: string) {
  const error = `expected a value such as ${JSON.stringify(example)}, or { kind: constant | uniform | exponential | lognormal | normal, … }`;
  return z.union(
    [
    unit.transform((value) => ({ kind: "constant" as const, value })),
    z.strictObject({ kind: z.literal("constant"), value: unit }),
    z.strictObject({ kind: z.literal("uniform"), min: unit, max: unit }),
    z.strictObject({ kind: z.literal("exponential"), mean: unit }),
    z.strictObject({ kind: z.literal("lognormal"), median: unit, sigma: z.number().min(0).max(5) }),
    z.strictObject({ kind: z.literal("normal"), mean: unit, stddev: unit }),
    ],
    { error },
  );
}

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
  messageSize: distributionOf(sizeSchema, "1KiB").default({ kind: "constant", value: 1_024 }),
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
  maxRate: rateSchema.optional(),
  commit: z.enum(["auto", "before-process", "after-process"]).default("after-process"),
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
  capacity: rateSchema.optional(),
});

const partitionSpecSchema = z.discriminatedUnion(
  "kind",
  [
  z.strictObject({ kind: z.literal("total"), groups: z.array(z.array(nameSchema).min(1).max(200)).min(2).max(20), classes: z.array(z.string().max(64)).max(10).optional() }),
  z.strictObject({ kind: z.literal("one-way"), from: z.array(nameSchema).min(1).max(200), to: z.array(nameSchema).min(1).max(200), classes: z.array(z.string().max(64)).max(10).optional() }),
  z.strictObject({ kind: z.literal("isolate"), nodes: z.array(nameSchema).min(1).max(200), classes: z.array(z.string().max(64)).max(10).optional() }),
  z.strictObject({ kind: z.literal("bridge"), sides: z.tuple([z.array(nameSchema).min(1), z.array(nameSchema).min(1)]), bridge: z.array(nameSchema).max(200), classes: z.array(z.string().max(64)).max(10).optional() }),
  ],
  { error: "expected a partition { kind: total, groups } | { kind: one-way, from, to } | { kind: isolate, nodes } | { kind: bridge, sides, bridge }" },
);

const faultSchema = z.discriminatedUnion(
  "verb",
  [
  z.strictObject({ at: durationSchema, verb: z.enum(["processCrash", "powerLoss", "restart", "pause", "resume", "fullDisk", "fsyncLies", "tornWrites", "healDisk"]), node: nameSchema }),
  z.strictObject({ at: durationSchema, verb: z.literal("slowDisk"), node: nameSchema, factor: z.number().min(1).max(10_000) }),
  z.strictObject({ at: durationSchema, verb: z.literal("partition"), name: nameSchema.optional(), spec: partitionSpecSchema }),
  z.strictObject({ at: durationSchema, verb: z.literal("heal"), name: nameSchema.optional() }),
  z.strictObject({ at: durationSchema, verb: z.literal("healAll") }),
  ],
  { error: "expected a fault { at, verb, … }: verb processCrash | powerLoss | restart | pause | resume | fullDisk | fsyncLies | tornWrites | healDisk (with node), slowDisk (with node, factor), partition (with spec), heal (with name), healAll" },
);

const clusterSchema = z.strictObject({
  brokers: z.int().min(1).max(64),
  /** broker.rack per broker, in order. */
  racks: z.array(nameSchema).max(64).optional(),
  disk: z.enum(["hdd", "sata-ssd", "nvme", "nvme-plp"]).default("nvme"),
  nic: bandwidthSchema.default(1_250_000_000),
  /** Median one-way latency between two nodes. */
  latency: durationSchema.default(150_000),
});

const budgetsSchema = z.strictObject({
  maxEvents: z.int().min(1_000).max(10_000_000_000).default(200_000_000),
  /** How long after the workload ends the cluster may take to converge and consumers to drain. */
  convergeWithin: durationSchema.default(120_000_000_000),
});

const sweepValueSchema = z.union([z.number(), z.string().max(256), z.boolean()], { error: "expected a number, a string (at most 256 characters) or true/false" });

/**
 * Parameter path → values. zod drops a "__proto__" key from a record without
 * a word (assigning it would replace the prototype), so it is refused here
 * rather than lost.
 */
const sweepSchema = z.preprocess(
  (input, ctx) => {
    if (input !== null && typeof input === "object" && Object.prototype.hasOwnProperty.call(input, "__proto__")) {
      ctx.addIssue({ code: "custom", path: ["__proto__"], message: 'expected a parameter path such as "cluster.brokers"', input: "__proto__" });
    }
    return input;
  },
  z.record(z.string().min(1).max(200, "expected a parameter path of at most 200 characters"), z.array(sweepValueSchema).min(1).max(1_000)),
);

export const kafkaScenarioSchema = z.strictObject({
  system: z.literal("kafka"),
  name: nameSchema.default("scenario"),
  description: z.string().max(10_000).default(""),
  seed: z.union([z.int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().min(1).max(200)], { error: `expected a seed: an integer from 0 to ${Number.MAX_SAFE_INTEGER}, or a string of 1 to 200 characters` }).default(1),
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
  budgets: budgetsSchema.default({ maxEvents: 200_000_000, convergeWithin: 120_000_000_000 }),
  /** Parameter path → values: each combination is one run of a sweep. */
  sweep: sweepSchema.optional(),
});

/**
 * Cross-field rules run only once every field is valid on its own, so they see
 * values in range (a handful of brokers, not 1e308) and never report again, as
 * a broken rule, a problem already reported at the field itself.
 */
export const scenarioSchema = z
  .discriminatedUnion("system", [kafkaScenarioSchema], { error: 'expected system: "kafka" (the systems modelled so far)' })
  .superRefine(checkReferences, { when: (payload) => payload.issues.length === 0 });

export type KafkaScenario = z.output<typeof kafkaScenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;

/** Client node names, in a fixed order: producers first, then consumer group members. */
export function producerNodeNames(scenario: KafkaScenario): string[][] {
  return scenario.producers.map((producer, k) => {
    const base = producer.name ?? `p${k + 1}`;
    return producer.count === 1 ? [base] : Array.from({ length: producer.count }, (_, n) => `${base}-${n + 1}`);
  });
}

export function consumerNodeNames(scenario: KafkaScenario): string[][] {
  return scenario.consumers.map((group) => Array.from({ length: group.count }, (_, n) => `${group.group}-${n + 1}`));
}

export function brokerNodeNames(scenario: KafkaScenario): string[] {
  return Array.from({ length: scenario.cluster.brokers }, (_, k) => `b${k + 1}`);
}

/**
 * Problems the cross-field rules report at most: a hostile document (10 000
 * partition faults naming unknown nodes) must not make hundreds of thousands.
 */
const CROSS_FIELD_ISSUES_MAX = 1_000;

/** Names for a message: all of a short list, the first few of a long one. */
function someOf(names: Iterable<string>): string {
  const all = [...names];
  return all.length <= 16 ? all.join(", ") : `${all.slice(0, 16).join(", ")}, … (${all.length} in all)`;
}

/** Rules across fields, each reported at the path of the field that breaks it, with the value found there. */
function checkReferences(scenario: KafkaScenario, ctx: z.RefinementCtx): void {
  let issues = 0;
  const issue = (path: (string | number)[], message: string, input: unknown): void => {
    issues += 1;
    if (issues <= CROSS_FIELD_ISSUES_MAX) ctx.addIssue({ code: "custom", path, message, input });
  };
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
  const nodeList = someOf(nodes);
  scenario.faults.forEach((fault, k) => {
    if (fault.at >= scenario.duration) issue(["faults", k, "at"], `expected a time before the end of \`duration\` (${duration}; everything heals then), got ${formatDurationNs(fault.at)}`, formatDurationNs(fault.at));
    const named: [(string | number)[], string][] = "node" in fault ? [[["node"], fault.node]] : fault.verb === "partition" ? partitionNodes(fault.spec) : [];
    for (const [path, name] of named) if (!nodes.has(name)) issue(["faults", k, ...path], `expected a node name among ${nodeList}, got "${name}"`, name);
  });
  const minIsr = scenario.config["min.insync.replicas"];
  if (minIsr !== undefined) {
    const smallest = scenario.topics.reduce((low, topic) => (topic.replicationFactor < low.replicationFactor ? topic : low));
    if (minIsr > smallest.replicationFactor) {
      issue(["config", "min.insync.replicas"], `expected at most ${smallest.replicationFactor} (topic ${smallest.name}'s replication factor), or acks=all writes could never succeed; got ${minIsr}`, minIsr);
    }
  }
}

/** The nodes a partition names, each with its path under the fault. */
function partitionNodes(spec: z.output<typeof partitionSpecSchema>): [(string | number)[], string][] {
  const under = (field: string, names: readonly string[]): [(string | number)[], string][] => names.map((name, n) => [["spec", field, n], name]);
  switch (spec.kind) {
    case "total":
      return spec.groups.flatMap((group, g) => group.map((name, n): [(string | number)[], string] => [["spec", "groups", g, n], name]));
    case "one-way":
      return [...under("from", spec.from), ...under("to", spec.to)];
    case "isolate":
      return under("nodes", spec.nodes);
    case "bridge":
      return [...spec.sides.flatMap((side, s) => side.map((name, n): [(string | number)[], string] => [["spec", "sides", s, n], name])), ...under("bridge", spec.bridge)];
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
