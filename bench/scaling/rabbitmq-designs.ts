/** The RabbitMQ lines: one mirrored queue with ha-mode: all, one quorum queue, and one quorum queue per node. */
import type { Design } from "./design.js";
import { PLANNED_DESIGNS } from "./designs.js";
import { measureRabbitReplicationCost, measureRabbitSaturation } from "./rabbitmq-measure.js";
import { queueNames, rabbitSettings, type RabbitLayout } from "./rabbitmq-setup.js";

function expectationOf(id: string): string {
  return PLANNED_DESIGNS.find((planned) => planned.id === id)?.expectation ?? "";
}

function rabbitDesign(id: string, label: string, layout: RabbitLayout, expectation: string | null): Design {
  return {
    id,
    label,
    system: "rabbitmq",
    settings: rabbitSettings(layout),
    // Read lazily: designs.ts (which holds the planned texts) imports this module.
    get expectation(): string {
      return expectation ?? expectationOf(id);
    },
    measure: (nodes, options) => ({
      brokers: nodes,
      partitions: queueNames(layout, nodes).length,
      replication: measureRabbitReplicationCost(layout, nodes, options),
      maxThroughput: measureRabbitSaturation(layout, nodes, options),
    }),
  };
}

export const RABBITMQ_DESIGNS: readonly Design[] = [
  rabbitDesign("rabbitmq-mirrored-all", "RabbitMQ mirrored queue ha-mode: all", "mirrored-all", null),
  rabbitDesign("rabbitmq-quorum", "RabbitMQ one quorum queue (3 replicas)", "quorum-one", null),
  rabbitDesign(
    "rabbitmq-quorum-per-node",
    "RabbitMQ N quorum queues (3 replicas each)",
    "quorum-per-node",
    "Spreading N quorum queues over N nodes spreads their leaders: each queue is still bounded by one leader process, but the cluster's aggregate grows with N, at a replication cost of 2 bytes per byte (3 replicas) whatever N is.",
  ),
];
