/**
 * A client node that runs one consumer of a group. Every process incarnation
 * builds a fresh KafkaConsumer (a restarted client is a new member, as a
 * restarted Java consumer is), while the group's IdempotentConsumer store —
 * the downstream database — lives outside and survives the crash.
 *
 * For a run's drain phase the driver answers whether it has processed
 * everything up to given end offsets in the partitions it owns.
 */
import { compareStrings } from "../../kernel/index.js";
import type { History } from "../../history/history.js";
import type { IdempotentConsumer } from "../../clients/idempotent-consumer.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { assert } from "../../kernel/index.js";
import { CapacityLimiter } from "../../clients/capacity-limiter.js";
import { DownstreamService } from "../../clients/downstream-service.js";
import { distribution, type DistributionSpec } from "../../kernel/index.js";
import { msToNs } from "./config.js";
import type { KafkaCluster } from "./cluster.js";
import { DEFAULT_CONSUMER_CONFIG, type KafkaConsumerConfig } from "./consumer-config.js";
import { KafkaConsumer, type ProcessingTime } from "./consumer.js";
import { topicOfPartition } from "./protocol.js";

export interface ConsumerWorkload {
  /** The client node's name; also the consumer's name in the history. */
  name: string;
  /** group.id */
  group: string;
  topics: string[];
  config: Partial<KafkaConsumerConfig>;
  /** Processing time of one poll's records (default: mqsim.processing.ms), drawn per poll. */
  processingTime?: DistributionSpec;
  /** The consumer joins at this virtual time (a group added mid-run); default at boot. */
  startAtNs?: number;
  /** Messages per second the group's downstream can take, shared by all its members (set it alike on each). */
  capacityPerSecond?: number;
  /** Services each poll's processing calls, one after another, after its own work (claim C2's asynchronous half). */
  calls?: string[];
}

export interface ConsumerDriverOptions {
  world: World;
  workload: ConsumerWorkload;
  bootstrap: readonly string[];
  coordinator: string;
  history: History;
  /** The group's shared store; required when the workload sets mqsim.idempotent. */
  idempotentConsumer?: IdempotentConsumer;
  /** The group's downstream capacity, shared by its members (claim C3: the database's limit). */
  capacity?: CapacityLimiter;
  /** The run's downstream services, by name (for `calls`). */
  services?: ReadonlyMap<string, DownstreamService>;
}

export class ConsumerDriver implements NodeSoftware {
  private consumerNow: KafkaConsumer | null = null;
  private node: WorldNode | null = null;

  constructor(private readonly options: ConsumerDriverOptions) {
    this.processingTime = this.makeProcessingTime();
  }

  get workload(): ConsumerWorkload {
    return this.options.workload;
  }

  /** The consumer of the current incarnation (null before the first boot). */
  get consumer(): KafkaConsumer | null {
    return this.consumerNow;
  }

  /** True when the node is up and its consumer is running. */
  get isLive(): boolean {
    return this.node !== null && this.node.isUp && this.consumerNow !== null;
  }

  start(node: WorldNode): void {
    this.node = node;
    this.consumerNow = null;
    const startAtNs = this.options.workload.startAtNs ?? 0;
    if (node.now < startAtNs) node.at(startAtNs, this.onStartBound);
    else this.startConsumer();
  }

  private readonly onStartBound = (): void => this.startConsumer();

  private startConsumer(): void {
    const node = this.node!;
    const { world, workload, bootstrap, coordinator, history, idempotentConsumer } = this.options;
    this.consumerNow = new KafkaConsumer({
      world,
      node,
      bootstrap,
      coordinator,
      group: workload.group,
      topics: workload.topics,
      history,
      clientName: workload.name,
      config: workload.config,
      ...(idempotentConsumer === undefined ? {} : { idempotentConsumer }),
      ...(this.processingTime === null ? {} : { processingTime: this.processingTime }),
    });
    this.consumerNow.start();
  }

  /** Draws each poll's processing time from the workload's distribution, then waits for the group's capacity. */
  private processingTime: ProcessingTime | null = null;

  private makeProcessingTime(): ProcessingTime | null {
    const { workload, capacity, world } = this.options;
    const calls = (workload.calls ?? []).map((name) => {
      const service = this.options.services?.get(name);
      assert(service !== undefined, `consumer ${workload.name}: no service ${name}`);
      return service;
    });
    if (workload.processingTime === undefined && capacity === undefined && calls.length === 0) return null;
    const sampler = workload.processingTime === undefined ? null : distribution(workload.processingTime);
    const rng = sampler === null ? null : world.kernel.rng.stream(`kafka.consumer.processing:${workload.name}`);
    const fixedNs = msToNs(workload.config["mqsim.processing.ms"] ?? DEFAULT_CONSUMER_CONFIG["mqsim.processing.ms"]);
    return (records, nowNs) => {
      const workNs = sampler === null ? fixedNs : sampler.sample(rng!);
      const workDoneNs = capacity === undefined ? nowNs + workNs : Math.max(nowNs + workNs, capacity.reserve(nowNs, records.count));
      return DownstreamService.chainDoneNs(calls, workDoneNs) - nowNs;
    };
  }
}

/**
 * Why the consumers have not drained yet (empty when they have): every
 * partition of every subscribed topic must be owned by a live member that
 * has processed everything below the leader's high watermark.
 */
export function drainReasons(cluster: KafkaCluster, drivers: readonly ConsumerDriver[]): string[] {
  if (drivers.length === 0) return [];
  const reasons: string[] = [];
  const highWatermarks = new Map<string, number>();
  for (const state of cluster.controller.partitionStates()) {
    const leader = state.leader === null ? undefined : cluster.brokers.get(state.leader)?.replica(state.topicPartition);
    highWatermarks.set(state.topicPartition, leader?.highWatermark ?? 0);
  }
  const groups = [...new Set(drivers.map((driver) => driver.workload.group))].sort(compareStrings);
  for (const group of groups) {
    const members = drivers.filter((driver) => driver.workload.group === group && driver.isLive);
    const topics = new Set(drivers.filter((driver) => driver.workload.group === group).flatMap((driver) => driver.workload.topics));
    for (const [topicPartition, highWatermark] of highWatermarks) {
      if (!topics.has(topicOfPartition(topicPartition))) continue;
      const owner = cluster.coordinator.owner(group, topicPartition);
      const member = members.find((driver) => driver.consumer!.memberId === owner);
      if (member === undefined) reasons.push(`group ${group}: ${topicPartition} has no live owner (${owner ?? "unassigned"})`);
      // The coordinator may have given it the partition before the member heard of it: not caught up yet.
      else if (!member.consumer!.assignment().includes(topicPartition)) reasons.push(`group ${group}: ${member.workload.name} owns ${topicPartition} but has not taken it up`);
      else if (!member.consumer!.isCaughtUp(new Map([[topicPartition, highWatermark]]))) reasons.push(`group ${group}: ${member.workload.name} has not processed ${topicPartition} up to ${highWatermark}`);
    }
  }
  return reasons;
}
