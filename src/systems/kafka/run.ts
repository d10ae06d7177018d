/**
 * One Kafka run from a seed: build the cluster and clients, produce while the
 * fault schedule plays, heal everything, wait for the cluster to converge
 * (liveness, with a virtual-time bound), read every partition's committed
 * log in full (Jepsen's final read), and check the history.
 *
 * Safety and liveness are reported apart: a run can lose nothing and still
 * fail to converge, and a safe configuration's price (seconds unavailable)
 * is a number in the result, not a pass.
 */
import { assert, compareStrings, type Kernel } from "../../kernel/index.js";
import type { History } from "../../history/history.js";
import type { CheckInputs, RunChecksOptions } from "../../checks/run-checks.js";
import type { CheckResult } from "../../checks/violation.js";
import { runSequence, type RunSequenceResult, type RunSequenceSpec, type RunStages } from "../../run/run-sequence.js";
import { IdempotentConsumer } from "../../clients/idempotent-consumer.js";
import { DownstreamService, type DownstreamServiceSpec } from "../../clients/downstream-service.js";
import { buildKafkaCluster, COORDINATOR_NODE, type KafkaCluster, type KafkaClusterSpec } from "./cluster.js";
import { convergence, finalLogs, replicaSnapshots } from "./cluster-state.js";
import { CapacityLimiter } from "../../clients/capacity-limiter.js";
import { ConsumerDriver, drainReasons, type ConsumerWorkload } from "./consumer-workload.js";
import { ProducerDriver, type ProducerWorkload } from "./producer-workload.js";
import { probeThreads, producerGauges } from "./threads.js";
import type { ProbeThread } from "../../run/system.js";

export interface KafkaRunSpec extends RunSequenceSpec {
  cluster: Omit<KafkaClusterSpec, "clients">;
  producers: ProducerWorkload[];
  /**
   * Consumer group members, each on its own client node. They consume from
   * the start, through the faults, and must drain everything acknowledged
   * before the run counts as converged.
   */
  consumers?: ConsumerWorkload[];
  /** Services producers call before publishing and consumers call while processing. */
  services?: DownstreamServiceSpec[];
  checks?: RunChecksOptions;
}

export type { Liveness } from "../../kernel/index.js";

export type KafkaRunResult = RunSequenceResult<KafkaCluster>;

export const FINAL_READ_GROUP = "final-read";

export function runKafka(spec: KafkaRunSpec): KafkaRunResult {
  return runSequence(spec, new KafkaRunStages(spec));
}

/** Kafka's stages of the shared run sequence (src/run/run-sequence.ts). */
class KafkaRunStages implements RunStages<KafkaCluster> {
  private cluster: KafkaCluster | null = null;
  private history: History | null = null;
  private drivers: ProducerDriver[] = [];
  private consumers: ConsumerDriver[] = [];

  constructor(private readonly spec: KafkaRunSpec) {}

  build(kernel: Kernel, history: History): KafkaCluster {
    const spec = this.spec;
    const consumerWorkloads = spec.consumers ?? [];
    const clients = [...spec.producers.map((producer) => producer.name), ...consumerWorkloads.map((consumer) => consumer.name)];
    const cluster = buildKafkaCluster(kernel, { ...spec.cluster, clients });
    const { world } = cluster;
    const services = new Map((spec.services ?? []).map((service) => [service.name, new DownstreamService(service, kernel.rng.stream(`service:${service.name}`))] as const));
    this.drivers = spec.producers.map((workload) => {
      const driver = new ProducerDriver(world, workload, cluster.brokerNames, history, spec.faultPhaseNs, services);
      world.install(workload.name, driver);
      return driver;
    });
    this.consumers = installConsumers(cluster, consumerWorkloads, history, services);
    this.cluster = cluster;
    this.history = history;
    return cluster;
  }

  pendingReasons(): string[] {
    const cluster = this.built();
    const state = convergence(cluster);
    const busy: string[] = [];
    this.drivers.forEach((driver, index) => {
      if (!driver.isIdle()) busy.push(`producer ${this.spec.producers[index]!.name} still has messages in flight`);
    });
    if (state.isConverged) busy.push(...drainReasons(cluster, this.consumers));
    return [...state.reasons, ...busy];
  }

  /** Jepsen's final read: every committed record, as a group that reads everything once. */
  finalRead(nowNs: number): CheckInputs {
    const cluster = this.built();
    const history = this.history!;
    const logs = finalLogs(cluster);
    for (const [stream, entries] of logs) {
      for (const entry of entries) {
        history.record({ type: "deliver", timeNs: nowNs, client: "final-reader", group: FINAL_READ_GROUP, stream, position: entry.position, idFirst: entry.idFirst, count: entry.count });
      }
    }
    // Every replica's whole log is copied only for a check that reads it (divergence).
    const requested = this.spec.checks?.checks;
    const isDivergenceChecked = requested === undefined || requested.includes("divergence");
    const finalLogList = [...logs.entries()].map(([stream, entries]) => ({ stream, entries }));
    return isDivergenceChecked ? { replicas: replicaSnapshots(cluster), finalLogs: finalLogList } : { finalLogs: finalLogList };
  }

  checkOptions(): RunChecksOptions {
    return checksWithGroups(this.spec.checks ?? {}, this.spec.consumers ?? []);
  }

  probe(): { threads: ProbeThread[]; gauges: Record<string, number> } {
    return { threads: probeThreads(this.built(), this.drivers), gauges: producerGauges(this.drivers) };
  }

  private built(): KafkaCluster {
    assert(this.cluster !== null, "the run's stages are used before the cluster is built");
    return this.cluster;
  }
}

function installConsumers(cluster: KafkaCluster, workloads: readonly ConsumerWorkload[], history: History, services: ReadonlyMap<string, DownstreamService>): ConsumerDriver[] {
  // One store per group: it stands for the group's downstream database.
  const stores = new Map<string, IdempotentConsumer>();
  const capacities = new Map<string, CapacityLimiter>();
  return workloads.map((workload) => {
    const isIdempotent = workload.config["mqsim.idempotent"] === true;
    if (isIdempotent && !stores.has(workload.group)) stores.set(workload.group, new IdempotentConsumer());
    if (workload.capacityPerSecond !== undefined && !capacities.has(workload.group)) capacities.set(workload.group, new CapacityLimiter(workload.capacityPerSecond));
    const capacity = capacities.get(workload.group);
    const driver = new ConsumerDriver({
      world: cluster.world,
      workload,
      bootstrap: cluster.brokerNames,
      coordinator: COORDINATOR_NODE,
      history,
      ...(isIdempotent ? { idempotentConsumer: stores.get(workload.group)! } : {}),
      ...(capacity === undefined ? {} : { capacity }),
      services,
    });
    cluster.world.install(workload.name, driver);
    return driver;
  });
}

/** Every configured group is held to account by lost and lost-effects, with the final read as one more group. */
function checksWithGroups(options: RunChecksOptions, consumers: readonly ConsumerWorkload[]): RunChecksOptions {
  const groups = [...new Set(consumers.map((consumer) => consumer.group))].sort(compareStrings);
  return {
    ...options,
    lost: { groups: [...groups, FINAL_READ_GROUP], ...options.lost },
    lostEffects: { groups, ...options.lostEffects },
  };
}

/** The failed checks among those that matter for this configuration. */
export function failedChecks(result: KafkaRunResult, required: readonly string[]): CheckResult[] {
  return result.checks.filter((check) => required.includes(check.check) && !check.ok);
}
