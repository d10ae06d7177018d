/**
 * What RabbitMQ's Erlang processes spend per unit of work: the one place the
 * model's RabbitMQ CPU costs live. Every cost is CPU time on one of the
 * node's schedulers (erlang-schedulers.ts), taken by the process named:
 * - the channel (mqsim folds the connection's reader and writer into it):
 *   per message published (parse, route, confirm bookkeeping), per confirm
 *   sent, per message delivered to its consumer, per consumer ack;
 * - a classic queue master: per message enqueued (queue index, store),
 *   delivered and settled, and per mirror per message (GM's broadcast and the
 *   master's per-mirror bookkeeping: "the master does extra work per mirror");
 * - a classic mirror: per message from the master (GM, then the slave's own
 *   index and store), per channel copy (the slave's sender queues), per
 *   removal;
 * - a quorum queue member: the leader per message (Raft append, apply,
 *   delivery, settlement), a follower per message it appends.
 *
 * Two calibrations, once each, against published runs (sources in
 * docs/research/rabbitmq-cpu-and-flow.md; `npm run bench:calibration` puts
 * the model beside them in reports/calibration.md):
 * - 3.x (used for 3.12 and 3.13): Confluent's 2020 OpenMessaging runs on
 *   RabbitMQ 3.8.5, 3 × 8 vCPU, 24 queues, 1 KiB persistent messages with
 *   confirms: classic peak 109,839 msg/s, mirrored (ha exactly 2) peak
 *   38,287 msg/s with "all the nodes CPU bound". The sums are fitted to
 *   those peaks: 24 cores ÷ 109,839 msg/s ≈ 218 µs of CPU per classic
 *   message, 24 cores ÷ 38,287 ≈ 627 µs per mirrored one, so a mirror adds
 *   ≈ 409 µs. Quorum queues: Vanlightly's 2020 sizing runs on 3.8 (1 KiB,
 *   persistent, confirms; 3 × 16 vCPU: quorum 37k msg/s, mirrored 20k)
 *   make a 3-replica quorum message 20/37 of a mirrored one, ≈ 339 µs.
 *   These are 3.8-era costs: 3.10–3.13 made classic queues cheaper (CQv2,
 *   "a 20–40% throughput improvement", RabbitMQ 3.12 blog), so they
 *   overstate 3.12/3.13's classic path; mirroring (GM) did not change.
 * - 4.x: RabbitMQ's own 4.0 benchmark (2024-08-21, "AMQP 1.0 Benchmarks"):
 *   one node with 3 schedulers (+S 3), AMQP 0.9.1 PerfTest, one classic
 *   queue, 12-byte durable messages, confirms, manual acks: 88,534 msg/s,
 *   where the queue process (one core) is the limit, so enqueue + deliver +
 *   settle ≈ 11.3 µs. Quorum: 70,067 msg/s with raised flow-control
 *   credits on the same node: the leader ≈ 14.3 µs per message.
 * How each fitted sum is split between the processes is an estimate (no
 * published per-process profile was found); only the sums are fitted.
 * Never tune these to make another chart come out.
 */
import type { RabbitVersion } from "./classic-persistence.js";

