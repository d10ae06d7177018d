/**
 * The RocketMQ rows of the anomaly table (../shared/design.md), in the
 * shared shape (src/run/anomaly.ts), each searched and shrunk by
 * properties/anomalies.property.test.ts:
 *
 * - Q2: flushDiskType ASYNC_FLUSH answers SEND_OK once the message is in the
 *   page cache; a power loss of the broker's machine takes what the flush
 *   thread had not written (nor the OS on its own). Safe: SYNC_FLUSH, whose
 *   put waits for the group commit's flush.
 *
 * The workload: one broker group with no slave (so replication cannot hide
 * or add a loss), one producer at 200 msg/s, one consumer group; faults are
 * power losses, process crashes and restarts of the broker's machine.
 * - Q3: a 4.9 SYNC_MASTER whose slave is slow or gone answers
 *   FLUSH_SLAVE_TIMEOUT or SLAVE_NOT_AVAILABLE, with the message stored on
 *   the master all the same; an application that sends such a message
 *   again stores it twice, and a consumer applies it twice. Safe: the
 *   idempotent consumer (a processed-ids set) applies it once. The faults:
 *   the slave's crashes, restarts, pauses and partitions.
 *
 * - Q1: an ASYNC_MASTER answers SEND_OK before its slave has the message
 *   (the HA writer sends what it finds every 100 ms when caught up); its
 *   machine is lost for good (machineLoss) and the messages of that window
 *   with it. Safe: a 4.9 SYNC_MASTER, whose SEND_OK waited for the slave.
 *   The final read counts what only a slave holds (cluster-state.ts); there
 *   is no consumer group (consumers read masters, never a slave's leftovers). One
 *   loss at a time: a second loss of the replacement master finds the hole
 *   of apache/rocketmq#3015 (the old slave reports an offset past the new
 *   master's log, so the master takes every later put as replicated): the
 *   preset q1-sync-master-double-loss shows it.
 *
 * - Q4: classic master/slave has no automatic promotion: while a group's
 *   master is down its slave serves reads but takes no write, and a
 *   producer whose topic lives only on that group cannot send (every
 *   window of refused sends lasts as long as the master's outage). Safe:
 *   a second broker group (multi-master): the producer's retry
 *   (retryTimesWhenSendFailed) goes to the other master's queues, so no
 *   window outlasts a send timeout. Judged by the unavailability check with
 *   a 5 s limit; the faults: the master's crashes, power losses, restarts.
 */
import type { FaultScheduleOptions } from "../../faults/arbitrary.js";
import type { FaultSchedule } from "../../faults/fault.js";
import type { SystemAnomaly } from "../../run/anomaly.js";
import type { FlushDiskType } from "./config.js";
import { HA_TRAFFIC } from "./ha-protocol.js";
import { runRocketMq, type RocketRunResult, type RocketRunSpec } from "./run.js";
import { ROCKET_DEFAULT_SAFETY_CHECKS } from "./scenario-spec.js";

const SECOND = 1_000_000_000;
export const ROCKET_ANOMALY_FAULT_PHASE_NS = 10 * SECOND;
const MASTER = "a0";
const SLAVE = "a1";

export type RocketAnomalyId = "Q1" | "Q2" | "Q3" | "Q4";

/** What a setting changes in the anomaly's run. */
interface RocketSetting {
  flushDiskType: FlushDiskType;
  /** Q1: the master waits for its slave (4.9 SYNC_MASTER) or not (ASYNC_MASTER). */
  isSyncMaster?: boolean;
  /** The consumer group applies effects through an idempotent consumer. */
  isIdempotent: boolean;
  /** Q4: broker groups (each a master and a slave); 1 when not given. */
  brokerGroups?: number;
}

export interface RocketAnomaly extends SystemAnomaly<RocketRunResult> {
  id: RocketAnomalyId;
  unsafe: RocketSetting;
  safe: RocketSetting;
  /**
   * The cluster: one group with no slave (Q2), with a slave (Q1), with a
   * slave that serves the consumer group while its master is down (Q4,
   * slaveReadEnable), or a 4.9 SYNC_MASTER with a slave and a resending
   * application (Q3).
   */
  shape: "alone" | "with-slave" | "with-slave-read" | "sync-master-resending";
  /** Q4: a window of refused sends longer than this fails the unavailability check. */
  unavailableNsMax?: number;
}

type RocketAnomalyRow = Omit<RocketAnomaly, "search" | "run">;

