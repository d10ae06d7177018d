/**
 * The scenario file's RabbitMQ branch (`system: rabbitmq`), in RabbitMQ's
 * own vocabulary: `queues` as declared (type classic or quorum, durable,
 * x-arguments, the node it was declared on), `policies` as
 * `rabbitmqctl set_policy` takes them (ha-mode, ha-params, ha-sync-mode,
 * ha-promote-on-failure, ha-promote-on-shutdown), `exchanges` and
 * `bindings`, rabbitmq.conf's `cluster_partition_handling` under `config`,
 * and the client applications: `publishers` (publisher confirms,
 * transactions or neither; persistent or transient messages) and
 * `consumers` (prefetch, automatic or manual acknowledgement). Units,
 * faults, machines, budgets and sweeps are the shared ones
 * (src/scenario/schema-parts.ts).
 *
 * Cross-field rules: names exist and are unique, a quorum queue is durable,
 * a policy's ha-params fit its ha-mode, every publisher's route reaches a
 * queue, one queue's consumers are one application (fan-out is a queue per
 * application), faults and hosts name nodes that exist.
 */
import { z } from "zod";
import { CHECKER_NAMES, type CheckerName } from "../../checks/violation.js";
import { checkBudgets } from "../../scenario/budget-check.js";
import { CLIENT_TRAFFIC } from "./client-connection.js";
import { rabbitNodeNames } from "./cluster.js";
import { CORES_DEFAULT } from "./cpu-costs.js";
import { MEMORY_DEFAULT_BYTES } from "./resource-alarms.js";
import { CLUSTER_TRAFFIC } from "./node-link.js";
import { EMBED_MSGS_BELOW_BYTES_DEFAULT, hasClassicMirroring, RABBIT_VERSION_DEFAULT, RABBIT_VERSIONS, type RabbitVersion } from "./classic-persistence.js";
import { policyFor } from "./config.js";
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
  nameSchema,
  rateSchema,
  seedSchema,
  sizeSchema,
  messageSizeSchema,
  someOf,
  sweepSchema,
  type IssueAt,
} from "../../scenario/schema-parts.js";
import { parseDurationNs } from "../../scenario/units.js";
import { estimateRabbitRun } from "./run-estimate.js";

/**
 * The checkers that apply to RabbitMQ runs: dirty-read needs a final log
 * with offsets that consumers read by position (Kafka's); divergence applies
 * to quorum queues (their members' Raft logs, quorum-snapshots.ts).
 */
export const RABBIT_CHECKER_NAMES = CHECKER_NAMES.filter((name): name is Exclude<CheckerName, "dirty-read"> => name !== "dirty-read");

/** RabbitMQ takes TTLs as an unsigned 32-bit number of milliseconds. */
const MILLISECONDS_MAX = 4_294_967_295;

/** Whole milliseconds, RabbitMQ's unit for TTLs: a plain integer, or a duration with its unit ("30s"). */
const millisecondsSchema = z.union([z.string(), z.number()], { error: 'expected milliseconds (an integer) or a duration such as "30s"' }).transform((value, ctx) => {
  let ms: number | null = null;
  if (typeof value === "number") ms = Number.isInteger(value) && value >= 0 && value <= MILLISECONDS_MAX ? value : null;
  else {
    const ns = value.length <= 64 ? parseDurationNs(value) : null;
    ms = ns !== null && ns % 1_000_000 === 0 && ns / 1_000_000 <= MILLISECONDS_MAX ? ns / 1_000_000 : null;
  }
  if (ms === null) {
    ctx.addIssue({ code: "custom", message: `expected whole milliseconds from 0 to ${MILLISECONDS_MAX} (an integer, RabbitMQ's unit) or a duration such as "30s"`, input: value });
    return z.NEVER;
  }
  return ms;
});

const classicQueueVersionSchema = z.union([z.literal(1), z.literal(2)], { error: "expected 1 or 2 (classic queue storage version)" });

