/**
 * The scenario file's ActiveMQ branch (`system: activemq`), in ActiveMQ
 * Classic's own vocabulary (activemq.xml and the JMS client's; tag
 * activemq-5.18.7, docs/research/activemq-facts.md):
 *
 * - `cluster.brokers`: one broker on its own disk, or a master/slave group
 *   whose brokers share one store (`cluster.sharedStore`: an NFS server,
 *   `protocol` nfsv3, whose locks a dead holder keeps until its machine
 *   reboots, or nfsv4, whose locks expire after `leaseTime`);
 * - `persistenceAdapter.kahaDB`: the journal's settings
 *   (journalDiskSyncStrategy, journalDiskSyncInterval,
 *   journalMaxFileLength), the master's lock check (lockKeepAlivePeriod)
 *   and its `locker` (shared-file-locker's lockAcquireSleepInterval); or
 *   `persistenceAdapter.jdbc`: the messages in a database (the server node
 *   `db`), master/slave by the lease-database-locker (lockKeepAlivePeriod,
 *   its renewal, 30 s by default; locker.lockAcquireSleepInterval, the
 *   lease and the slave's retry, 10 s);
 * - `failover`: the clients' failover transport's initialReconnectDelay and
 *   maxReconnectDelay (ms);
 * - `queues`, and the client applications on the failover transport:
 *   `producers` (deliveryMode, useAsyncSend) and `consumers` (queuePrefetch,
 *   acknowledgeMode).
 *
 * Units, faults, machines, budgets and sweeps are the shared ones
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
  sizeSchema,
  someOf,
  sweepSchema,
} from "../../scenario/schema-parts.js";
import { SHARED_STORE_TRAFFIC } from "../../world/shared-store-protocol.js";
import { AUDIT_DEPTH_DEFAULT, AUDIT_MAXIMUM_PRODUCER_NUMBER_DEFAULT } from "./connection-audit.js";
import { CORES_DEFAULT } from "./cpu-costs.js";
import { FAILOVER_DEFAULTS } from "./failover-connection.js";
import { KAHADB_JOURNAL_DEFAULTS } from "./kahadb-journal.js";
import { LOCK_DATABASE_TRAFFIC } from "./lock-database.js";
import { OPENWIRE_TRAFFIC } from "./openwire.js";
import { NO_MAXIMUM_REDELIVERIES, REDELIVERY_POLICY_DEFAULTS } from "./redelivery-policy.js";
import { estimateActiveMqRun } from "./run-estimate.js";
import { SHARED_FILE_LOCKER_DEFAULTS } from "./shared-file-locker.js";

/**
 * The checkers that apply to ActiveMQ runs. A queue has no positions a
 * client sees (no offsets): inconsistent-offsets and monotonic judge
 * positions; divergence and dirty-read need replicas that agree on a
 * committed prefix, and a master/slave pair shares one store instead.
 */
const NOT_APPLICABLE: readonly CheckerName[] = ["divergence", "dirty-read", "inconsistent-offsets", "monotonic"];
export const ACTIVEMQ_CHECKER_NAMES = CHECKER_NAMES.filter((name) => !NOT_APPLICABLE.includes(name)) as [CheckerName, ...CheckerName[]];

const millisecondsSchema = z.int().min(0).max(3_600_000);

/** The shared store's node. */
export const SHARED_STORE_NODE = "nfs";
/** The JDBC database's server node. */
export const DATABASE_NODE = "db";

const sharedStoreSchema = z.strictObject({
  /**
   * nfsv3: locks through NLM, which a dead holder keeps until its machine
   * reboots and says so (SM_NOTIFY); nfsv4: locks are leases, freed once
   * the holder stops renewing for `leaseTime`.
   */
  protocol: z.enum(["nfsv3", "nfsv4"]),
  /** NFSv4's lease (Linux nfsd's nfsv4leasetime: 90 s). */
  leaseTime: durationSchema.default(90_000_000_000),
});

const kahaDbSchema = z
  .strictObject({
    journalDiskSyncStrategy: z.enum(["ALWAYS", "PERIODIC", "NEVER"]).default(KAHADB_JOURNAL_DEFAULTS.journalDiskSyncStrategy),
    journalDiskSyncInterval: millisecondsSchema.min(1).default(KAHADB_JOURNAL_DEFAULTS.journalDiskSyncInterval),
    journalMaxFileLength: sizeSchema.pipe(z.number().min(65_536).max(4_294_967_296)).default(KAHADB_JOURNAL_DEFAULTS.journalMaxFileLength),
    /** How often a master checks it still holds the store's lock (0: never). */
    lockKeepAlivePeriod: millisecondsSchema.default(SHARED_FILE_LOCKER_DEFAULTS.lockKeepAlivePeriod),
    /** Dispatch a queue's persistent message while one store thread journals it (an ack before the store cancels it); false: the sender's own thread stores it. */
    concurrentStoreAndDispatchQueues: z.boolean().default(true),
    locker: z
      .strictObject({
        /** How long a slave sleeps between attempts at the lock. */
        lockAcquireSleepInterval: millisecondsSchema.min(1).default(SHARED_FILE_LOCKER_DEFAULTS.lockAcquireSleepInterval),
      })
      .default({ lockAcquireSleepInterval: SHARED_FILE_LOCKER_DEFAULTS.lockAcquireSleepInterval }),
  });