/** Power losses, crashes and restarts of the one broker, at most 4 in the fault phase. */
const BROKER_FAULTS: FaultScheduleOptions = { nodeNames: [MASTER], horizonNs: ROCKET_ANOMALY_FAULT_PHASE_NS, faultsMax: 4, verbs: ["powerLoss", "processCrash", "restart"] };

/** The slave's crashes, restarts, pauses and partitions (its HA traffic too), at most 4. */
const SLAVE_FAULTS: FaultScheduleOptions = {
  nodeNames: [SLAVE],
  partitionNodeNames: [MASTER, SLAVE],
  horizonNs: ROCKET_ANOMALY_FAULT_PHASE_NS,
  faultsMax: 4,
  verbs: ["processCrash", "restart", "pause", "resume", "partition", "heal"],
  trafficClasses: [HA_TRAFFIC],
};

/** Q3's mechanism: a message answered FLUSH_SLAVE_TIMEOUT or SLAVE_NOT_AVAILABLE was sent again. */
function resentNotOk(result: RocketRunResult): string | null {
  const notOk = new Set<number>();
  for (const event of result.history.events) {
    if (event.type === "send-result" && (event.error === "FLUSH_SLAVE_TIMEOUT" || event.error === "SLAVE_NOT_AVAILABLE")) notOk.add(event.idFirst);
    else if (event.type === "send" && notOk.has(event.idFirst)) return null;
  }
  return "no message answered FLUSH_SLAVE_TIMEOUT or SLAVE_NOT_AVAILABLE was sent again";
}

/** The mechanism: the broker's disk lost bytes to a power loss (what was acknowledged but not yet on the device). */
function lostUnflushed(result: RocketRunResult): string | null {
  const stats = result.cluster.world.disk(MASTER).stats();
  return stats.powerLosses > 0 && stats.bytesLostAtPowerLoss > 0 ? null : "the broker's disk lost nothing to a power loss";
}

/** One loss of the master's machine, and its replacement. */
const MACHINE_LOSS: FaultScheduleOptions = { nodeNames: [MASTER], horizonNs: ROCKET_ANOMALY_FAULT_PHASE_NS, faultsMax: 2, verbs: ["machineLoss", "restart"] };

/** Q1's mechanism: the master's machine was lost. */
function masterMachineLost(result: RocketRunResult): string | null {
  return result.marks.some(([mark, hits]) => mark === "world.machine-loss" && hits > 0) ? null : "no machine was lost";
}

/** Q4's faults: the master's process crashes, pauses, resumptions and restarts, at most 4. */
const MASTER_OUTAGES: FaultScheduleOptions = { nodeNames: [MASTER], horizonNs: ROCKET_ANOMALY_FAULT_PHASE_NS, faultsMax: 4, verbs: ["processCrash", "restart", "pause", "resume"] };

/** Q4's mechanism: the producer was refused a send (the master it routed to was down). */
function sendRefused(result: RocketRunResult): string | null {
  return result.history.events.some((event) => event.type === "send-result" && event.outcome !== "ok") ? null : "no send was refused";
}

