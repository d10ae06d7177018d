/**
 * The RabbitMQ rows R3 and R4 of the anomaly table (../shared/design.md),
 * shaped like the Kafka catalogue (../kafka/anomalies.ts): each has
 * - an unsafe mirroring policy and the fault family that breaks it, for a
 *   fast-check search that must find and shrink a counterexample;
 * - the safe counterpart, which must pass the very same schedule and a
 *   search of its own;
 * - a judge that tells this anomaly from any other failure: the lost check
 *   fails AND an unsynchronised mirror was promoted (the brokers' promotion
 *   log; for R3, a mirror that had stayed unsynchronised for a while, not one
 *   caught in the middle of an automatic synchronisation).
 *
 * The workload makes the anomaly reachable: a durable classic queue homed on
 * r1, one publisher with confirms and persistent messages, and no consumer
 * during the fault phase (the consumer comes late: the run's final read), so
 * every confirmed message is still in the queue when a mirror rejoins. A
 * mirror that (re)joins holds only what is published after it joined
 * (https://www.rabbitmq.com/docs/ha#unsynchronised-mirrors); with
 * `ha-sync-mode: manual` it stays unsynchronised until consumers drain the
 * older messages, which here they never do. Faults are process crashes and
 * restarts of the three nodes only: partitions under
 * `cluster_partition_handling: ignore` lose messages under every policy
 * (split brain), and power loss adds nothing the confirms (after fsync) do
 * not already cover.
 */
import type { FaultScheduleOptions } from "../../faults/arbitrary.js";
import type { FaultSchedule } from "../../faults/fault.js";
import type { FaultRun } from "../../faults/search.js";
import { anomalyCounterexample, anomalyProperty, judgeAnomaly, type AnomalyCounterexample, type AnomalyJudgement, type AnomalySetting, type SystemAnomaly } from "../../run/anomaly.js";
import type { MirrorPromotion } from "./broker.js";
import type { HaPolicyDefinition } from "./config.js";
import { runRabbitMq, type RabbitRunResult, type RabbitRunSpec } from "./run.js";

const SECOND = 1_000_000_000;
export const RABBIT_ANOMALY_FAULT_PHASE_NS = 10 * SECOND;
const NODES_3 = ["r1", "r2", "r3"];

export type RabbitAnomalyId = "R3" | "R4";

/** A RabbitMQ row of the anomaly table: the shared shape (src/run/anomaly.ts) with RabbitMQ's mirroring policies. */
export interface RabbitAnomaly extends SystemAnomaly<RabbitRunResult> {
  id: RabbitAnomalyId;
  /** The mirroring policy (applied to every queue) under each setting. */
  unsafe: HaPolicyDefinition;
  safe: HaPolicyDefinition;
  nodes: number;
}

/** Generated runs the unsafe search may take to find an anomaly. */
export const RABBIT_FIND_RUNS_MAX = 300;
/** Runs the shrinking may spend after the first failure (a deterministic budget: some search seeds otherwise shrink for minutes). */
export const RABBIT_SHRINK_RUNS_MAX = 1000;

/** A row as written below, before it is given the shared parts (its search budget and its run). */
type RabbitAnomalyRow = Omit<RabbitAnomaly, "search" | "run">;

function rabbitAnomalyOf(row: RabbitAnomalyRow): RabbitAnomaly {
  const anomaly: RabbitAnomaly = {
    ...row,
    search: { findRunsMax: RABBIT_FIND_RUNS_MAX, shrinkRunsMax: RABBIT_SHRINK_RUNS_MAX },
    run: (setting, seed, faults) => runRabbitMq(rabbitAnomalyRunSpec(anomaly, setting, seed, faults)),
  };
  return anomaly;
}

/** Crashes and restarts of the RabbitMQ nodes, at most 8 in the 10 s fault phase. */
const CRASH_RESTART: FaultScheduleOptions = { nodeNames: NODES_3, horizonNs: RABBIT_ANOMALY_FAULT_PHASE_NS, faultsMax: 8, verbs: ["processCrash", "restart"] };

/** Every mirror promotion of the run, oldest first. */
export function mirrorPromotions(result: RabbitRunResult): MirrorPromotion[] {
  return [...result.cluster.brokers.values()].flatMap((broker) => broker.promotions).sort((a, b) => a.atNs - b.atNs);
}

/**
 * R3's mirror *stayed* unsynchronised: it had held only new messages for at
 * least this long when it was promoted. Automatic synchronisation of this
 * workload's backlog (at most ~100 KB) takes milliseconds, so a promotion
 * in the middle of one (a master crash a moment after a mirror joined) is
 * R4's case, not R3's.
 */
export const R3_UNSYNCED_FOR_NS_MIN = 100_000_000;

const promotedUnsynced = (result: RabbitRunResult): string | null =>
  mirrorPromotions(result).some((p) => !p.isSynced) ? null : "no unsynchronised mirror was promoted";

const promotedLongUnsynced = (result: RabbitRunResult): string | null =>
  mirrorPromotions(result).some((p) => !p.isSynced && p.atNs - p.mirrorStartedAtNs >= R3_UNSYNCED_FOR_NS_MIN)
    ? null
    : `no mirror was promoted after staying unsynchronised for ${R3_UNSYNCED_FOR_NS_MIN / 1e6} ms`;