export interface RabbitCpuCosts {
  /** Channel, per message published: frame parsing, routing, confirm bookkeeping. Split estimate. */
  readonly channelPublishNs: number;
  /** Channel, per basic.ack (confirm) or tx.commit-ok it sends. Split estimate. */
  readonly channelConfirmNs: number;
  /** Channel, per message it delivers to its consumer (basic.deliver). Split estimate. */
  readonly channelDeliverNs: number;
  /** Channel, per consumer basic.ack it passes to the queue. Estimate. */
  readonly channelAckNs: number;
  /** Queue master (or classic queue), per message enqueued. Split estimate. */
  readonly queueEnqueueNs: number;
  /** Queue master, per message delivered. Split estimate. */
  readonly queueDeliverNs: number;
  /** Queue master, per message settled by a consumer ack. Estimate. */
  readonly queueSettleNs: number;
  /** Queue master, per mirror per message: GM's broadcast and the per-mirror bookkeeping. Split estimate. */
  readonly masterPerMirrorNs: number;
  /** Mirror, per message replicated from the master. Split estimate. */
  readonly mirrorMessageNs: number;
  /** Mirror, per message of a channel's own copy. Split estimate. */
  readonly mirrorChannelCopyNs: number;
  /** Mirror, per message removed (settled on the master). Split estimate. */
  readonly mirrorRemoveNs: number;
  /** Quorum leader, per message: Raft append, apply, delivery, settlement. Split estimate. */
  readonly quorumLeaderMessageNs: number;
  /** Quorum follower, per message it appends. Split estimate. */
  readonly quorumFollowerMessageNs: number;
  /** Every process above, per payload byte it handles (copying; ~2 GB/s). */
  readonly byteNs: number;
}

/** 3.12 and 3.13 (3.8.5 measurements; see above). Sums: classic 218 µs, mirror +409 µs, quorum 339 µs. */
export const CPU_COSTS_3X: RabbitCpuCosts = Object.freeze({
  channelPublishNs: 60_000,
  channelConfirmNs: 10_000,
  channelDeliverNs: 48_000,
  channelAckNs: 5_000,
  queueEnqueueNs: 60_000,
  queueDeliverNs: 40_000,
  queueSettleNs: 10_000,
  masterPerMirrorNs: 110_000,
  mirrorMessageNs: 180_000,
  mirrorChannelCopyNs: 70_000,
  mirrorRemoveNs: 49_000,
  quorumLeaderMessageNs: 105_000,
  quorumFollowerMessageNs: 58_000,
  byteNs: 0.5,
});

/** 4.x (RabbitMQ's 4.0 benchmark; see above). Queue sum 11.3 µs; quorum leader 14.3 µs. */
export const CPU_COSTS_4X: RabbitCpuCosts = Object.freeze({
  channelPublishNs: 6_000,
  channelConfirmNs: 1_000,
  channelDeliverNs: 5_000,
  channelAckNs: 1_000,
  queueEnqueueNs: 5_300,
  queueDeliverNs: 4_000,
  queueSettleNs: 2_000,
  // No classic mirroring in 4.x (the release refuses ha-mode).
  masterPerMirrorNs: 0,
  mirrorMessageNs: 0,
  mirrorChannelCopyNs: 0,
  mirrorRemoveNs: 0,
  quorumLeaderMessageNs: 14_300,
  quorumFollowerMessageNs: 7_900,
  byteNs: 0.5,
});

/** No CPU at all: every process answers at once (for tests of other mechanics). */
export const FREE_CPU_COSTS: RabbitCpuCosts = Object.freeze({
  channelPublishNs: 0,
  channelConfirmNs: 0,
  channelDeliverNs: 0,
  channelAckNs: 0,
  queueEnqueueNs: 0,
  queueDeliverNs: 0,
  queueSettleNs: 0,
  masterPerMirrorNs: 0,
  mirrorMessageNs: 0,
  mirrorChannelCopyNs: 0,
  mirrorRemoveNs: 0,
  quorumLeaderMessageNs: 0,
  quorumFollowerMessageNs: 0,
  byteNs: 0,
});

/** The calibrated costs of a release on a CPU `speed` times as fast as the calibration's (every cost divided). */
export function cpuCostsFor(version: RabbitVersion, speed = 1): RabbitCpuCosts {
  const base = version === "4.x" ? CPU_COSTS_4X : CPU_COSTS_3X;
  if (speed === 1) return base;
  const scaled: Record<string, number> = {};
  for (const [name, value] of Object.entries(base)) scaled[name] = value / speed;
  return Object.freeze(scaled as unknown as RabbitCpuCosts);
}

/**
 * Erlang schedulers per node by default: 8, the calibration's machines
 * (i3en.2xlarge, 8 vCPU). A scenario sets its own with `cluster.cores`.
 */
export const CORES_DEFAULT = 8;