/** The release: YAML reads 3.13 as a number, so both spellings are taken. */
const versionSchema = z
  .union([z.enum(RABBIT_VERSIONS), z.literal(3.12), z.literal(3.13), z.literal(4)], { error: `expected one of ${RABBIT_VERSIONS.map((v) => `"${v}"`).join(", ")} (the RabbitMQ release)` })
  .transform((value): RabbitVersion => (value === 3.12 ? "3.12" : value === 3.13 ? "3.13" : value === 4 ? "4.x" : value));

const queueSchema = z.strictObject({
  name: nameSchema,
  type: z.enum(["classic", "quorum"]).default("classic"),
  /** Durable queues survive a node restart (quorum queues are always durable). */
  durable: z.boolean().default(true),
  arguments: z
    .strictObject({
      "x-message-ttl": millisecondsSchema.optional(),
      "x-max-length": z.int().min(0).max(1_000_000_000).optional(),
      "x-overflow": z.enum(["drop-head", "reject-publish"]).optional(),
      "x-quorum-initial-group-size": z.int().min(1).max(64).optional(),
      /** Classic queues: storage version (CQv1 / CQv2), which decides what a confirm waits for. */
      "x-queue-version": classicQueueVersionSchema.optional(),
    })
    .default({}),
  /** The node it is declared on: a classic queue's home (master), a quorum queue's first leader. Default: round robin. */
  node: nameSchema.optional(),
});

const haParamsSchema = z.union([z.int().min(1).max(64), z.array(nameSchema).min(1).max(64)], { error: "expected ha-params: a number of replicas (ha-mode exactly) or a list of node names (ha-mode nodes)" });