/** The JDBC adapter's defaults: JDBCPersistenceAdapter's lockKeepAlivePeriod, AbstractLocker's lockAcquireSleepInterval. */
const JDBC_DEFAULTS = { lockKeepAlivePeriod: 30_000, locker: { lockAcquireSleepInterval: 10_000 } };

const jdbcSchema = z
  .strictObject({
    /** How often the master renews its lease. */
    lockKeepAlivePeriod: millisecondsSchema.default(JDBC_DEFAULTS.lockKeepAlivePeriod),
    locker: z
      .strictObject({
        /** The only locker modelled: the lease on ACTIVEMQ_LOCK (the default DefaultDatabaseLocker's row lock is not). */
        kind: z.literal("lease-database-locker", { error: 'expected "lease-database-locker": the only JDBC locker modelled (the default DefaultDatabaseLocker holds a row lock for the broker\'s life; not modelled)' }).default("lease-database-locker"),
        /** The lease's length, and how long a slave sleeps between attempts at it. */
        lockAcquireSleepInterval: millisecondsSchema.min(1).default(JDBC_DEFAULTS.locker.lockAcquireSleepInterval),
      })
      .default({ kind: "lease-database-locker", lockAcquireSleepInterval: JDBC_DEFAULTS.locker.lockAcquireSleepInterval }),
  });

/** The clients' failover: URI options (ms): how soon a client tries again after losing its broker. */
const failoverSchema = z.strictObject({
  initialReconnectDelay: millisecondsSchema.min(1).default(FAILOVER_DEFAULTS.initialReconnectDelay),
  maxReconnectDelay: millisecondsSchema.min(1).default(FAILOVER_DEFAULTS.maxReconnectDelay),
});

const queueSchema = z.strictObject({ name: nameSchema });

const producerSchema = z.strictObject({
  /** Client node name (default p1, p2, … in order). With count > 1: name-1, name-2, … */
  name: nameSchema.optional(),
  count: z.int().min(1).max(100).default(1),
  queue: nameSchema,
  rate: positiveRateSchema,
  messageSize: messageSizeSchema.pipe(z.number().min(1)).default(1_024),
  /** PERSISTENT (the JMS default): stored, and sent synchronously unless useAsyncSend. NON_PERSISTENT: held in memory only, sent async. */
  deliveryMode: z.enum(["PERSISTENT", "NON_PERSISTENT"]).default("PERSISTENT"),
  /** ActiveMQConnectionFactory.useAsyncSend: a persistent send does not wait for the broker's answer either. */
  useAsyncSend: z.boolean().default(false),
  /** When the application starts sending (default at boot). */
  startAt: durationSchema.default(0),
  /** A transacted session (SESSION_TRANSACTED): the application calls commit() after every messagesPerTransaction messages. */
  transacted: z.boolean().default(false),
  messagesPerTransaction: z.int().min(1).max(10_000).default(1),
});

const redeliveryPolicySchema = z.strictObject({
  /** −1: no limit. */
  maximumRedeliveries: z.int().min(NO_MAXIMUM_REDELIVERIES).max(1_000).default(REDELIVERY_POLICY_DEFAULTS.maximumRedeliveries),
  initialRedeliveryDelay: millisecondsSchema.default(REDELIVERY_POLICY_DEFAULTS.initialRedeliveryDelay),
  redeliveryDelay: millisecondsSchema.default(REDELIVERY_POLICY_DEFAULTS.redeliveryDelay),
  useExponentialBackOff: z.boolean().default(REDELIVERY_POLICY_DEFAULTS.useExponentialBackOff),
  backOffMultiplier: z.number().min(1).max(100).default(REDELIVERY_POLICY_DEFAULTS.backOffMultiplier),
  /** ms; −1: no cap. */
  maximumRedeliveryDelay: z.int().min(-1).max(86_400_000).default(REDELIVERY_POLICY_DEFAULTS.maximumRedeliveryDelay),
});

