/**
 * A validated Kafka scenario → the KafkaRunSpec that runKafka executes:
 * client node names, workloads with their rate shapes and size
 * distributions, consumer groups (members, processing times, a shared
 * capacity), the fault schedule and the budgets.
 */
import { historyRecordsMaxFor } from "./budget-check.js";
import { networkOf } from "./network-spec.js";
import type { DistributionSpec } from "../kernel/distribution.js";
import type { FaultSchedule, TimedFault } from "../faults/fault.js";
import type { ConsumerWorkload } from "../systems/kafka/consumer-workload.js";
import type { ProducerWorkload } from "../systems/kafka/producer-workload.js";
import type { KafkaRunSpec } from "../systems/kafka/run.js";
import type { ScenarioFault } from "./schema-parts.js";
import { setKeysOnly } from "./set-keys.js";
import { cpuCostsAtSpeed } from "../systems/kafka/cpu-costs.js";
import { consumerNodeNames, producerNodeNames, type KafkaScenario } from "./schema.js";

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
    seed,
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
    faults: faultScheduleOf(scenario),
    faultPhaseNs: scenario.duration,
    convergeNsMax: scenario.budgets.convergeWithin,
    eventsMax: scenario.budgets.maxEvents,
    historyRecordsMax: historyRecordsMaxFor(scenario.budgets.maxMemory),
    ...(scenario.checks === undefined ? {} : { checks: { checks: scenario.checks } }),
  };
}

/** A scenario's faults (any system's) as a schedule, in time order. */
export function faultScheduleOf(scenario: { faults: readonly ScenarioFault[] }): FaultSchedule {
  return scenario.faults
    .map((fault): TimedFault => {
      const { at, ...rest } = fault;
      return { ...rest, atNs: at } as TimedFault;
    })
    .sort((a, b) => a.atNs - b.atNs);
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
