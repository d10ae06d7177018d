/**
 * A validated Kafka scenario → the KafkaRunSpec that runKafka executes:
 * client node names, workloads with their rate shapes and size
 * distributions, consumer groups (members, processing times, a shared
 * capacity), the fault schedule and the budgets.
 */
import type { DistributionSpec } from "../kernel/distribution.js";
import type { FaultSchedule, TimedFault } from "../faults/fault.js";
import type { ConsumerWorkload } from "../systems/kafka/consumer-workload.js";
import type { ProducerWorkload } from "../systems/kafka/producer-workload.js";
import type { KafkaRunSpec } from "../systems/kafka/run.js";
import { consumerNodeNames, producerNodeNames, type KafkaScenario } from "./schema.js";

type SizeOrDuration = KafkaScenario["producers"][number]["messageSize"];

export function kafkaRunSpecOf(scenario: KafkaScenario, seed: number | string = scenario.seed): KafkaRunSpec {
  const producers: ProducerWorkload[] = [];
  producerNodeNames(scenario).forEach((names, k) => {
    const producer = scenario.producers[k]!;
    const topic = scenario.topics.find((candidate) => candidate.name === producer.topic)!;
    const meanPerSecond = meanRate(producer.rate);
    for (const name of names) {
      producers.push({
        name,
        topic: producer.topic,
        partitions: topic.partitions,
        messagesPerSecond: meanPerSecond,
        messagesPerSend: producer.messagesPerSend,
        bytesPerMessage: Math.max(1, Math.round(meanOf(producer.messageSize))),
        messageBytes: producer.messageSize as DistributionSpec,
        rate: producer.rate,
        config: defined(producer.config),
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
        config: { ...defined(group.config), "mqsim.commit": group.commit, "mqsim.idempotent": group.idempotent },
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
      config: defined(scenario.config),
      disk: scenario.cluster.disk,
      network: { nic: { egressBytesPerSec: scenario.cluster.nic }, latency: { kind: "lognormal", median: scenario.cluster.latency, sigma: 0.2 } },
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
    ...(scenario.checks === undefined ? {} : { checks: { checks: scenario.checks } }),
  };
}

export function faultScheduleOf(scenario: KafkaScenario): FaultSchedule {
  return scenario.faults
    .map((fault): TimedFault => {
      const { at, ...rest } = fault;
      return { ...rest, atNs: at } as TimedFault;
    })
    .sort((a, b) => a.atNs - b.atNs);
}

/** The long-run average rate of a shape (a piecewise schedule: its steps weighted by their length within `duration`). */
function meanRate(rate: KafkaScenario["producers"][number]["rate"]): number {
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

/** The keys that are set: zod's optional keys come out as `key: undefined`, which a Partial config must not carry. */
function defined<T extends object>(object: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) out[key] = value;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
