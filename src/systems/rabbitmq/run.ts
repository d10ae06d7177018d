/**
 * One RabbitMQ run from a seed, shaped like the Kafka run: build the
 * cluster and the client applications, publish while the fault schedule
 * plays, heal everything, wait for the cluster to serve every queue again
 * and the consumers to drain, then read what every queue still holds (the
 * final read, delivered to the queue's consuming group) and check the
 * history.
 */
import { History } from "../../clients/history.js";
import { IdempotentConsumer } from "../../clients/idempotent-consumer.js";
import { runChecks, type RunChecksOptions } from "../../checks/run-checks.js";
import type { CheckResult } from "../../checks/violation.js";
import type { FaultSchedule } from "../../faults/fault.js";
import { scheduleFaults } from "../../faults/schedule.js";
import { runUntilConverged, type Liveness } from "../../kernel/index.js";
import { Kernel } from "../../kernel/index.js";
import type { StopReason } from "../../kernel/index.js";
import { buildRabbitCluster, type RabbitCluster, type RabbitClusterSpec } from "./cluster.js";
import { convergence, queueHoldings } from "./cluster-state.js";
import { route, routeLabel } from "./cluster-plan.js";
import { RabbitConsumer, type RabbitConsumerWorkload } from "./consumer.js";
import { RabbitPublisher, type RabbitPublisherWorkload } from "./publisher.js";

export interface RabbitRunSpec {
  seed: number | string;
  cluster: Omit<RabbitClusterSpec, "clients">;
  publishers: RabbitPublisherWorkload[];
  consumers?: RabbitConsumerWorkload[];
  faults: FaultSchedule;
  faultPhaseNs: number;
  convergeNsMax: number;
  eventsMax?: number;
  /** History records at most (the run's memory budget): reaching it ends the run with "memory-budget". */
  historyRecordsMax?: number;
  checks?: RunChecksOptions;
}

/** The same liveness as every system's run (kernel/converge.ts). */
export type RabbitLiveness = Liveness;

export interface RabbitRunResult {
  seed: string;
  digest: string;
  stopReason: StopReason;
  timeNs: number;
  events: number;
  history: History;
  checks: CheckResult[];
  liveness: RabbitLiveness;
  marks: [string, number][];
  cluster: RabbitCluster;
  /** Messages each queue still held at the final read. */
  finalReadMessages: Record<string, number>;
}

export const RABBIT_FINAL_READER = "final-reader";
const CONVERGENCE_POLL_NS = 100_000_000;

export function runRabbitMq(spec: RabbitRunSpec): RabbitRunResult {
  const kernel = new Kernel({ seed: spec.seed, budgets: { eventsMax: spec.eventsMax ?? 50_000_000, timeNsMax: spec.faultPhaseNs + spec.convergeNsMax } });
  const consumerWorkloads = spec.consumers ?? [];
  const clients = [...spec.publishers.map((p) => p.name), ...consumerWorkloads.map((c) => c.name)];
  const cluster = buildRabbitCluster(kernel, { ...spec.cluster, clients });
  const { world } = cluster;
  const config = cluster.plan.config;
  const history = new History({ ...(spec.historyRecordsMax === undefined ? {} : { recordsMax: spec.historyRecordsMax }), onFull: () => kernel.scheduler.exhaust("memory-budget") });
  const hostsFor = (index: number, hosts: string[] | undefined): string[] => hosts ?? rotate(cluster.nodeNames, index);
  const publishers = spec.publishers.map((workload, index) => {
    const publisher = new RabbitPublisher(world, workload, hostsFor(index, workload.hosts), history, spec.faultPhaseNs, config.clientReconnectNs, config.clientTimeoutNs, config.heartbeat * 1_000_000_000);
    world.install(workload.name, publisher);
    return publisher;
  });
  const dedupes = new Map<string, IdempotentConsumer>();
  const consumers = consumerWorkloads.map((workload, index) => {
    const group = workload.group ?? workload.queue;
    if (workload.idempotent === true && !dedupes.has(group)) dedupes.set(group, new IdempotentConsumer());
    const consumer = new RabbitConsumer(world, workload, hostsFor(index + 1, workload.hosts), history, workload.idempotent === true ? dedupes.get(group)! : null, config.clientReconnectNs, config.heartbeat * 1_000_000_000);
    world.install(workload.name, consumer);
    return consumer;
  });
  scheduleFaults(world, spec.faults.filter((fault) => fault.atNs < spec.faultPhaseNs));
  kernel.scheduler.at(spec.faultPhaseNs, () => world.healAll());
  world.boot();

  const pending = (): string[] => {
    const state = convergence(cluster);
    const busy: string[] = [];
    publishers.forEach((p, i) => {
      if (!p.isIdle()) busy.push(`publisher ${spec.publishers[i]!.name} still waits for answers`);
    });
    if (state.isConverged) busy.push(...drainReasons(cluster, consumers));
    return [...state.reasons, ...busy];
  };
  const { liveness, result } = runUntilConverged(kernel.scheduler, kernel.scheduler.run({ untilNs: spec.faultPhaseNs }), {
    deadlineNs: spec.faultPhaseNs + spec.convergeNsMax,
    pollNs: CONVERGENCE_POLL_NS,
    pendingReasons: pending,
  });

  const finalReadMessages: Record<string, number> = {};
  const groupsOf = (queue: string): string[] => {
    const groups = [...new Set(consumerWorkloads.filter((c) => c.queue === queue).map((c) => c.group ?? c.queue))];
    return groups.length > 0 ? groups : [queue];
  };
  for (const holding of queueHoldings(cluster)) {
    finalReadMessages[holding.queue] = holding.segments.reduce((sum, s) => sum + s.count, 0);
    for (const group of groupsOf(holding.queue)) {
      for (const segment of holding.segments) {
        history.record({ type: "deliver", timeNs: kernel.now, client: RABBIT_FINAL_READER, group, stream: holding.queue, position: -1, idFirst: segment.idFirst, count: segment.count });
      }
    }
  }
  const allGroups = [...new Set(cluster.plan.queues.flatMap((q) => groupsOf(q.name)))];
  // A group is held only to what its queues can receive: the routes (exchange, routing key) that reach them.
  const streamsOfGroup: Record<string, string[]> = {};
  for (const group of allGroups) {
    const queues = new Set(cluster.plan.queues.map((q) => q.name).filter((q) => groupsOf(q).includes(group)));
    streamsOfGroup[group] = [...new Set(spec.publishers.filter((p) => route(cluster.plan, p.exchange, p.routingKey).some((q) => queues.has(q))).map((p) => routeLabel(p.exchange, p.routingKey)))];
  }
  const checks = runChecks(history, {}, {
    ...spec.checks,
    lost: { groups: allGroups, streamsOfGroup, ...spec.checks?.lost },
    lostEffects: { streamsOfGroup, ...spec.checks?.lostEffects },
  });
  return {
    seed: kernel.seed,
    digest: kernel.digestHex(),
    stopReason: result.reason,
    timeNs: kernel.now,
    events: kernel.scheduler.eventsFired,
    history,
    checks,
    liveness,
    marks: kernel.marks.entries(),
    cluster,
    finalReadMessages,
  };
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
