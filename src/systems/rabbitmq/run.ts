/**
 * One RabbitMQ run from a seed, on the shared run sequence (src/run/run-sequence.ts): build the
 * cluster and the client applications, publish while the fault schedule
 * plays, heal everything, wait for the cluster to serve every queue again
 * and the consumers to drain, then read what every queue still holds (the
 * final read, delivered to the queue's consuming group) and check the
 * history.
 */
import type { History } from "../../history/history.js";
import { IdempotentConsumer } from "../../clients/idempotent-consumer.js";
import type { CheckInputs, RunChecksOptions } from "../../checks/run-checks.js";
import { assert, type Kernel, type Liveness } from "../../kernel/index.js";
import type { ProbeThread } from "../../run/system.js";
import { probeThreads } from "./threads.js";
import { runSequence, type RunSequenceResult, type RunSequenceSpec, type RunStages } from "../../run/run-sequence.js";
import { buildRabbitCluster, type RabbitCluster, type RabbitClusterSpec } from "./cluster.js";
import { convergence, queueHoldings } from "./cluster-state.js";
import { quorumReplicaSnapshots } from "./quorum-snapshots.js";
import { route, routeLabel } from "./cluster-plan.js";
import { RabbitConsumer, type RabbitConsumerWorkload } from "./consumer.js";
import { RabbitPublisher, type RabbitPublisherWorkload } from "./publisher.js";

export interface RabbitRunSpec extends RunSequenceSpec {
  cluster: Omit<RabbitClusterSpec, "clients">;
  publishers: RabbitPublisherWorkload[];
  consumers?: RabbitConsumerWorkload[];
  checks?: RunChecksOptions;
}

/** The same liveness as every system's run (kernel/converge.ts). */
export type RabbitLiveness = Liveness;

export interface RabbitRunResult extends RunSequenceResult<RabbitCluster> {
  /** Messages each queue still held at the final read. */
  finalReadMessages: Record<string, number>;
}

export const RABBIT_FINAL_READER = "final-reader";

export function runRabbitMq(spec: RabbitRunSpec): RabbitRunResult {
  const stages = new RabbitRunStages(spec);
  const result = runSequence(spec, stages);
  return { ...result, finalReadMessages: stages.finalReadMessages };
}

/** RabbitMQ's stages of the shared run sequence (src/run/run-sequence.ts). */
class RabbitRunStages implements RunStages<RabbitCluster> {
  /** Messages each queue still held at the final read. */
  readonly finalReadMessages: Record<string, number> = {};
  private cluster: RabbitCluster | null = null;
  private history: History | null = null;
  private publishers: RabbitPublisher[] = [];
  private consumers: RabbitConsumer[] = [];

  constructor(private readonly spec: RabbitRunSpec) {}

  build(kernel: Kernel, history: History): RabbitCluster {
    const spec = this.spec;
    const consumerWorkloads = spec.consumers ?? [];
    const clients = [...spec.publishers.map((p) => p.name), ...consumerWorkloads.map((c) => c.name)];
    const cluster = buildRabbitCluster(kernel, { ...spec.cluster, clients });
    const { world } = cluster;
    const config = cluster.plan.config;
    const hostsFor = (index: number, hosts: string[] | undefined): string[] => hosts ?? rotate(cluster.nodeNames, index);
    this.publishers = spec.publishers.map((workload, index) => {
      const publisher = new RabbitPublisher(world, workload, hostsFor(index, workload.hosts), history, spec.faultPhaseNs, config.clientReconnectNs, config.clientTimeoutNs, config.heartbeat * 1_000_000_000);
      world.install(workload.name, publisher);
      return publisher;
    });
    const dedupes = new Map<string, IdempotentConsumer>();
    this.consumers = consumerWorkloads.map((workload, index) => {
      const group = workload.group ?? workload.queue;
      if (workload.idempotent === true && !dedupes.has(group)) dedupes.set(group, new IdempotentConsumer());
      const consumer = new RabbitConsumer(world, workload, hostsFor(index + 1, workload.hosts), history, workload.idempotent === true ? dedupes.get(group)! : null, config.clientReconnectNs, config.heartbeat * 1_000_000_000);
      world.install(workload.name, consumer);
      return consumer;
    });
    this.cluster = cluster;
    this.history = history;
    return cluster;
  }

