/**
 * One ActiveMQ run from a seed, on the shared run sequence
 * (src/run/run-sequence.ts): build the brokers (and the shared store's
 * server when they share one), the producers and consumers on the failover
 * transport, send while the fault schedule plays, heal, wait until one
 * broker is master with its store recovered and the consumers have drained
 * every queue, read what the master's store still holds (Jepsen's final
 * read), and check the history.
 */
import type { CheckInputs, RunChecksOptions } from "../../checks/run-checks.js";
import { IdempotentConsumer } from "../../clients/idempotent-consumer.js";
import type { History } from "../../history/history.js";
import { assert, compareStrings, type Kernel } from "../../kernel/index.js";
import type { ProbeThread } from "../../run/system.js";
import { runSequence, type RunSequenceResult, type RunSequenceSpec, type RunStages } from "../../run/run-sequence.js";
import type { LockRecovery } from "../../world/shared-store-protocol.js";
import { SharedStoreServer } from "../../world/shared-store-server.js";
import type { NetworkOptions } from "../../world/network.js";
import { World } from "../../world/world.js";
import { ActiveMqBroker } from "./activemq-broker.js";
import type { BrokerStoreSpec } from "./broker-mastership.js";
import { ActiveMqProducer, type ActiveMqProducerWorkload } from "./activemq-clients.js";
import { ActiveMqConsumer, type ActiveMqConsumerWorkload } from "./activemq-consumer.js";
import { LEASE_LOCKER_DEFAULTS } from "./lease-database-locker.js";
import { LockDatabase } from "./lock-database.js";
import { KAHADB_JOURNAL_DEFAULTS, type KahaDbJournalOptions } from "./kahadb-journal.js";
import { activeMqGauges, activeMqProbeThreads } from "./threads.js";
import { TransactedProducer } from "./transacted-producer.js";
import { SHARED_FILE_LOCKER_DEFAULTS, type SharedFileLockerOptions } from "./shared-file-locker.js";

export interface ActiveMqClusterSpec {
  /** Broker node names (b1, b2, …): one alone, or a master/slave pair on a shared store. */
  brokers: readonly string[];
  /** The shared store's server and its lock recovery; absent: each broker stores on its own disk. */
  sharedStore?: { server: string; lockRecovery: LockRecovery; leaseNs?: number };
  /** JDBC persistence instead of KahaDB: the database server, and the lease locker's periods (ms; LEASE_LOCKER_DEFAULTS). */
  database?: { server: string; lockKeepAlivePeriod?: number; lockAcquireSleepInterval?: number };
  queues: readonly string[];
  kahaDb?: Partial<KahaDbJournalOptions>;
  /** KahaDB's concurrentStoreAndDispatchQueues (default true). */
  concurrentStoreAndDispatchQueues?: boolean;
  /** Each broker machine's cores (default CORES_DEFAULT). */
  cores?: number;
  locker?: Partial<SharedFileLockerOptions>;
  disk?: string;
  network?: Partial<NetworkOptions>;
}

export interface ActiveMqRunSpec extends RunSequenceSpec {
  cluster: ActiveMqClusterSpec;
  producers: Omit<ActiveMqProducerWorkload, "brokers">[];
  consumers?: Omit<ActiveMqConsumerWorkload, "brokers">[];
  /** Queues whose consuming application applies each message's effect once (one processed-ids store per queue). */
  idempotentQueues?: readonly string[];
  checks?: RunChecksOptions;
}

export interface ActiveMqCluster {
  world: World;
  brokers: Map<string, ActiveMqBroker>;
  /** The JDBC database, when the brokers persist there. */
  database: LockDatabase | null;
  spec: ActiveMqClusterSpec;
}

export type ActiveMqRunResult = RunSequenceResult<ActiveMqCluster>;

export const ACTIVEMQ_FINAL_READ_GROUP = "final-read";
const FIRST_BOOT_STAGGER_NS = 1_000_000_000;

