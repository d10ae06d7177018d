/**
 * What the product layer (scenario runs, summaries, reports) needs from a
 * modelled system, as one interface: build its run spec from a validated
 * scenario, run it, and tell what the run did as plain data, so no code
 * outside the system's folder reads its live simulation objects or tells
 * systems apart by their shapes. src/systems/index.ts lists the systems.
 */
import type { z } from "zod";
import type { CheckInputs } from "../checks/run-checks.js";
import type { CheckResult } from "../checks/violation.js";
import type { History } from "../history/history.js";
import type { FaultSchedule } from "../faults/fault.js";
import type { Liveness } from "../kernel/converge.js";
import type { StopReason } from "../kernel/scheduler.js";
import type { RunSummary, ThreadSummary } from "../report/run-summary.js";
import type { Preset } from "../scenario/preset.js";
import type { SystemAnomaly } from "./anomaly.js";
import type { RunEstimate } from "../scenario/run-estimate.js";
import type { WorldCounters } from "../world/world-counters.js";
import type { ClusterEvent } from "../world/cluster-log.js";
import type { RunProgress } from "./run-sequence.js";

/** What every system's run spec has. */
export interface SystemRunSpec {
  faults: FaultSchedule;
  faultPhaseNs: number;
  /** Instants of the fault phase at which the run takes a probe (result.probes). */
  probesAtNs?: readonly number[];
  /** Told how far the run has got (src/run/run-sequence.ts): for progress bars; changes nothing in the run. */
  onProgress?: (progress: RunProgress) => void;
}

/** What every system's run result has. */
export interface SystemRunResult {
  seed: string;
  digest: string;
  stopReason: StopReason;
  timeNs: number;
  events: number;
  history: History;
  checks: CheckResult[];
  liveness: Liveness;
  marks: [string, number][];
  /** What the final read gave the checks beyond the history (final logs, replica snapshots), as plain data. */
  checkInputs: CheckInputs;
  /** The probes taken mid-run (spec.probesAtNs), in time order. */
  probes: RunProbe[];
  /** What the cluster did (elections, in-sync sets, truncations, nodes declared down), in time order (src/world/cluster-log.ts). */
  clusterEvents: readonly ClusterEvent[];
  /** Cluster events past the log's bound, counted but not kept. */
  clusterEventsLeftOut: number;
}

/** A thread (or pool) of a server or client, with its CPU so far. */
export interface ProbeThread extends ThreadSummary {
  side: "server" | "client";
}

/** The run's counters at one instant, as plain data: a steady-state window is the difference of two probes. */
export interface RunProbe {
  atNs: number;
  world: WorldCounters;
  /** Every thread the system models CPU for, servers' and clients', at the finest grain it keeps. */
  threads: ProbeThread[];
  /** The system's instantaneous values, by name (e.g. Kafka's "producer requests in flight"). */
  gauges: Record<string, number>;
}

/** A run's facts for summaries and bottleneck naming, as plain data. */
export interface SystemRunFacts {
  /** The nodes that run the system (Kafka's brokers, RabbitMQ's nodes): where disks and inter-node bytes are counted. */
  serverNodes: readonly string[];
  /** Every node of the run's world with what it is ("broker", "controller", "rabbitmq node", "client"), in world order. */
  nodeKinds: readonly { name: string; kind: string }[];
  /** Payload bytes per message of each producing client. */
  clientMessageBytes: readonly (readonly [string, number])[];
  /** Server CPU, for the systems that model it. */
  threads: ThreadSummary[];
  /** Inter-node bytes as the system breaks them down (`bytes` on server↔server links, `ackedBytes` of payload acknowledged). */
  interNode(bytes: number, ackedBytes: number): NonNullable<RunSummary["interNode"]>;
  /** The world's traffic and disk counters at the end of the run. */
  world: WorldCounters;
  /** Record bytes the followers' logs hold at the end: what replication copied (systems that keep replicated logs; absent otherwise). */
  followerRecordBytes?: number;
  /** Numbers only this system has, for its summary (e.g. RocketMQ's longest stale route), in seconds or counts as `unit` says. */
  systemNumbers?: readonly SystemNumber[];
}

/** A number only one system measures, as its summary shows it. */
export interface SystemNumber {
  name: string;
  value: number;
  unit: string;
}

/** A producing client's offered rate, as the scenario schema reads it. */
export type OfferedRate = { kind: "constant" | "poisson"; perSecond: number } | { kind: "piecewise"; steps: readonly { atNs: number; perSecond: number }[]; poisson: boolean };

/** What a fault search may target in a scenario of the system. */
export interface FaultTargets {
  /** Nodes that may crash, pause or lose power. */
  nodeNames: string[];
  /** Nodes a partition may cut off (a superset: nodes that never crash may still be isolated). */
  partitionNodeNames: string[];
  /** Traffic classes a partition may be scoped to. */
  trafficClasses: string[];
}

/** What a system's scenario branch must be for the discriminated union of src/scenario/schema.ts: an object schema whose `system` is a literal. */
export type ScenarioBranchSchema<Scenario> = z.ZodType<Scenario> & z.core.$ZodTypeDiscriminable & { readonly shape: Readonly<Record<string, z.ZodType>> };

export interface SystemModel<Scenario, Spec extends SystemRunSpec, Result extends SystemRunResult> {
  /** The scenario's `system` field. */
  readonly name: string;
  /** Its name as its makers write it ("Kafka", "RabbitMQ"), for messages. */
  readonly displayName: string;
  /** The scenario file's branch for this system, in its own config names, with its cross-field rules. */
  readonly scenarioSchema: ScenarioBranchSchema<Scenario>;
  /** What a run will cost, from the scenario alone (budgets refuse a scenario past them before it runs). */
  estimateRun(scenario: Scenario): RunEstimate;
  /** Its built-in scenarios (`mqsim list`), in the order the tour runs them. */
  readonly presets: readonly Preset[];
  /** Its rows of the anomaly table (src/run/anomaly.ts), each searched by properties/anomalies.property.test.ts. */
  readonly anomalies: readonly SystemAnomaly<Result>[];
  /** The checks whose failure makes a run safety-failed when the scenario names none. */
  readonly defaultSafetyChecks: readonly string[];
  runSpecOf(scenario: Scenario, seed: number | string): Spec;
  run(spec: Spec): Result;
  facts(spec: Spec, result: Result): SystemRunFacts;
  /** The scenario's producing clients (Kafka's producers, RabbitMQ's publishers): rate and how many run it. */
  offeredLoad(scenario: Scenario): readonly { rate: OfferedRate; count: number }[];
  /** The nodes and traffic classes a fault search (`mqsim check`) may target. */
  faultTargets(scenario: Scenario): FaultTargets;
  /** Numbers of a run worth a place on its one-line summary (the tour) beyond the shared ones, in the system's words. */
  keyNumbers(summary: RunSummary): string[];
}
