/**
 * A validated RabbitMQ scenario → the RabbitRunSpec that runRabbitMq
 * executes: the nodes' machines and network, queue declarations with their
 * x-arguments, policies, exchanges and bindings, rabbitmq.conf's
 * cluster_partition_handling, one publisher or consumer application per
 * client node, the fault schedule and the budgets.
 */
import { cpuCostsFor } from "./cpu-costs.js";
import { networkOf } from "../../scenario/network-spec.js";
import type { CheckerName } from "../../checks/violation.js";
import type { RabbitRunSpec } from "./run.js";
import type { Binding, Policy, QueueDeclaration } from "./config.js";
import type { RabbitConsumerWorkload } from "./consumer.js";
import type { RabbitPublisherWorkload } from "./publisher.js";
import { runSequenceSpecOf } from "../../scenario/sequence-spec.js";
import { publisherNodeNames, rabbitConsumerNodeNames, type RabbitScenario } from "./scenario-schema.js";
import { setKeysOnly } from "../../scenario/set-keys.js";

/** Checks that decide a RabbitMQ run's verdict when the scenario names none (divergence runs only where there are quorum queues). */
export const RABBIT_DEFAULT_SAFETY_CHECKS: readonly CheckerName[] = ["lost", "unexpected", "divergence"];

export function rabbitRunSpecOf(scenario: RabbitScenario, seed: number | string = scenario.seed): RabbitRunSpec {
  const publishers = publisherWorkloads(scenario);
  const consumers = consumerWorkloads(scenario);
  const queues = scenario.queues.map((queue): QueueDeclaration => {
    const args = setKeysOnly(queue.arguments);
    return { name: queue.name, type: queue.type, durable: queue.durable, ...(Object.keys(args).length === 0 ? {} : { arguments: args }), ...(queue.node === undefined ? {} : { node: queue.node }) };
  });
  // The unavailability windows are always measured (a report's numbers), whichever checks decide the verdict.
  const checks: CheckerName[] | undefined = scenario.checks === undefined ? undefined : [...new Set<CheckerName>([...scenario.checks, "unavailability"])];
  return {
    ...runSequenceSpecOf(scenario, seed),
    cluster: {
      nodes: scenario.cluster.nodes,
      cores: scenario.cluster.cores,
      memoryBytes: scenario.cluster.memory,
      cpu: cpuCostsFor(scenario.version, scenario.cluster.cpuSpeed),
      queues,
      policies: scenario.policies.map((policy): Policy => {
        const { "ha-params": params, ...definition } = policy.definition;
        return { name: policy.name, pattern: policy.pattern, priority: policy.priority, definition: { ...definition, ...(params === undefined ? {} : { "ha-params": params }) } };
      }),
      exchanges: scenario.exchanges,
      bindings: scenario.bindings.map((binding): Binding => ({ exchange: binding.exchange, queue: binding.queue, ...(binding.routingKey === undefined ? {} : { routingKey: binding.routingKey }) })),
      config: {
        version: scenario.version,
        cluster_partition_handling: scenario.config.cluster_partition_handling,
        net_ticktime: scenario.config.net_ticktime,
        heartbeat: scenario.config.heartbeat,
        queue_index_embed_msgs_below: scenario.config.queue_index_embed_msgs_below,
        "disk_free_limit.absolute": scenario.config["disk_free_limit.absolute"],
        "raft.wal_max_size_bytes": scenario.config["raft.wal_max_size_bytes"],
        ...(scenario.config["vm_memory_high_watermark.relative"] === undefined ? {} : { "vm_memory_high_watermark.relative": scenario.config["vm_memory_high_watermark.relative"] }),
        ...(scenario.config["classic_queue.default_version"] === undefined ? {} : { "classic_queue.default_version": scenario.config["classic_queue.default_version"] }),
      },
      disk: scenario.cluster.disk,
      network: networkOf(scenario.cluster),
    },
    publishers,
    consumers,
    ...(checks === undefined ? {} : { checks: { checks } }),
  };
}

/** One publisher workload per client node (a publisher with count n runs on n nodes). */
function publisherWorkloads(scenario: RabbitScenario): RabbitPublisherWorkload[] {
  const publishers: RabbitPublisherWorkload[] = [];
  publisherNodeNames(scenario).forEach((names, k) => {
    const publisher = scenario.publishers[k]!;
    for (const name of names) {
      publishers.push({
        name,
        exchange: publisher.exchange,
        routingKey: publisher.routingKey,
        mode: publisher.mode,
        ratePerSec: publisher.rate.perSecond,
        messageBytes: publisher.messageSize,
        batch: publisher.batch,
        persistent: publisher.persistent,
        inFlightMax: publisher.inFlightMax,
        ...(publisher.expiration === undefined ? {} : { expirationMs: publisher.expiration }),
        ...(publisher.hosts === undefined ? {} : { hosts: publisher.hosts }),
      });
    }
  });
  return publishers;
}

/** One consumer workload per client node. */
function consumerWorkloads(scenario: RabbitScenario): RabbitConsumerWorkload[] {
  const consumers: RabbitConsumerWorkload[] = [];
  rabbitConsumerNodeNames(scenario).forEach((names, k) => {
    const consumer = scenario.consumers[k]!;
    for (const name of names) {
      consumers.push({
        name,
        queue: consumer.queue,
        group: consumer.group ?? consumer.queue,
        prefetch: consumer.prefetch,
        autoAck: consumer.autoAck,
        processNsPerMessage: consumer.processingTime,
        idempotent: consumer.idempotent,
        ...(consumer.hosts === undefined ? {} : { hosts: consumer.hosts }),
      });
    }
  });
  return consumers;
}