/** Repeated groups that repeat or alternate inside ("(a+)+", "(a|b)*"): catastrophic backtracking on a hostile pattern. */
const NESTED_REPEAT = /\((?:[^()\\]|\\.)*[+*{|](?:[^()\\]|\\.)*\)[+*{]/;

const policySchema = z.strictObject({
  name: nameSchema,
  /** A regular expression matched against queue names, as rabbitmqctl set_policy takes it. */
  pattern: z
    .string()
    .max(255)
    .refine((pattern) => isSafeRegExp(pattern), { error: "expected a regular expression such as \"^ha\\.\" (valid, without a repeated group that itself repeats or alternates)" }),
  definition: z.strictObject({
    "ha-mode": z.enum(["all", "exactly", "nodes"]),
    "ha-params": haParamsSchema.optional(),
    "ha-sync-mode": z.enum(["manual", "automatic"]).default("manual"),
    "ha-promote-on-failure": z.enum(["always", "when-synced"]).default("always"),
    "ha-promote-on-shutdown": z.enum(["always", "when-synced"]).default("when-synced"),
  }),
  /** Of the policies matching a queue, the highest priority applies (ties: the first listed). */
  priority: z.int().min(0).max(1_000_000).default(0),
});

function isSafeRegExp(pattern: string): boolean {
  if (NESTED_REPEAT.test(pattern)) return false;
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

const exchangeSchema = z.strictObject({
  name: nameSchema,
  type: z.enum(["direct", "fanout"]).default("direct"),
});

const bindingSchema = z.strictObject({
  exchange: nameSchema,
  queue: nameSchema,
  /** Direct exchanges: the routing key that reaches the queue (default: the queue's name). */
  routingKey: z.string().max(255).optional(),
});

const publisherSchema = z.strictObject({
  /** Client node name (default p1, p2, … in order). With count > 1: name-1, name-2, … */
  name: nameSchema.optional(),
  count: z.int().min(1).max(100).default(1),
  /** "" is the default exchange, which routes by queue name. */
  exchange: z.union([z.literal(""), nameSchema], { error: 'expected an exchange name, or "" for the default exchange' }).default(""),
  routingKey: z.string().max(255),
  /** confirm: publisher confirms; tx: tx.select / tx.commit per batch; none: fire and forget. */
  mode: z.enum(["confirm", "tx", "none"]).default("confirm"),
  rate: rateSchema.refine((perSecond) => perSecond > 0, { error: 'expected a rate above 0 such as "5k/s"' }).transform((perSecond) => ({ kind: "constant" as const, perSecond })),
  messageSize: messageSizeSchema.pipe(z.number().min(1)).default(1_024),
  /** Messages published back to back (and per transaction). */
  batch: z.int().min(1).max(100_000).default(1),
  /** delivery_mode 2: written to disk in a durable queue. */
  persistent: z.boolean().default(true),
  /** Confirm mode: unconfirmed messages in flight at most (0: no limit). */
  inFlightMax: z.int().min(0).max(1_000_000).default(0),
  /** The per-message `expiration` property. */
  expiration: millisecondsSchema.optional(),
  /** Nodes to connect to, in order (default: every node, starting with a different one per client). */
  hosts: z.array(nameSchema).min(1).max(64).optional(),
});

const consumerSchema = z.strictObject({
  /** Client node name (default c1, c2, … in order). With count > 1: name-1, name-2, … */
  name: nameSchema.optional(),
  count: z.int().min(1).max(100).default(1),
  queue: nameSchema,
  /** The application it belongs to (default: the queue's name): it must see every message of its queues. */
  group: nameSchema.optional(),
  /** basic.qos: unacknowledged deliveries at most (0: no limit, RabbitMQ's default). */
  prefetch: z.int().min(0).max(65_535).default(0),
  /** Automatic acknowledgement: the broker forgets a message when it sends it. */
  autoAck: z.boolean().default(false),
  /** Time to process each message; the effect happens at its end, the manual ack after it. */
  processingTime: durationSchema.default(1_000_000),
  idempotent: z.boolean().default(false),
  hosts: z.array(nameSchema).min(1).max(64).optional(),
});

const rabbitScenarioObject = z.strictObject({
  system: z.literal("rabbitmq"),
  name: nameSchema.default("scenario"),
  description: descriptionSchema,
  seed: seedSchema,
  /** The RabbitMQ release modelled (default the newest): what classic queues fsync, whether mirroring exists. */
  version: versionSchema.default(RABBIT_VERSION_DEFAULT),
  /** How long publishers send and faults may happen; then everything heals. */
  duration: durationSchema,
  cluster: z.strictObject({
    nodes: z.int().min(1).max(64),
    /** Erlang schedulers per node: the machine's cores (RabbitMQ does not set +S). */
    cores: z.int().min(1).max(256).default(CORES_DEFAULT),
    /** What if every core were this many times as fast as the calibration's (src/systems/rabbitmq/cpu-costs.ts). */
    cpuSpeed: z.number().min(0.01).max(1_000).default(1),
    /** Each node's RAM, of which vm_memory_high_watermark.relative is a share. */
    memory: sizeSchema.default(MEMORY_DEFAULT_BYTES),
    ...machineFields,
  }),
  /** rabbitmq.conf settings. */
  config: z
    .strictObject({
      cluster_partition_handling: z.enum(["ignore", "pause_minority", "autoheal"]).default("ignore"),
      /** Seconds; a silent peer node is down after net_ticktime to 5/4 of it (Erlang's default 60). */
      net_ticktime: z.int().min(1).max(3_600).default(60),
      /** Seconds; the AMQP heartbeat timeout clients accept (RabbitMQ's default 60). */
      heartbeat: z.int().min(1).max(3_600).default(60),
      /** Storage version of classic queues without x-queue-version (default: 1 up to 3.13, 2 in 4.x). */
      "classic_queue.default_version": classicQueueVersionSchema.optional(),
      /** Bytes; CQv1 keeps smaller messages in its queue index, whose journal is fsynced (default 4096). */
      queue_index_embed_msgs_below: z.int().min(0).max(1_073_741_824).default(EMBED_MSGS_BELOW_BYTES_DEFAULT),
      /** Share of RAM at which the memory alarm blocks publishers (default 0.4 up to 3.13, 0.6 in 4.x). */
      "vm_memory_high_watermark.relative": z.number().gt(0).max(1).optional(),
      /** Free disk below this blocks publishers (default 50MB). */
      "disk_free_limit.absolute": sizeSchema.default(50_000_000),
      /** Ra's WAL keeps its entries in memory until it rolls over at this size (default 512MiB). */
      "raft.wal_max_size_bytes": sizeSchema.default(536_870_912),
    })
    .default({ cluster_partition_handling: "ignore", net_ticktime: 60, heartbeat: 60, queue_index_embed_msgs_below: EMBED_MSGS_BELOW_BYTES_DEFAULT, "disk_free_limit.absolute": 50_000_000, "raft.wal_max_size_bytes": 536_870_912 }),
  queues: z.array(queueSchema).min(1).max(100),
  policies: z.array(policySchema).max(100).default([]),
  exchanges: z.array(exchangeSchema).max(100).default([]),
  bindings: z.array(bindingSchema).max(1_000).default([]),
  publishers: z.array(publisherSchema).max(100).default([]),
  consumers: z.array(consumerSchema).max(100).default([]),
  faults: z.array(faultSchema).max(10_000).default([]),
  checks: z.array(z.enum(RABBIT_CHECKER_NAMES)).max(RABBIT_CHECKER_NAMES.length).optional(),
  budgets: budgetsSchema.default(BUDGETS_DEFAULT),
  sweep: sweepSchema.optional(),
});

export type RabbitScenario = z.output<typeof rabbitScenarioObject>;

/** The RabbitMQ branch of the scenario file, with its cross-field rules (run once every field is valid on its own). */
export const rabbitScenarioSchema = rabbitScenarioObject.superRefine((scenario, ctx) => checkRabbitReferences(scenario, ctx), { when: (payload) => payload.issues.length === 0 });

export function rabbitScenarioNodeNames(scenario: RabbitScenario): string[] {
  return rabbitNodeNames(scenario.cluster.nodes);
}

export function publisherNodeNames(scenario: RabbitScenario): string[][] {
  return scenario.publishers.map((publisher, k) => clientNames(publisher.name ?? `p${k + 1}`, publisher.count));
}

export function rabbitConsumerNodeNames(scenario: RabbitScenario): string[][] {
  return scenario.consumers.map((consumer, k) => clientNames(consumer.name ?? `c${k + 1}`, consumer.count));
}

/** The queues a publish reaches, as the model routes it (default exchange by queue name, direct by key, fanout to all). */
export function routedQueues(scenario: RabbitScenario, exchange: string, routingKey: string): string[] {
  if (exchange === "") return scenario.queues.some((queue) => queue.name === routingKey) ? [routingKey] : [];
  const declared = scenario.exchanges.find((candidate) => candidate.name === exchange);
  if (declared === undefined) return [];
  const bound = scenario.bindings.filter((binding) => binding.exchange === exchange && (declared.type === "fanout" || (binding.routingKey ?? binding.queue) === routingKey));
  return [...new Set(bound.map((binding) => binding.queue))];
}

/** Rules across fields, each reported at the path of the field that breaks it (run once every field is valid on its own). */
function checkRabbitReferences(scenario: RabbitScenario, ctx: z.RefinementCtx): void {
  const issue = issueReporter(ctx);
  const nodeNames = rabbitScenarioNodeNames(scenario);
  const nodeSet = new Set(nodeNames);
  const nodeList = someOf(nodeNames);
  const checkNode = (path: (string | number)[], name: string): void => {
    if (!nodeSet.has(name)) issue(path, `expected a RabbitMQ node among ${nodeList}, got "${name}"`, name);
  };
  const queues = new Set<string>();
  scenario.queues.forEach((queue, k) => {
    if (queues.has(queue.name)) issue(["queues", k, "name"], `expected each queue name once, but "${queue.name}" is declared twice`, queue.name);
    queues.add(queue.name);
    if (queue.node !== undefined) checkNode(["queues", k, "node"], queue.node);
    if (queue.type === "quorum" && !queue.durable) issue(["queues", k, "durable"], "expected true: quorum queues are always durable (RabbitMQ refuses a non-durable one)", queue.durable);
    const queueVersion = queue.arguments["x-queue-version"];
    if (queueVersion !== undefined && queue.type !== "classic") issue(["queues", k, "arguments", "x-queue-version"], "expected only on a classic queue (type: classic)", queueVersion);
    else if (queueVersion === 1 && scenario.version === "4.x") issue(["queues", k, "arguments", "x-queue-version"], "expected 2: RabbitMQ 4.x has only classic queue storage version 2 (set version: \"3.13\" for version 1)", queueVersion);
    const groupSize = queue.arguments["x-quorum-initial-group-size"];
    if (groupSize !== undefined && queue.type !== "quorum") issue(["queues", k, "arguments", "x-quorum-initial-group-size"], "expected only on a quorum queue (type: quorum)", groupSize);
    else if (groupSize !== undefined && groupSize > nodeNames.length) issue(["queues", k, "arguments", "x-quorum-initial-group-size"], `expected at most ${nodeNames.length} (the number of nodes), got ${groupSize}`, groupSize);
  });
  const queueList = someOf(queues);
  checkPolicies(scenario, issue, checkNode);
  const exchanges = new Set<string>();
  scenario.exchanges.forEach((exchange, k) => {
    if (exchanges.has(exchange.name)) issue(["exchanges", k, "name"], `expected each exchange name once, but "${exchange.name}" is declared twice`, exchange.name);
    exchanges.add(exchange.name);
  });
  const exchangeList = exchanges.size === 0 ? "none are declared under `exchanges`" : someOf(exchanges);
  scenario.bindings.forEach((binding, k) => {
    if (!exchanges.has(binding.exchange)) issue(["bindings", k, "exchange"], `expected one of the exchanges (${exchangeList}), got "${binding.exchange}"`, binding.exchange);
    if (!queues.has(binding.queue)) issue(["bindings", k, "queue"], `expected one of the queues (${queueList}), got "${binding.queue}"`, binding.queue);
  });
  scenario.publishers.forEach((publisher, k) => {
    if (publisher.exchange !== "" && !exchanges.has(publisher.exchange)) issue(["publishers", k, "exchange"], `expected "" (the default exchange) or one of the exchanges (${exchangeList}), got "${publisher.exchange}"`, publisher.exchange);
    else if (routedQueues(scenario, publisher.exchange, publisher.routingKey).length === 0) {
      const why = publisher.exchange === "" ? `the default exchange routes by queue name: expected one of the queues (${queueList})` : `expected a routing key bound to a queue on exchange "${publisher.exchange}"`;
      issue(["publishers", k, "routingKey"], `${why}, but "${publisher.routingKey}" reaches no queue (RabbitMQ would drop every message)`, publisher.routingKey);
    }
    publisher.hosts?.forEach((host, n) => checkNode(["publishers", k, "hosts", n], host));
  });
  const groupOfQueue = new Map<string, string>();
  scenario.consumers.forEach((consumer, k) => {
    if (!queues.has(consumer.queue)) issue(["consumers", k, "queue"], `expected one of the queues (${queueList}), got "${consumer.queue}"`, consumer.queue);
    const group = consumer.group ?? consumer.queue;
    const other = groupOfQueue.get(consumer.queue);
    if (other !== undefined && other !== group) {
      issue(["consumers", k, "group"], `expected "${other}": consumers of one queue share its messages, so they are one application (for fan-out, bind a queue per application to a fanout exchange)`, group);
    }
    groupOfQueue.set(consumer.queue, other ?? group);
    consumer.hosts?.forEach((host, n) => checkNode(["consumers", k, "hosts", n], host));
  });
  const nodes = new Set(nodeNames);
  const applications = [
    { key: "publishers", declared: scenario.publishers, names: publisherNodeNames(scenario) },
    { key: "consumers", declared: scenario.consumers, names: rabbitConsumerNodeNames(scenario) },
  ];
  checkClientNodeNames(nodes, applications, `r1…r${nodeNames.length}`, issue);
  checkFaults(scenario.faults, scenario.duration, nodes, [CLUSTER_TRAFFIC, CLIENT_TRAFFIC], issue);
  checkDivergenceApplies(scenario, issue);
  checkBudgets(scenario, estimateRabbitRun(scenario), issue);
}

/** Divergence compares quorum queue members' Raft logs (quorum-snapshots.ts): asked of a cluster with none, it could check nothing. */
function checkDivergenceApplies(scenario: RabbitScenario, issue: IssueAt): void {
  const at = scenario.checks?.indexOf("divergence") ?? -1;
  if (at >= 0 && !scenario.queues.some((queue) => queue.type === "quorum")) {
    issue(["checks", at], "expected a quorum queue for divergence: it compares the members' Raft logs, and classic queues (mirrored or not) have none", "divergence");
  }
}

function checkPolicies(scenario: RabbitScenario, issue: IssueAt, checkNode: (path: (string | number)[], name: string) => void): void {
  if (scenario.config["classic_queue.default_version"] === 1 && scenario.version === "4.x") {
    issue(["config", "classic_queue.default_version"], "expected 2: RabbitMQ 4.x has only classic queue storage version 2 (set version: \"3.13\" for version 1)", 1);
  }
  if (!hasClassicMirroring(scenario.version)) {
    // rabbitmqctl set_policy accepts any pattern; what 4.x refuses is mirroring a classic queue.
    const policies = scenario.policies.map((policy) => ({ name: policy.name, pattern: policy.pattern, priority: policy.priority, definition: { "ha-mode": policy.definition["ha-mode"] } }));
    const mirrored = new Set(scenario.queues.filter((queue) => queue.type === "classic").map((queue) => policyFor(queue.name, policies)?.name).filter((name) => name !== undefined));
    scenario.policies.forEach((policy, k) => {
      if (mirrored.has(policy.name)) issue(["policies", k, "definition", "ha-mode"], `expected no ha-mode policy on a classic queue with version ${scenario.version}: classic queue mirroring was removed in RabbitMQ 4.0 (set version: "3.13", or use quorum queues)`, policy.definition["ha-mode"]);
    });
  }
  const names = new Set<string>();
  scenario.policies.forEach((policy, k) => {
    if (names.has(policy.name)) issue(["policies", k, "name"], `expected each policy name once, but "${policy.name}" is set twice`, policy.name);
    names.add(policy.name);
    const definition = policy.definition;
    const params = definition["ha-params"];
    const at = ["policies", k, "definition", "ha-params"];
    switch (definition["ha-mode"]) {
      case "all":
        if (params !== undefined) issue(at, "expected no ha-params with ha-mode all (RabbitMQ refuses them)", params);
        break;
      case "exactly":
        if (params === undefined) issue(["policies", k, "definition"], "expected ha-params, the number of replicas (master + mirrors), with ha-mode exactly", definition);
        else if (typeof params !== "number") issue(at, "expected a number of replicas (master + mirrors) for ha-mode exactly", params);
        break;
      case "nodes":
        if (params === undefined) issue(["policies", k, "definition"], "expected ha-params, a list of node names, with ha-mode nodes", definition);
        else if (!Array.isArray(params)) issue(at, "expected a list of node names for ha-mode nodes", params);
        else params.forEach((node, n) => checkNode([...at, n], node));
        break;
    }
  });
}
