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
 * Q1 (ASYNC_MASTER and a master's machine lost for good) and Q4 (a master
 * down: its group write-unavailable, shown by the c11 presets) are still to
 * come (issue 13).
 */
import type { FaultScheduleOptions } from "../../faults/arbitrary.js";
import type { FaultSchedule } from "../../faults/fault.js";
import type { SystemAnomaly } from "../../run/anomaly.js";
import type { FlushDiskType } from "./config.js";
import { HA_TRAFFIC } from "./ha-protocol.js";
import { runRocketMq, type RocketRunResult, type RocketRunSpec } from "./run.js";

const SECOND = 1_000_000_000;
export const ROCKET_ANOMALY_FAULT_PHASE_NS = 10 * SECOND;
const MASTER = "a0";
const SLAVE = "a1";

export type RocketAnomalyId = "Q2" | "Q3";

/** What a setting changes in the anomaly's run. */
interface RocketSetting {
  flushDiskType: FlushDiskType;
  /** The consumer group applies effects through an idempotent consumer. */
  isIdempotent: boolean;
}

export interface RocketAnomaly extends SystemAnomaly<RocketRunResult> {
  id: RocketAnomalyId;
  unsafe: RocketSetting;
  safe: RocketSetting;
  /** Q3's cluster: a 4.9 SYNC_MASTER with a slave, and an application that resends what is not SEND_OK. */
  isSyncMasterResending: boolean;
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

const ROWS: readonly RocketAnomalyRow[] = [
  {
    id: "Q2",
    title: "flushDiskType ASYNC_FLUSH: SEND_OK before the flush; the broker's machine loses power",
    effect: "acknowledged messages lost",
    unsafe: { flushDiskType: "ASYNC_FLUSH", isIdempotent: true },
    safe: { flushDiskType: "SYNC_FLUSH", isIdempotent: true },
    isSyncMasterResending: false,
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
    isSyncMasterResending: true,
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
  const { flushDiskType, isIdempotent } = anomaly[setting];
  const isQ3 = anomaly.isSyncMasterResending;
  const broker = isQ3 ? { version: "4.9" as const, brokerRole: "SYNC_MASTER" as const, flushDiskType } : { brokerRole: "ASYNC_MASTER" as const, flushDiskType };
  return {
    seed,
    cluster: { nameServers: 1, brokerGroups: 1, slavesPerGroup: isQ3 ? 1 : 0, broker, topics: [{ name: "t", queueNums: 4 }], disk: "nvme" },
    // Q3's application starts once the slave is connected (its first boot follows the master's by 1 s), so every resend is the faults'.
    producers: [{ name: "p1", topic: "t", messagesPerSecond: 200, messagesPerSend: 1, bodyBytes: 1_024, resendOnNotOk: isQ3, ...(isQ3 ? { startNs: 2 * SECOND } : {}) }],
    consumers: [{ name: "c1", group: "g", topic: "t", processNsPerMessage: 1_000_000 }],
    idempotentGroups: isIdempotent ? ["g"] : [],
    faults,
    faultPhaseNs: ROCKET_ANOMALY_FAULT_PHASE_NS,
    convergeNsMax: 60 * SECOND,
  };
}
