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
 * Q1 (ASYNC_MASTER and a lost machine), Q3 (SYNC_MASTER's
 * FLUSH_SLAVE_TIMEOUT and an application's resends) and Q4 (a master down:
 * its group write-unavailable) are still to come (issue 13).
 */
import type { FaultScheduleOptions } from "../../faults/arbitrary.js";
import type { FaultSchedule } from "../../faults/fault.js";
import type { SystemAnomaly } from "../../run/anomaly.js";
import type { FlushDiskType } from "./config.js";
import { runRocketMq, type RocketRunResult, type RocketRunSpec } from "./run.js";

const SECOND = 1_000_000_000;
export const ROCKET_ANOMALY_FAULT_PHASE_NS = 10 * SECOND;
const MASTER = "a0";

export type RocketAnomalyId = "Q2";

export interface RocketAnomaly extends SystemAnomaly<RocketRunResult> {
  id: RocketAnomalyId;
  unsafe: { flushDiskType: FlushDiskType };
  safe: { flushDiskType: FlushDiskType };
}

type RocketAnomalyRow = Omit<RocketAnomaly, "search" | "run">;

/** Power losses, crashes and restarts of the one broker, at most 4 in the fault phase. */
const BROKER_FAULTS: FaultScheduleOptions = { nodeNames: [MASTER], horizonNs: ROCKET_ANOMALY_FAULT_PHASE_NS, faultsMax: 4, verbs: ["powerLoss", "processCrash", "restart"] };

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
    unsafe: { flushDiskType: "ASYNC_FLUSH" },
    safe: { flushDiskType: "SYNC_FLUSH" },
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
  return {
    seed,
    cluster: { nameServers: 1, brokerGroups: 1, slavesPerGroup: 0, broker: { brokerRole: "ASYNC_MASTER", ...anomaly[setting] }, topics: [{ name: "t", queueNums: 4 }], disk: "nvme" },
    producers: [{ name: "p1", topic: "t", messagesPerSecond: 200, messagesPerSend: 1, bodyBytes: 1_024 }],
    consumers: [{ name: "c1", group: "g", topic: "t", processNsPerMessage: 1_000_000 }],
    faults,
    faultPhaseNs: ROCKET_ANOMALY_FAULT_PHASE_NS,
    convergeNsMax: 60 * SECOND,
  };
}