function storeSpecOf(cluster: ActiveMqClusterSpec): BrokerStoreSpec {
  const { sharedStore, database } = cluster;
  if (database !== undefined) {
    const locker = { lockKeepAlivePeriod: database.lockKeepAlivePeriod ?? LEASE_LOCKER_DEFAULTS.lockKeepAlivePeriod, lockAcquireSleepInterval: database.lockAcquireSleepInterval ?? LEASE_LOCKER_DEFAULTS.lockAcquireSleepInterval };
    return { kind: "jdbc", server: database.server, locker };
  }
  return sharedStore === undefined ? { kind: "local" } : { kind: "shared", ...sharedStore };
}

export function runActiveMq(spec: ActiveMqRunSpec): ActiveMqRunResult {
  return runSequence(spec, new ActiveMqRunStages(spec));
}

class ActiveMqRunStages implements RunStages<ActiveMqCluster> {
  private cluster: ActiveMqCluster | null = null;
  private history: History | null = null;
  private producers: (ActiveMqProducer | TransactedProducer)[] = [];
  private consumers: ActiveMqConsumer[] = [];

  constructor(private readonly spec: ActiveMqRunSpec) {}

  build(kernel: Kernel, history: History): ActiveMqCluster {
    const { cluster: clusterSpec, producers, consumers = [] } = this.spec;
    const servers = [...(clusterSpec.sharedStore === undefined ? [] : [clusterSpec.sharedStore.server]), ...(clusterSpec.database === undefined ? [] : [clusterSpec.database.server])];
    const names = [...servers, ...clusterSpec.brokers, ...producers.map((p) => p.name), ...consumers.map((c) => c.name)];
    const world = new World({
      kernel,
      nodes: names.map((name) => ({ name })),
      ...(clusterSpec.network === undefined ? {} : { network: clusterSpec.network }),
      ...(clusterSpec.disk === undefined ? {} : { disk: clusterSpec.disk }),
    });
    const shared = clusterSpec.sharedStore;
    if (shared !== undefined) world.install(shared.server, new SharedStoreServer(world, { lockRecovery: shared.lockRecovery, ...(shared.leaseNs === undefined ? {} : { leaseNs: shared.leaseNs }) }));
    const database = clusterSpec.database === undefined ? null : new LockDatabase(world);
    if (database !== null) world.install(clusterSpec.database!.server, database);
    const store: BrokerStoreSpec = storeSpecOf(clusterSpec);
    const brokers = new Map<string, ActiveMqBroker>();
    clusterSpec.brokers.forEach((name, k) => {
      const kahaDb = { ...KAHADB_JOURNAL_DEFAULTS, ...clusterSpec.kahaDb };
      const locker = { ...SHARED_FILE_LOCKER_DEFAULTS, ...clusterSpec.locker };
      // b1 boots first and takes the lock; each other broker a second later, as an operator starts a master/slave group.
      const broker = new ActiveMqBroker(world, {
        store,
        kahaDb,
        locker,
        queues: clusterSpec.queues,
        firstBootDelayNs: k * FIRST_BOOT_STAGGER_NS,
        ...(clusterSpec.concurrentStoreAndDispatchQueues === undefined ? {} : { concurrentStoreAndDispatchQueues: clusterSpec.concurrentStoreAndDispatchQueues }),
        ...(clusterSpec.cores === undefined ? {} : { cores: clusterSpec.cores }),
      });
      brokers.set(name, broker);
      world.install(name, broker);
    });
    this.producers = producers.map((workload) => {
      const full = { ...workload, brokers: clusterSpec.brokers };
      const { messagesPerTransaction } = workload;
      const producer =
        messagesPerTransaction === undefined ? new ActiveMqProducer(world, full, history, this.spec.faultPhaseNs) : new TransactedProducer(world, { ...full, messagesPerTransaction }, history, this.spec.faultPhaseNs);
      world.install(workload.name, producer);
      return producer;
    });
    const stores = new Map<string, IdempotentConsumer>();
    for (const queue of this.spec.idempotentQueues ?? []) stores.set(queue, new IdempotentConsumer());
    this.consumers = consumers.map((workload) => {
      const consumer = new ActiveMqConsumer(world, { ...workload, brokers: clusterSpec.brokers }, history, stores.get(workload.destination) ?? null);
      world.install(workload.name, consumer);
      return consumer;
    });
    this.cluster = { world, brokers, database, spec: clusterSpec };
    this.history = history;
    return this.cluster;
  }