const consumerSchema = z.strictObject({
  /** Client node name (default c1, c2, … in order). With count > 1: name-1, name-2, … */
  name: nameSchema.optional(),
  count: z.int().min(1).max(100).default(1),
  queue: nameSchema,
  /** Time to process each message; its effect happens at its end. */
  processingTime: durationSchema.default(1_000_000),
  /** ActiveMQPrefetchPolicy.queuePrefetch. */
  queuePrefetch: z.int().min(1).max(32_767).default(1_000),
  /**
   * On a queue AUTO and DUPS_OK acknowledge each message after its
   * processing, and so does an application with INDIVIDUAL_ACKNOWLEDGE;
   * with CLIENT the application calls message.acknowledge() after every
   * `acknowledgeEvery` messages, acknowledging all the session delivered
   * since the last call (a message the listener threw on included); with
   * SESSION_TRANSACTED it commits after every `messagesPerTransaction`.
   */
  acknowledgeMode: z.enum(["AUTO_ACKNOWLEDGE", "CLIENT_ACKNOWLEDGE", "DUPS_OK_ACKNOWLEDGE", "INDIVIDUAL_ACKNOWLEDGE", "SESSION_TRANSACTED"]).default("AUTO_ACKNOWLEDGE"),
  acknowledgeEvery: z.int().min(1).max(32_767).default(1),
  messagesPerTransaction: z.int().min(1).max(32_767).default(1),
  idempotent: z.boolean().default(false),
  /** The application's listener throws on every message whose id is a multiple of this (a poison message), each time. */
  failEvery: z.int().min(1).max(1_000_000_000).optional(),
  /** The connection factory's RedeliveryPolicy: redeliveries of a message rolled back, then a poison ack (to ActiveMQ.DLQ). */
  redeliveryPolicy: redeliveryPolicySchema.default(REDELIVERY_POLICY_DEFAULTS),
  /** The connection factory's duplicate audit: a message the connection already gave the listener is poison-acked instead (to ActiveMQ.DLQ). */
  checkForDuplicates: z.boolean().default(true),
  auditDepth: z.int().min(1).max(1_000_000).default(AUDIT_DEPTH_DEFAULT),
  auditMaximumProducerNumber: z.int().min(1).max(10_000).default(AUDIT_MAXIMUM_PRODUCER_NUMBER_DEFAULT),
});

const activeMqScenarioObject = z.strictObject({
  system: z.literal("activemq"),
  name: nameSchema.default("scenario"),
  description: descriptionSchema,
  seed: seedSchema,
  /** How long producers send and faults may happen; then everything heals. */
  duration: durationSchema,
  cluster: z.strictObject({
    /** Brokers b1, b2, …: one alone on its own disk, or a master/slave group on `sharedStore`. */
    brokers: z.int().min(1).max(8).default(1),
    sharedStore: sharedStoreSchema.optional(),
    /** Each broker machine's cores, which all its threads share. */
    cores: z.int().min(1).max(256).default(CORES_DEFAULT),
    ...machineFields,
  }),
  /** KahaDB (the default) or JDBC: one of the two. */
  persistenceAdapter: z.strictObject({ kahaDB: kahaDbSchema.optional(), jdbc: jdbcSchema.optional() }).default({}),
  queues: z.array(queueSchema).min(1).max(1_000),
  /** Every client's failover:(b1,b2,…) transport options. */
  failover: failoverSchema.default({ initialReconnectDelay: FAILOVER_DEFAULTS.initialReconnectDelay, maxReconnectDelay: FAILOVER_DEFAULTS.maxReconnectDelay }),
  producers: z.array(producerSchema).max(100).default([]),
  consumers: z.array(consumerSchema).max(100).default([]),
  faults: z.array(faultSchema).max(10_000).default([]),
  checks: z.array(z.enum(ACTIVEMQ_CHECKER_NAMES)).max(ACTIVEMQ_CHECKER_NAMES.length).optional(),
  budgets: budgetsSchema.default(BUDGETS_DEFAULT),
  sweep: sweepSchema.optional(),
});

export type ActiveMqScenario = z.output<typeof activeMqScenarioObject>;

/** The ActiveMQ branch of the scenario file, with its cross-field rules (run once every field is valid on its own). */
export const activeMqScenarioSchema = activeMqScenarioObject.superRefine((scenario, ctx) => checkActiveMqReferences(scenario, ctx), { when: (payload) => payload.issues.length === 0 });

export function activeMqBrokerNodeNames(scenario: ActiveMqScenario): string[] {
  return Array.from({ length: scenario.cluster.brokers }, (_, k) => `b${k + 1}`);
}

/** The servers: the shared store's or the database's node (when there is one) and the brokers. */
export function activeMqServerNodeNames(scenario: ActiveMqScenario): string[] {
  const store = scenario.persistenceAdapter.jdbc !== undefined ? [DATABASE_NODE] : scenario.cluster.sharedStore === undefined ? [] : [SHARED_STORE_NODE];
  return [...store, ...activeMqBrokerNodeNames(scenario)];
}

