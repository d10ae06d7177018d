/**
 * A validated ActiveMQ scenario → the ActiveMqRunSpec that runActiveMq
 * executes: the brokers (and the shared store's server) with their machines
 * and network, KahaDB's and the locker's settings, the queues, one producer
 * or consumer application per client node, the fault schedule and the
 * budgets.
 */
import type { CheckerName } from "../../checks/violation.js";
import { networkOf } from "../../scenario/network-spec.js";
import { runSequenceSpecOf } from "../../scenario/sequence-spec.js";
import type { ActiveMqProducerWorkload } from "./activemq-clients.js";
import type { ActiveMqConsumerWorkload } from "./activemq-consumer.js";
import type { ActiveMqRunSpec } from "./run.js";
import { activeMqBrokerNodeNames, activeMqConsumerNodeNames, activeMqProducerNodeNames, DATABASE_NODE, kahaDbOf, SHARED_STORE_NODE, type ActiveMqScenario } from "./scenario-schema.js";

/** Checks that decide an ActiveMQ run's verdict when the scenario names none: nothing acknowledged lost, nothing unexpected. */
export const ACTIVEMQ_DEFAULT_SAFETY_CHECKS: readonly CheckerName[] = ["lost", "unexpected"];

export function activeMqRunSpecOf(scenario: ActiveMqScenario, seed: number | string = scenario.seed): ActiveMqRunSpec {
  // The unavailability windows are always measured (a report's numbers), whichever checks decide the verdict.
  const checks: CheckerName[] | undefined = scenario.checks === undefined ? undefined : [...new Set<CheckerName>([...scenario.checks, "unavailability"])];
  const { cluster } = scenario;
  const { locker, lockKeepAlivePeriod, concurrentStoreAndDispatchQueues, ...journal } = kahaDbOf(scenario);
  const { jdbc } = scenario.persistenceAdapter;
  const shared = cluster.sharedStore;
  return {
    ...runSequenceSpecOf(scenario, seed),
    cluster: {
      brokers: activeMqBrokerNodeNames(scenario),
      ...(jdbc === undefined ? {} : { database: { server: DATABASE_NODE, lockKeepAlivePeriod: jdbc.lockKeepAlivePeriod, lockAcquireSleepInterval: jdbc.locker.lockAcquireSleepInterval } }),
      ...(shared === undefined ? {} : { sharedStore: { server: SHARED_STORE_NODE, lockRecovery: shared.protocol === "nfsv3" ? ("nlm" as const) : ("lease" as const), leaseNs: shared.leaseTime } }),
      queues: scenario.queues.map((queue) => queue.name),
      kahaDb: journal,
      concurrentStoreAndDispatchQueues,
      cores: cluster.cores,
      locker: { lockAcquireSleepInterval: locker.lockAcquireSleepInterval, lockKeepAlivePeriod },
      disk: cluster.disk,
      network: networkOf(cluster),
    },
    producers: producerWorkloads(scenario),
    consumers: consumerWorkloads(scenario),
    idempotentQueues: [...new Set(scenario.consumers.filter((consumer) => consumer.idempotent).map((consumer) => consumer.queue))],
    ...(checks === undefined ? {} : { checks: { checks } }),
  };
}

type Workload<W> = Omit<W, "brokers">;

function producerWorkloads(scenario: ActiveMqScenario): Workload<ActiveMqProducerWorkload>[] {
  const producers: Workload<ActiveMqProducerWorkload>[] = [];
  activeMqProducerNodeNames(scenario).forEach((names, k) => {
    const producer = scenario.producers[k]!;
    for (const name of names) {
      producers.push({
        name,
        destination: producer.queue,
        messagesPerSecond: producer.rate,
        bodyBytes: producer.messageSize,
        persistent: producer.deliveryMode === "PERSISTENT",
        useAsyncSend: producer.useAsyncSend,
        failover: scenario.failover,
        ...(producer.transacted ? { messagesPerTransaction: producer.messagesPerTransaction } : {}),
        ...(producer.startAt === 0 ? {} : { startNs: producer.startAt }),
      });
    }
  });
  return producers;
}

function consumerWorkloads(scenario: ActiveMqScenario): Workload<ActiveMqConsumerWorkload>[] {
  const consumers: Workload<ActiveMqConsumerWorkload>[] = [];
  activeMqConsumerNodeNames(scenario).forEach((names, k) => {
    const consumer = scenario.consumers[k]!;
    const failing = consumer.failEvery === undefined ? {} : { failEvery: consumer.failEvery };
    const audit = { auditDepth: consumer.auditDepth, auditMaximumProducerNumber: consumer.auditMaximumProducerNumber };
    for (const name of names) {
      consumers.push({
        name,
        destination: consumer.queue,
        prefetch: consumer.queuePrefetch,
        processNsPerMessage: consumer.processingTime,
        acknowledgeMode: consumer.acknowledgeMode,
        acknowledgeEvery: consumer.acknowledgeEvery,
        messagesPerTransaction: consumer.messagesPerTransaction,
        failover: scenario.failover,
        redeliveryPolicy: consumer.redeliveryPolicy,
        checkForDuplicates: consumer.checkForDuplicates,
        audit,
        ...failing,
      });
    }
  });
  return consumers;
}