  pendingReasons(): string[] {
    const cluster = this.built();
    const reasons: string[] = [];
    for (const name of cluster.world.nodes.map((node) => node.name)) if (!cluster.world.node(name).isProcessAlive) reasons.push(`${name} is down`);
    const masters = [...cluster.brokers].filter(([, broker]) => broker.isMaster).map(([name]) => name);
    if (masters.length !== 1) reasons.push(masters.length === 0 ? "no broker is master" : `brokers ${masters.join(", ")} each believe they are master`);
    if (reasons.length > 0) return reasons;
    this.producers.forEach((producer, k) => {
      if (!producer.isIdle()) reasons.push(`producer ${this.spec.producers[k]!.name} still has messages to send or in flight`);
    });
    const master = cluster.brokers.get(masters[0]!)!;
    this.consumers.forEach((consumer, k) => {
      const workload = this.spec.consumers![k]!;
      if (!consumer.isIdle()) reasons.push(`consumer ${workload.name} is still consuming`);
      const held = master.queue(workload.destination)?.size ?? 0;
      if (held > 0) reasons.push(`queue ${workload.destination} still holds ${held} messages`);
    });
    return reasons;
  }

  /** Jepsen's final read: what the master's store holds, queue by queue (positions unknown: -1). */
  finalRead(nowNs: number): CheckInputs {
    const history = this.history!;
    const cluster = this.built();
    const master = [...cluster.brokers.values()].find((broker) => broker.isMaster) ?? null;
    for (const queue of cluster.spec.queues) {
      // JDBC: the database's table itself; KahaDB: what the master's store recovered and holds.
      const held = cluster.database !== null ? cluster.database.messages(queue) : (master?.store?.messages(queue) ?? []);
      for (const message of held) {
        history.record({ type: "deliver", timeNs: nowNs, client: "final-reader", group: ACTIVEMQ_FINAL_READ_GROUP, stream: queue, position: -1, idFirst: message.id, count: 1 });
      }
    }
    return {};
  }

  checkOptions(): RunChecksOptions {
    const spec = this.spec;
    const streamsOfGroup: Record<string, string[]> = {};
    for (const consumer of spec.consumers ?? []) streamsOfGroup[consumer.destination] = [consumer.destination];
    const groups = Object.keys(streamsOfGroup).sort(compareStrings);
    // A queue's consumed messages leave the store: with consumers, they are held to every acknowledged message;
    // without, the final read of what the store still holds is.
    streamsOfGroup[ACTIVEMQ_FINAL_READ_GROUP] = [...spec.cluster.queues];
    const lostGroups = groups.length > 0 ? groups : [ACTIVEMQ_FINAL_READ_GROUP];
    return {
      ...spec.checks,
      lost: { groups: lostGroups, streamsOfGroup, ...spec.checks?.lost },
      lostEffects: { groups, streamsOfGroup, ...spec.checks?.lostEffects },
    };
  }

  probe(): { threads: ProbeThread[]; gauges: Record<string, number> } {
    return { threads: activeMqProbeThreads(this.built()), gauges: activeMqGauges(this.built()) };
  }

  private built(): ActiveMqCluster {
    assert(this.cluster !== null, "the run's stages are used before the cluster is built");
    return this.cluster;
  }
}
