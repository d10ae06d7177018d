/**
 * A validated RocketMQ scenario → the RocketRunSpec that runRocketMq
 * executes: NameServers and broker groups with their machines and network,
 * broker.conf settings, topics, one producer or consumer application per
 * client node, the fault schedule and the budgets.
 */
import type { CheckerName } from "../../checks/violation.js";
import { networkOf } from "../../scenario/network-spec.js";
import { runSequenceSpecOf } from "../../scenario/sequence-spec.js";
import { setKeysOnly } from "../../scenario/set-keys.js";
import type { RocketConsumerWorkload } from "./push-consumer.js";
import type { RocketProducerWorkload } from "./producer.js";
import type { RocketRunSpec } from "./run.js";
import { rocketConsumerNodeNames, rocketProducerNodeNames, type RocketScenario } from "./scenario-schema.js";

/**
 * Checks that decide a RocketMQ run's verdict when the scenario names none:
 * nothing acknowledged lost, nothing unexpected, and no queue offset that
 * named two different messages (a master that lost messages gives their
 * offsets to new ones).
 */
export const ROCKET_DEFAULT_SAFETY_CHECKS: readonly CheckerName[] = ["lost", "unexpected", "inconsistent-offsets"];

export function rocketRunSpecOf(scenario: RocketScenario, seed: number | string = scenario.seed): RocketRunSpec {
  // The unavailability windows are always measured (a report's numbers), whichever checks decide the verdict.
  const checks: CheckerName[] | undefined = scenario.checks === undefined ? undefined : [...new Set<CheckerName>([...scenario.checks, "unavailability"])];
  const { cluster } = scenario;
  return {
    ...runSequenceSpecOf(scenario, seed),
    cluster: {
      nameServers: cluster.nameServers,
      brokerGroups: cluster.brokerGroups,
      slavesPerGroup: cluster.slavesPerGroup,
      broker: { ...scenario.config, version: scenario.version },
      topics: scenario.topics,
      disk: cluster.disk,
      network: networkOf(cluster),
    },
    producers: producerWorkloads(scenario),
    consumers: consumerWorkloads(scenario),
    idempotentGroups: [...new Set(scenario.consumers.filter((consumer) => consumer.idempotent).map((consumer) => consumer.group))],
    ...(checks === undefined ? {} : { checks: { checks } }),
  };
}

function producerWorkloads(scenario: RocketScenario): RocketProducerWorkload[] {
  const producers: RocketProducerWorkload[] = [];
  rocketProducerNodeNames(scenario).forEach((names, k) => {
    const producer = scenario.producers[k]!;
    for (const name of names) {
      producers.push({
        name,
        topic: producer.topic,
        messagesPerSecond: producer.rate,
        messagesPerSend: producer.batch,
        bodyBytes: producer.messageSize,
        senderThreads: producer.senderThreads,
        config: setKeysOnly(producer.config),
        resendOnNotOk: producer.resendOnNotOk,
        ...(producer.startAt === 0 ? {} : { startNs: producer.startAt }),
      });
    }
  });
  return producers;
}

function consumerWorkloads(scenario: RocketScenario): RocketConsumerWorkload[] {
  const consumers: RocketConsumerWorkload[] = [];
  rocketConsumerNodeNames(scenario).forEach((names, k) => {
    const consumer = scenario.consumers[k]!;
    for (const name of names) consumers.push({ name, group: consumer.group, topic: consumer.topic, processNsPerMessage: consumer.processingTime, config: setKeysOnly(consumer.config) });
  });
  return consumers;
}