const ROWS: readonly RocketAnomalyRow[] = [
  {
    id: "Q1",
    title: "ASYNC_MASTER: SEND_OK before the slave has the message; the master's machine is lost for good",
    effect: "acknowledged messages lost",
    unsafe: { flushDiskType: "SYNC_FLUSH", isIdempotent: true, isSyncMaster: false },
    safe: { flushDiskType: "SYNC_FLUSH", isIdempotent: true, isSyncMaster: true },
    shape: "with-slave",
    schedules: MACHINE_LOSS,
    checks: ["lost"],
    mechanism: masterMachineLost,
    named: {
      seed: 1,
      faults: [
        { atNs: 3 * SECOND, verb: "machineLoss", node: MASTER },
        { atNs: 5 * SECOND, verb: "restart", node: MASTER },
      ],
    },
  },
  {
    id: "Q2",
    title: "flushDiskType ASYNC_FLUSH: SEND_OK before the flush; the broker's machine loses power",
    effect: "acknowledged messages lost",
    unsafe: { flushDiskType: "ASYNC_FLUSH", isIdempotent: true },
    safe: { flushDiskType: "SYNC_FLUSH", isIdempotent: true },
    shape: "alone",
    schedules: BROKER_FAULTS,
    checks: ["lost"],
    mechanism: lostUnflushed,
    named: {
      seed: 3,
      faults: [
        { atNs: 3 * SECOND, verb: "powerLoss", node: MASTER },
        { atNs: 5 * SECOND, verb: "restart", node: MASTER },
      ],
    },
  },
  {
    id: "Q3",
    title: "4.9 SYNC_MASTER with its slave gone: FLUSH_SLAVE_TIMEOUT / SLAVE_NOT_AVAILABLE, stored anyway; the application sends it again",
    effect: "effects applied twice",
    unsafe: { flushDiskType: "SYNC_FLUSH", isIdempotent: false },
    safe: { flushDiskType: "SYNC_FLUSH", isIdempotent: true },
    shape: "sync-master-resending",
    schedules: SLAVE_FAULTS,
    checks: ["duplicated-effects"],
    mechanism: resentNotOk,
    named: {
      seed: 5,
      faults: [
        { atNs: 3 * SECOND, verb: "processCrash", node: SLAVE },
        { atNs: 5 * SECOND, verb: "restart", node: SLAVE },
      ],
    },
  },
  {
    id: "Q4",
    title: "classic master/slave, no automatic promotion: the master is down, its group takes no write; the topic has no other master",
    effect: "sends refused for the whole outage",
    unsafe: { flushDiskType: "ASYNC_FLUSH", isIdempotent: true, brokerGroups: 1 },
    safe: { flushDiskType: "ASYNC_FLUSH", isIdempotent: true, brokerGroups: 2 },
    shape: "with-slave-read",
    schedules: MASTER_OUTAGES,
    checks: ["unavailability"],
    unavailableNsMax: 5 * SECOND,
    mechanism: sendRefused,
    named: {
      seed: 7,
      faults: [
        { atNs: 3 * SECOND, verb: "processCrash", node: MASTER },
        { atNs: 9 * SECOND, verb: "restart", node: MASTER },
      ],
    },
  },
];

function rocketAnomalyOf(row: RocketAnomalyRow): RocketAnomaly {
  const anomaly: RocketAnomaly = {
    ...row,
    search: { findRunsMax: 100, shrinkRunsMax: 300 },
    run: (setting, seed, faults) => runRocketMq(rocketAnomalyRunSpec(anomaly, setting, seed, faults)),
  };
  return anomaly;
}

export const ROCKET_ANOMALIES: readonly RocketAnomaly[] = ROWS.map(rocketAnomalyOf);

/** The run of an anomaly's search: one broker group without a slave, its producer and consumer group, under one setting. */
export function rocketAnomalyRunSpec(anomaly: RocketAnomalyRow, setting: "unsafe" | "safe", seed: number, faults: FaultSchedule): RocketRunSpec {
  const { flushDiskType, isIdempotent, isSyncMaster, brokerGroups = 1 } = anomaly[setting];
  const isQ3 = anomaly.shape === "sync-master-resending";
  const isSync = isQ3 || isSyncMaster === true;
  const slaveRead = anomaly.shape === "with-slave-read" ? { slaveReadEnable: true } : {};
  const broker = isSync ? { version: "4.9" as const, brokerRole: "SYNC_MASTER" as const, flushDiskType } : { brokerRole: "ASYNC_MASTER" as const, flushDiskType, ...slaveRead };
  return {
    seed,
    cluster: { nameServers: 1, brokerGroups, slavesPerGroup: anomaly.shape === "alone" ? 0 : 1, broker, topics: [{ name: "t", queueNums: 4 }], disk: "nvme" },
    // Q3's application starts once the slave is connected (its first boot follows the master's by 1 s), so every resend is the faults'.
    producers: [{ name: "p1", topic: "t", messagesPerSecond: 200, messagesPerSend: 1, bodyBytes: 1_024, resendOnNotOk: isQ3, ...(isQ3 ? { startNs: 2 * SECOND } : {}) }],
    // Q1 has no consumer group, only the final read: consumers read masters, so what only the slave keeps is never theirs
    // (the anomaly is about what the cluster keeps; c11-sync-double-write-power-loss shows what consumers see).
    consumers: anomaly.shape === "with-slave" ? [] : [{ name: "c1", group: "g", topic: "t", processNsPerMessage: 1_000_000 }],
    idempotentGroups: isIdempotent ? ["g"] : [],
    faults,
    faultPhaseNs: ROCKET_ANOMALY_FAULT_PHASE_NS,
    convergeNsMax: 60 * SECOND,
    ...(anomaly.unavailableNsMax === undefined ? {} : { checks: { checks: [...ROCKET_DEFAULT_SAFETY_CHECKS, "unavailability"], unavailability: { maxUnavailableNs: anomaly.unavailableNsMax } } }),
  };
}