/** KahaDB's settings, the defaults filled in (the adapter when no JDBC is asked for). */
export function kahaDbOf(scenario: ActiveMqScenario): z.output<typeof kahaDbSchema> {
  return scenario.persistenceAdapter.kahaDB ?? kahaDbSchema.parse({});
}

export function activeMqProducerNodeNames(scenario: ActiveMqScenario): string[][] {
  return scenario.producers.map((producer, k) => clientNames(producer.name ?? `p${k + 1}`, producer.count));
}

export function activeMqConsumerNodeNames(scenario: ActiveMqScenario): string[][] {
  return scenario.consumers.map((consumer, k) => clientNames(consumer.name ?? `c${k + 1}`, consumer.count));
}

export const ACTIVEMQ_TRAFFIC_CLASSES: readonly string[] = [OPENWIRE_TRAFFIC, SHARED_STORE_TRAFFIC, LOCK_DATABASE_TRAFFIC];

function checkActiveMqReferences(scenario: ActiveMqScenario, ctx: z.RefinementCtx): void {
  const issue = issueReporter(ctx);
  const queues = new Set<string>();
  scenario.queues.forEach((queue, k) => {
    if (queues.has(queue.name)) issue(["queues", k, "name"], `expected each queue name once, but "${queue.name}" is declared twice`, queue.name);
    queues.add(queue.name);
  });
  const queueList = someOf(queues);
  for (const [key, applications] of [["producers", scenario.producers] as const, ["consumers", scenario.consumers] as const]) {
    applications.forEach((application, k) => {
      if (!queues.has(application.queue)) issue([key, k, "queue"], `expected one of the queues (${queueList}), got "${application.queue}"`, application.queue);
    });
  }
  scenario.producers.forEach((producer, k) => {
    if (producer.messagesPerTransaction > 1 && !producer.transacted) issue(["producers", k, "messagesPerTransaction"], "expected 1 without transacted: true (only a transacted session commits messages together)", producer.messagesPerTransaction);
  });
  scenario.consumers.forEach((consumer, k) => {
    if (consumer.acknowledgeEvery > 1 && consumer.acknowledgeMode !== "CLIENT_ACKNOWLEDGE") {
      issue(["consumers", k, "acknowledgeEvery"], `expected 1 with ${consumer.acknowledgeMode} (each message is acknowledged after its processing); only CLIENT_ACKNOWLEDGE leaves acknowledge() to the application`, consumer.acknowledgeEvery);
    }
    if (consumer.messagesPerTransaction > 1 && consumer.acknowledgeMode !== "SESSION_TRANSACTED") {
      issue(["consumers", k, "messagesPerTransaction"], `expected 1 with ${consumer.acknowledgeMode}; only a SESSION_TRANSACTED session commits messages together`, consumer.messagesPerTransaction);
    }
    for (const field of ["acknowledgeEvery", "messagesPerTransaction"] as const) {
      if (consumer[field] > consumer.queuePrefetch) issue(["consumers", k, field], `expected at most queuePrefetch (${consumer.queuePrefetch}): the broker dispatches no more than that unacknowledged`, consumer[field]);
    }
  });
  const { brokers, sharedStore } = scenario.cluster;
  const { kahaDB, jdbc } = scenario.persistenceAdapter;
  if (kahaDB !== undefined && jdbc !== undefined) issue(["persistenceAdapter"], "expected one persistence adapter, kahaDB or jdbc, not both", "kahaDB and jdbc");
  if (jdbc !== undefined && sharedStore !== undefined) {
    issue(["cluster", "sharedStore"], "expected no shared store with jdbc: the brokers share the database (the node db)", "sharedStore");
  }
  if (brokers > 1 && sharedStore === undefined && jdbc === undefined) {
    issue(["cluster", "sharedStore"], "expected a shared store with more than one broker: master/slave brokers share one KahaDB (say { protocol: nfsv4 } or nfsv3), or persistenceAdapter.jdbc", undefined);
  }
  const nodes = new Set(activeMqServerNodeNames(scenario));
  const applications = [
    { key: "producers", declared: scenario.producers, names: activeMqProducerNodeNames(scenario) },
    { key: "consumers", declared: scenario.consumers, names: activeMqConsumerNodeNames(scenario) },
  ];
  checkClientNodeNames(nodes, applications, "the servers' (nfs or db, b1, b2, …)", issue);
  checkFaults(scenario.faults, scenario.duration, nodes, ACTIVEMQ_TRAFFIC_CLASSES, issue);
  checkBudgets(scenario, estimateActiveMqRun(scenario), issue);
}
