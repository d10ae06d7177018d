/**
 * The RabbitMQ lines' clusters and clients: one mirrored classic queue with
 * `ha-mode: all`, one quorum queue (3 replicas), or one quorum queue per
 * node. Publishers use publisher confirms with persistent messages on
 * durable queues (the safe settings); one consumer per queue with manual
 * acks. Clients of a classic queue connect to its home node, so the
 * inter-node bytes are replication only; quorum clients connect round robin
 * (a quorum queue's leader is wherever Raft elected it).
 */
import type { RabbitClusterSpec } from "../../src/systems/rabbitmq/cluster.js";
import type { RabbitConsumerWorkload } from "../../src/systems/rabbitmq/consumer.js";
import type { RabbitPublisherWorkload } from "../../src/systems/rabbitmq/publisher.js";

export type RabbitLayout = "mirrored-all" | "quorum-one" | "quorum-per-node";

export const RABBIT_EVENTS_MAX = 500_000_000;
/** Messages per basic.publish burst and the unconfirmed-message window of each publisher. */
export const PUBLISH_BURST = 50;
export const IN_FLIGHT_MAX = 5_000;

export function queueNames(layout: RabbitLayout, nodes: number): string[] {
  return layout === "quorum-per-node" ? Array.from({ length: nodes }, (_, i) => `q${i + 1}`) : ["q1"];
}

export function rabbitClusterSpec(layout: RabbitLayout, nodes: number): Omit<RabbitClusterSpec, "clients"> {
  const queues = queueNames(layout, nodes);
  if (layout === "mirrored-all") {
    return {
      nodes,
      queues: [{ name: "q1", type: "classic", durable: true, node: "r1" }],
      policies: [{ name: "ha-all", pattern: ".*", definition: { "ha-mode": "all", "ha-sync-mode": "automatic", "ha-promote-on-failure": "when-synced" } }],
      config: { version: "3.13" },
    };
  }
  return { nodes, queues: queues.map((name, i) => ({ name, type: "quorum" as const, durable: true, node: `r${(i % nodes) + 1}` })) };
}

export function rabbitSettings(layout: RabbitLayout): string[] {
  const common = [
    "durable queue, persistent messages (delivery_mode 2), publisher confirms, one consumer per queue with manual acks (prefetch 2000)",
    `publishers send bursts of ${PUBLISH_BURST} messages with at most ${IN_FLIGHT_MAX} unconfirmed`,
    "CPU: 8 Erlang schedulers per node shared by its channel, queue and mirror processes, costs of src/systems/rabbitmq/cpu-costs.ts (3.13's for the mirrored queue, 4.x's for quorum queues); one process never uses more than one core",
    "credit flow: 400 messages per channel and queue process ({400, 200}); quorum queues: 32 commands unanswered per channel",
    "not modelled: Ra's shared WAL (each member fsyncs its own log; the disk joins fsyncs that arrive before a flush starts, as a file system's journal does)",
  ];
  if (layout === "mirrored-all") return ["one classic queue on r1, policy ha-mode: all, ha-sync-mode: automatic; clients connect to r1", ...common];
  if (layout === "quorum-one") return ["one quorum queue, 3 replicas (x-quorum-initial-group-size default); clients connect round robin", ...common];
  return ["N quorum queues (one declared per node), 3 replicas each; the load is split evenly over the queues; clients connect round robin", ...common];
}

/** `count` publishers sharing `messagesPerSec` over the queues. */
export function publisherWorkloads(layout: RabbitLayout, nodes: number, count: number, messagesPerSec: number, messageBytes: number): RabbitPublisherWorkload[] {
  const queues = queueNames(layout, nodes);
  const perPublisher = Math.max(count, queues.length);
  return Array.from({ length: perPublisher }, (_, i) => ({
    name: `p${i + 1}`,
    ...(layout === "mirrored-all" ? { hosts: ["r1"] } : {}),
    exchange: "",
    routingKey: queues[i % queues.length]!,
    mode: "confirm" as const,
    ratePerSec: messagesPerSec / perPublisher,
    messageBytes,
    batch: PUBLISH_BURST,
    persistent: true,
    inFlightMax: IN_FLIGHT_MAX,
  }));
}

export function consumerWorkloads(layout: RabbitLayout, nodes: number): RabbitConsumerWorkload[] {
  return queueNames(layout, nodes).map((queue, i) => ({
    name: `c${i + 1}`,
    ...(layout === "mirrored-all" ? { hosts: ["r1"] } : {}),
    queue,
    prefetch: 2000,
    autoAck: false,
    processNsPerMessage: 0,
  }));
}
