/**
 * One RocketMQ run from a seed, on the shared run sequence
 * (src/run/run-sequence.ts): build the NameServers, broker groups and
 * clients, send while the fault schedule plays, heal, wait for the cluster
 * to converge and the consumers to drain, read every queue of every
 * master in full (Jepsen's final read), and check the history.
 */
import { assert, compareStrings, type Kernel } from "../../kernel/index.js";
import type { CheckInputs, RunChecksOptions } from "../../checks/run-checks.js";
import type { History } from "../../history/history.js";
import { IdempotentConsumer } from "../../clients/idempotent-consumer.js";
import type { ProbeThread } from "../../run/system.js";
import { runSequence, type RunSequenceResult, type RunSequenceSpec, type RunStages } from "../../run/run-sequence.js";
import { buildRocketCluster, type RocketCluster, type RocketClusterSpec } from "./cluster.js";
import { rocketConvergence, rocketDivergedSlaves, rocketDrainReasons, rocketFinalLogs, rocketFinalRead } from "./cluster-state.js";
import { RocketProducer, type RocketProducerWorkload } from "./producer.js";
import { RocketPushConsumer, type RocketConsumerWorkload } from "./push-consumer.js";
import { rocketStream } from "./rocket-stream.js";
import { rocketProbeThreads } from "./threads.js";

export interface RocketRunSpec extends RunSequenceSpec {
  cluster: Omit<RocketClusterSpec, "clients">;
  producers: RocketProducerWorkload[];
  consumers?: RocketConsumerWorkload[];
  /** Consumer groups whose consumers apply each message's effect once (an idempotent consumer per group). */
  idempotentGroups?: readonly string[];
  checks?: RunChecksOptions;
}

export type RocketRunResult = RunSequenceResult<RocketCluster>;

export const ROCKET_FINAL_READ_GROUP = "final-read";

export function runRocketMq(spec: RocketRunSpec): RocketRunResult {
  return runSequence(spec, new RocketRunStages(spec));
}

/** RocketMQ's stages of the shared run sequence. */
class RocketRunStages implements RunStages<RocketCluster> {
  private cluster: RocketCluster | null = null;
  private history: History | null = null;
  private producers: RocketProducer[] = [];
  private consumers: RocketPushConsumer[] = [];

  constructor(private readonly spec: RocketRunSpec) {}

  build(kernel: Kernel, history: History): RocketCluster {
    const spec = this.spec;
    const consumerWorkloads = spec.consumers ?? [];
    const clients = [...spec.producers.map((p) => p.name), ...consumerWorkloads.map((c) => c.name)];
    const cluster = buildRocketCluster(kernel, { ...spec.cluster, clients });
    const { world, nameServerNodes } = cluster;
    this.producers = spec.producers.map((workload) => {
      const producer = new RocketProducer({ world, workload, namesrvNodes: nameServerNodes, history, stopNs: spec.faultPhaseNs, routeLog: cluster.routeLog });
      world.install(workload.name, producer);
      return producer;
    });
    const stores = new Map<string, IdempotentConsumer>();
    const idempotent = new Set(spec.idempotentGroups ?? []);
    this.consumers = consumerWorkloads.map((workload) => {
      if (idempotent.has(workload.group) && !stores.has(workload.group)) stores.set(workload.group, new IdempotentConsumer());
      const consumer = new RocketPushConsumer({ world, workload, namesrvNodes: nameServerNodes, history, idempotentConsumer: stores.get(workload.group) ?? null, routeLog: cluster.routeLog });
      world.install(workload.name, consumer);
      return consumer;
    });
    this.cluster = cluster;
    this.history = history;
    return cluster;
  }

  pendingReasons(): string[] {
    const cluster = this.built();
    const reasons = rocketConvergence(cluster);
    this.producers.forEach((producer, k) => {
      if (!producer.isIdle()) reasons.push(`producer ${this.spec.producers[k]!.name} still has messages to send or in flight`);
    });
    if (reasons.length === 0) reasons.push(...rocketDrainReasons(cluster, this.spec.consumers ?? [], this.consumers));
    return reasons;
  }

  /** Jepsen's final read: every message the cluster still holds (masters, and what only a slave holds); the checks get the masters' logs. */
  finalRead(nowNs: number): CheckInputs {
    const history = this.history!;
    const cluster = this.built();
    for (let k = rocketDivergedSlaves(cluster).length; k > 0; k--) cluster.world.kernel.marks.hit("rocketmq.final-read.diverged-slave");
    for (const { stream, entries } of rocketFinalRead(cluster)) {
      for (const entry of entries) history.record({ type: "deliver", timeNs: nowNs, client: "final-reader", group: ROCKET_FINAL_READ_GROUP, stream, position: entry.position, idFirst: entry.idFirst, count: entry.count });
    }
    return { finalLogs: rocketFinalLogs(cluster) };
  }

  checkOptions(): RunChecksOptions {
    const spec = this.spec;
    const streamsOfGroup: Record<string, string[]> = {};
    for (const consumer of spec.consumers ?? []) streamsOfGroup[consumer.group] = this.streamsOf(consumer.topic);
    const groups = Object.keys(streamsOfGroup).sort(compareStrings);
    return {
      ...spec.checks,
      lost: { groups: [...groups, ROCKET_FINAL_READ_GROUP], streamsOfGroup, ...spec.checks?.lost },
      lostEffects: { groups, streamsOfGroup, ...spec.checks?.lostEffects },
    };
  }

  probe(): { threads: ProbeThread[]; gauges: Record<string, number> } {
    return { threads: rocketProbeThreads(this.built()), gauges: {} };
  }

  /** Every queue of the topic on every broker group, as send streams. */
  private streamsOf(topic: string): string[] {
    const cluster = this.built();
    const queueNums = this.spec.cluster.topics.find((t) => t.name === topic)?.queueNums ?? 0;
    return cluster.groups.flatMap((group) => Array.from({ length: queueNums }, (_, q) => rocketStream(topic, group.brokerName, q)));
  }

  private built(): RocketCluster {
    assert(this.cluster !== null, "the run's stages are used before the cluster is built");
    return this.cluster;
  }
}