  pendingReasons(): string[] {
    const cluster = this.built();
    const state = convergence(cluster);
    const busy: string[] = [];
    this.publishers.forEach((p, i) => {
      if (!p.isIdle()) busy.push(`publisher ${this.spec.publishers[i]!.name} still waits for answers`);
    });
    if (state.isConverged) busy.push(...drainReasons(cluster, this.consumers));
    return [...state.reasons, ...busy];
  }

  /** What every queue still holds, delivered to each group that consumes it (or to the queue's own name when none does). */
  finalRead(nowNs: number): CheckInputs {
    const history = this.history!;
    for (const holding of queueHoldings(this.built())) {
      this.finalReadMessages[holding.queue] = holding.segments.reduce((sum, s) => sum + s.count, 0);
      for (const group of this.groupsOf(holding.queue)) {
        for (const segment of holding.segments) {
          history.record({ type: "deliver", timeNs: nowNs, client: RABBIT_FINAL_READER, group, stream: holding.queue, position: -1, idFirst: segment.idFirst, count: segment.count });
        }
      }
    }
    // Divergence applies where replicas keep a log with a committed prefix: quorum queues.
    const hasQuorumQueues = this.built().plan.queues.some((queue) => queue.type === "quorum");
    return hasQuorumQueues ? { replicas: quorumReplicaSnapshots(this.built()) } : {};
  }

  checkOptions(): RunChecksOptions {
    const cluster = this.built();
    const spec = this.spec;
    const allGroups = [...new Set(cluster.plan.queues.flatMap((q) => this.groupsOf(q.name)))];
    // A group is held only to what its queues can receive: the routes (exchange, routing key) that reach them.
    const streamsOfGroup: Record<string, string[]> = {};
    for (const group of allGroups) {
      const queues = new Set(cluster.plan.queues.map((q) => q.name).filter((q) => this.groupsOf(q).includes(group)));
      streamsOfGroup[group] = [...new Set(spec.publishers.filter((p) => route(cluster.plan, p.exchange, p.routingKey).some((q) => queues.has(q))).map((p) => routeLabel(p.exchange, p.routingKey)))];
    }
    return {
      ...spec.checks,
      lost: { groups: allGroups, streamsOfGroup, ...spec.checks?.lost },
      lostEffects: { streamsOfGroup, ...spec.checks?.lostEffects },
    };
  }

  probe(): { threads: ProbeThread[]; gauges: Record<string, number> } {
    return { threads: probeThreads(this.built().brokers), gauges: {} };
  }

  private groupsOf(queue: string): string[] {
    const groups = [...new Set((this.spec.consumers ?? []).filter((c) => c.queue === queue).map((c) => c.group ?? c.queue))];
    return groups.length > 0 ? groups : [queue];
  }

  private built(): RabbitCluster {
    assert(this.cluster !== null, "the run's stages are used before the cluster is built");
    return this.cluster;
  }
}

function drainReasons(cluster: RabbitCluster, consumers: readonly RabbitConsumer[]): string[] {
  const reasons: string[] = [];
  const consumed = new Set(consumers.map((c) => c.workload.queue));
  for (const holding of queueHoldings(cluster)) {
    if (consumed.has(holding.queue) && holding.segments.length > 0) reasons.push(`queue ${holding.queue} still holds ${holding.segments.reduce((s, x) => s + x.count, 0)} messages`);
  }
  consumers.forEach((c) => {
    if (!c.isIdle()) reasons.push(`consumer ${c.workload.name} is still processing`);
  });
  return reasons;
}

function rotate(names: readonly string[], by: number): string[] {
  const k = by % names.length;
  return [...names.slice(k), ...names.slice(0, k)];
}