const RABBIT_ANOMALY_ROWS: readonly RabbitAnomalyRow[] = [
  {
    id: "R3",
    title: "ha-sync-mode: manual: a restarted node rejoins as an empty mirror holding only new messages; the master dies and that mirror is promoted",
    effect: "older messages lost",
    // RabbitMQ's defaults: manual synchronisation, promotion always.
    unsafe: { "ha-mode": "all", "ha-sync-mode": "manual", "ha-promote-on-failure": "always" },
    // The fix of the table's row: synchronise a new mirror at once (the queue blocks while it copies).
    safe: { "ha-mode": "all", "ha-sync-mode": "automatic", "ha-promote-on-failure": "always" },
    nodes: 3,
    schedules: CRASH_RESTART,
    checks: ["lost"],
    mechanism: promotedLongUnsynced,
    // Automatic synchronisation: whoever was promoted was synchronised.
    fixedBy: (result) => (mirrorPromotions(result).every((p) => p.isSynced) ? null : "an unsynchronised mirror was promoted"),
    named: {
      seed: 3,
      faults: [
        // r2 restarts and rejoins empty: it has only what is published from 3 s on.
        { atNs: 2 * SECOND, verb: "processCrash", node: "r2" },
        { atNs: 3 * SECOND, verb: "restart", node: "r2" },
        // The synchronised mirror r3 is gone, then the master: r2 is the only candidate.
        { atNs: 5 * SECOND, verb: "processCrash", node: "r3" },
        { atNs: 6 * SECOND, verb: "processCrash", node: "r1" },
      ],
    },
  },
  {
    id: "R4",
    title: "ha-promote-on-failure: always: the master dies while its only mirror is unsynchronised (ha-mode exactly 2 moved the mirror to a fresh node) and that mirror is promoted",
    effect: "messages lost",
    unsafe: { "ha-mode": "exactly", "ha-params": 2, "ha-sync-mode": "manual", "ha-promote-on-failure": "always" },
    // The one knob: promote only a synchronised mirror; the queue is unavailable until the master's node returns.
    safe: { "ha-mode": "exactly", "ha-params": 2, "ha-sync-mode": "manual", "ha-promote-on-failure": "when-synced" },
    nodes: 3,
    schedules: CRASH_RESTART,
    checks: ["lost"],
    mechanism: promotedUnsynced,
    // when-synced: nobody was promoted unsynchronised; the queue waited for its master.
    fixedBy: (result) =>
      mirrorPromotions(result).some((p) => !p.isSynced) ? "an unsynchronised mirror was promoted" : result.marks.some(([mark, hits]) => mark === "rabbit.mirror.not-promoted" && hits > 0) ? null : "no mirror was held back from promotion",
    named: {
      seed: 4,
      faults: [
        // The mirror on r2 dies: exactly-2 places a new, empty mirror on r3.
        { atNs: 2 * SECOND, verb: "processCrash", node: "r2" },
        // The master dies: r3 is the only mirror left.
        { atNs: 5 * SECOND, verb: "processCrash", node: "r1" },
      ],
    },
  },
];

export const RABBIT_ANOMALIES: readonly RabbitAnomaly[] = RABBIT_ANOMALY_ROWS.map(rabbitAnomalyOf);

export function rabbitAnomaly(id: RabbitAnomalyId): RabbitAnomaly {
  const found = RABBIT_ANOMALIES.find((anomaly) => anomaly.id === id);
  if (found === undefined) throw new Error(`no RabbitMQ anomaly ${id}`);
  return found;
}

/** The run of an anomaly's search: its cluster and workload under one setting, with the given faults. */
export function rabbitAnomalyRunSpec(anomaly: RabbitAnomalyRow, setting: "unsafe" | "safe", seed: number, faults: FaultSchedule): RabbitRunSpec {
  return {
    seed,
    cluster: {
      nodes: anomaly.nodes,
      queues: [{ name: "q", type: "classic", durable: true, node: "r1" }],
      policies: [{ name: "ha", pattern: "^q$", definition: anomaly[setting] }],
      // Classic mirroring: the last release that has it (removed in 4.0).
      config: { version: "3.13" },
    },
    // ~1000 persistent messages over the fault phase, confirmed once on disk and on every mirror.
    publishers: [{ name: "p1", hosts: NODES_3.slice(0, anomaly.nodes), exchange: "", routingKey: "q", mode: "confirm", ratePerSec: 100, messageBytes: 100, batch: 1, persistent: true, inFlightMax: 50 }],
    consumers: [],
    faults,
    faultPhaseNs: RABBIT_ANOMALY_FAULT_PHASE_NS,
    convergeNsMax: 30 * SECOND,
  };
}

/** The shared judge (src/run/anomaly.ts). */
export function judgeRabbitAnomalyRun(anomaly: RabbitAnomaly, result: RabbitRunResult): AnomalyJudgement {
  return judgeAnomaly(anomaly, result);
}

/** The shared property (src/run/anomaly.ts): under "unsafe" a counterexample is the anomaly, under "safe" a broken claim. */
export function rabbitAnomalyProperty(anomaly: RabbitAnomaly, setting: AnomalySetting): FaultRun {
  return anomalyProperty(anomaly, setting);
}

export type RabbitAnomalyCounterexample = AnomalyCounterexample & { id: RabbitAnomalyId };

/**
 * Searches every anomaly under its unsafe setting and returns the shrunk
 * counterexamples (deterministic for a given search seed): what the tests
 * print and a preset can quote.
 */
export function rabbitAnomalyCounterexamples(searchSeed: number, ids: readonly RabbitAnomalyId[] = ["R3", "R4"]): RabbitAnomalyCounterexample[] {
  const found: RabbitAnomalyCounterexample[] = [];
  for (const id of ids) {
    const counterexample = anomalyCounterexample(rabbitAnomaly(id), searchSeed);
    if (counterexample !== null) found.push({ ...counterexample, id });
  }
  return found;
}
