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
import { History } from "../../clients/history.js";
import { runChecks, type RunChecksOptions } from "../../checks/run-checks.js";
import type { CheckResult } from "../../checks/violation.js";
import { Kernel } from "../../kernel/kernel.js";
import type { StopReason } from "../../kernel/scheduler.js";
import type { FaultSchedule } from "../../faults/fault.js";
import { scheduleFaults } from "../../faults/schedule.js";
import { buildKafkaCluster, type KafkaCluster, type KafkaClusterSpec } from "./cluster.js";
import { convergence, finalLogs, replicaSnapshots } from "./cluster-state.js";
import { ProducerDriver, type ProducerWorkload } from "./producer-workload.js";

export interface KafkaRunSpec {
  seed: number | string;
  cluster: Omit<KafkaClusterSpec, "clients">;
  producers: ProducerWorkload[];
  faults: FaultSchedule;
  /** Producers send and faults happen before this; then everything heals. */
  faultPhaseNs: number;
  /** After healing, the cluster must converge and producers settle within this. */
  convergeNsMax: number;
  eventsMax?: number;
  checks?: RunChecksOptions;
}

export interface Liveness {
  isConverged: boolean;
  /** Virtual time at which convergence was first seen (-1 if never). */
  convergedAtNs: number;
  reasons: string[];
}

export interface KafkaRunResult {
  seed: string;
  digest: string;
  stopReason: StopReason;
  timeNs: number;
  events: number;
  history: History;
  checks: CheckResult[];
  liveness: Liveness;
  marks: [string, number][];
  cluster: KafkaCluster;
}

export const FINAL_READ_GROUP = "final-read";
const CONVERGENCE_POLL_NS = 100_000_000;

export function runKafka(spec: KafkaRunSpec): KafkaRunResult {
  const kernel = new Kernel({
    seed: spec.seed,
    budgets: { eventsMax: spec.eventsMax ?? 50_000_000, timeNsMax: spec.faultPhaseNs + spec.convergeNsMax },
  });
  const cluster = buildKafkaCluster(kernel, { ...spec.cluster, clients: spec.producers.map((producer) => producer.name) });
  const { world } = cluster;
  const history = new History();
  const drivers = spec.producers.map((workload) => {
    const driver = new ProducerDriver(world, workload, cluster.brokerNames, history, spec.faultPhaseNs);
    world.install(workload.name, driver);
    return driver;
  });
  scheduleFaults(world, spec.faults.filter((fault) => fault.atNs < spec.faultPhaseNs));
  kernel.scheduler.at(spec.faultPhaseNs, () => world.healAll());
  world.boot();

  let result = kernel.scheduler.run({ untilNs: spec.faultPhaseNs });
  const liveness: Liveness = { isConverged: false, convergedAtNs: -1, reasons: [] };
  const deadlineNs = spec.faultPhaseNs + spec.convergeNsMax;
  while (result.reason === "time-reached" || result.reason === "idle") {
    const state = convergence(cluster);
    const busy: string[] = [];
    drivers.forEach((driver, index) => {
      if (!driver.isIdle()) busy.push(`producer ${spec.producers[index]!.name} still has messages in flight`);
    });
    if (state.isConverged && busy.length === 0) {
      liveness.isConverged = true;
      liveness.convergedAtNs = kernel.now;
      break;
    }
    liveness.reasons = [...state.reasons, ...busy];
    if (kernel.now >= deadlineNs) break;
    result = kernel.scheduler.run({ untilNs: Math.min(deadlineNs, kernel.now + CONVERGENCE_POLL_NS) });
  }
  if (liveness.isConverged) liveness.reasons = [];
  else if (result.reason !== "time-reached" && result.reason !== "idle") liveness.reasons.push(`run ended with ${result.reason}`);

  // Jepsen's final read: every committed record, as a group that reads everything once.
  const logs = finalLogs(cluster);
  for (const [stream, entries] of logs) {
    for (const entry of entries) {
      history.record({ type: "deliver", timeNs: kernel.now, client: "final-reader", group: FINAL_READ_GROUP, stream, position: entry.position, idFirst: entry.idFirst, count: entry.count });
    }
  }
  const checks = runChecks(
    history,
    {
      replicas: replicaSnapshots(cluster),
      finalLogs: [...logs.entries()].map(([stream, entries]) => ({ stream, entries })),
    },
    spec.checks ?? {},
  );
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
  };
}

/** The failed checks among those that matter for this configuration. */
export function failedChecks(result: KafkaRunResult, required: readonly string[]): CheckResult[] {
  return result.checks.filter((check) => required.includes(check.check) && !check.ok);
}
