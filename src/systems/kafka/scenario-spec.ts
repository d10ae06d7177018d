/**
 * A validated Kafka scenario → the KafkaRunSpec that runKafka executes:
 * client node names, workloads with their rate shapes and size
 * distributions, consumer groups (members, processing times, a shared
 * capacity), the fault schedule and the budgets.
 */
import { networkOf } from "../../scenario/network-spec.js";
import type { DistributionSpec } from "../../kernel/index.js";
import type { ConsumerWorkload } from "./consumer-workload.js";
import type { ProducerWorkload } from "./producer-workload.js";
import type { KafkaRunSpec } from "./run.js";
import { runSequenceSpecOf } from "../../scenario/sequence-spec.js";
import { setKeysOnly } from "../../scenario/set-keys.js";
import { cpuCostsAtSpeed } from "./cpu-costs.js";
import { consumerNodeNames, producerNodeNames, type KafkaScenario } from "./scenario-schema.js";

type SizeOrDuration = KafkaScenario["producers"][number]["messageSize"];

export function kafkaRunSpecOf(scenario: KafkaScenario, seed: number | string = scenario.seed): KafkaRunSpec {
  const cpu = cpuCostsAtSpeed(scenario.cluster.cpuSpeed);
  const producers: ProducerWorkload[] = [];
  producerNodeNames(scenario).forEach((names, k) => {
    const producer = scenario.producers[k]!;
    const topic = scenario.topics.find((candidate) => candidate.name === producer.topic)!;
    const basePerSecond = baseRate(producer.rate);
    for (const name of names) {
      producers.push({
        name,
        topic: producer.topic,
        partitions: topic.partitions,
        messagesPerSecond: basePerSecond,
        messagesPerSend: producer.messagesPerSend,
        bytesPerMessage: Math.max(1, Math.round(meanOf(producer.messageSize))),
        messageBytes: producer.messageSize as DistributionSpec,
        rate: producer.rate,
        config: setKeysOnly(producer.config),
        cpu,
        ...(producer.callsBefore.length === 0 ? {} : { callsBefore: producer.callsBefore }),
      });
    }
  });
  const consumers: ConsumerWorkload[] = [];
  consumerNodeNames(scenario).forEach((names, k) => {
    const group = scenario.consumers[k]!;
    for (const name of names) {
      consumers.push({
        name,
        group: group.group,
        topics: group.topics,
        config: { ...setKeysOnly(group.config), "mqsim.commit": group.commit, "mqsim.idempotent": group.idempotent },
        processingTime: group.processingTime as DistributionSpec,
        startAtNs: group.startAt,
        ...(group.maxRate === undefined ? {} : { capacityPerSecond: group.maxRate }),
        ...(group.calls.length === 0 ? {} : { calls: group.calls }),
      });
    }
  });
  return {
    ...runSequenceSpecOf(scenario, seed),
    cluster: {
      brokers: scenario.cluster.brokers,
      topics: scenario.topics,
      config: setKeysOnly(scenario.config),
      disk: scenario.cluster.disk,
      cpu,
      network: networkOf(scenario.cluster),
      ...(scenario.cluster.racks === undefined ? {} : { racks: scenario.cluster.racks }),
    },
    producers,
    consumers,
    services: scenario.services.map((service) => ({
      name: service.name,
      latency: service.latency as DistributionSpec,
      ...(service.capacity === undefined ? {} : { capacityPerSecond: service.capacity }),
    })),
    ...(scenario.checks === undefined ? {} : { checks: { checks: scenario.checks } }),
  };
}

/**
 * The rate the driver's base tick is computed from: the shape's rate, or for
 * a piecewise schedule its highest step (the driver follows the steps
 * themselves; this only needs to be a positive rate of the right scale).
 */
function baseRate(rate: KafkaScenario["producers"][number]["rate"]): number {
  if (rate.kind !== "piecewise") return Math.max(rate.perSecond, 1e-9);
  const top = Math.max(...rate.steps.map((step) => step.perSecond));
  return Math.max(top, 1e-9);
}

function meanOf(spec: SizeOrDuration): number {
  switch (spec.kind) {
    case "constant":
      return spec.value;
    case "uniform":
      return (spec.min + spec.max) / 2;
    case "exponential":
    case "normal":
      return spec.mean;
    case "lognormal":
      return spec.median;
  }
}
