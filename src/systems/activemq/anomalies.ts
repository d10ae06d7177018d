/**
 * The ActiveMQ rows of the anomaly table (../shared/design.md), in the
 * shared shape (src/run/anomaly.ts), each searched and shrunk by
 * properties/anomalies.property.test.ts:
 *
 * - A1: shared file system master/slave on NFSv3. Its locks go through
 *   NLM, which keeps a dead client's lock until that client's machine
 *   reboots and says so (SM_NOTIFY): when the master's machine loses power
 *   no slave can take the store, so no broker accepts a send until the
 *   master's machine is back (the docs: "the only solution … is to reboot
 *   all ActiveMQ instances"). Safe: NFSv4, whose locks are leases the
 *   server frees 30 s after the holder's last renewal (the docs' figure);
 *   the slave takes over and nothing acknowledged is lost.
 *
 * The workload: brokers b1 (master, booted first) and b2 on one NFS server,
 * a producer of persistent messages (sync sends) at 10 msg/s on the failover
 * transport, and its consumer. The faults: b1's power losses, crashes and
 * restarts over 180 s. Judged by the unavailability check with a 60 s limit:
 * under NFSv4 a failover takes at most the lease, a lock poll (10 s), the
 * client's inactivity monitor (30 s) and its reconnect backoff, well under
 * a minute; under NFSv3 the outage lasts as long as b1's machine is off.
 */
import type { FaultScheduleOptions } from "../../faults/arbitrary.js";
import type { FaultSchedule } from "../../faults/fault.js";
import type { SystemAnomaly } from "../../run/anomaly.js";
import { runActiveMq, type ActiveMqRunResult, type ActiveMqRunSpec } from "./run.js";
import { ACTIVEMQ_DEFAULT_SAFETY_CHECKS } from "./scenario-spec.js";

const SECOND = 1_000_000_000;
export const ACTIVEMQ_ANOMALY_FAULT_PHASE_NS = 180 * SECOND;
const MASTER = "b1";
const NFS_LEASE_NS = 30 * SECOND;
const UNAVAILABLE_NS_MAX = 60 * SECOND;

export type ActiveMqAnomalyId = "A1";

/** What a setting changes in the anomaly's run: the shared store's protocol. */
interface ActiveMqSetting {
  protocol: "nfsv3" | "nfsv4";
}

export interface ActiveMqAnomaly extends SystemAnomaly<ActiveMqRunResult> {
  id: ActiveMqAnomalyId;
  unsafe: ActiveMqSetting;
  safe: ActiveMqSetting;
}

type ActiveMqAnomalyRow = Omit<ActiveMqAnomaly, "search" | "run">;

/** The master's power losses, crashes and restarts, at most 4 in the fault phase. */
const MASTER_FAULTS: FaultScheduleOptions = { nodeNames: [MASTER], horizonNs: ACTIVEMQ_ANOMALY_FAULT_PHASE_NS, faultsMax: 4, verbs: ["powerLoss", "processCrash", "restart"] };

const hits = (result: ActiveMqRunResult, name: string): number => result.marks.find(([mark]) => mark === name)?.[1] ?? 0;

/** A1's mechanism: a machine lost power, and no lock was freed by its lease running out (only a reboot frees it). */
function lockOutlivedItsHolder(result: ActiveMqRunResult): string | null {
  if (hits(result, "world.power-loss") === 0) return "no machine lost power";
  return hits(result, "shared-store.lock-released.lease-expired") === 0 ? null : "a lease expired and freed the dead master's lock";
}

const ROWS: readonly ActiveMqAnomalyRow[] = [
  {
    id: "A1",
    title: "shared file system master/slave on NFSv3: the master's machine loses power and its lock is never freed",
    effect: "no failover: nothing is sent until the master's machine is back",
    unsafe: { protocol: "nfsv3" },
    safe: { protocol: "nfsv4" },
    schedules: MASTER_FAULTS,
    checks: ["unavailability"],
    mechanism: lockOutlivedItsHolder,
    named: { seed: 1, faults: [{ atNs: 3 * SECOND, verb: "powerLoss", node: MASTER }] },
  },
];

function activeMqAnomalyOf(row: ActiveMqAnomalyRow): ActiveMqAnomaly {
  const anomaly: ActiveMqAnomaly = {
    ...row,
    search: { findRunsMax: 100, shrinkRunsMax: 200 },
    run: (setting, seed, faults) => runActiveMq(activeMqAnomalyRunSpec(anomaly, setting, seed, faults)),
  };
  return anomaly;
}

export const ACTIVEMQ_ANOMALIES: readonly ActiveMqAnomaly[] = ROWS.map(activeMqAnomalyOf);

/** The run of an anomaly's search: b1 and b2 on one NFS server, a producer and its consumer, under one setting. */
export function activeMqAnomalyRunSpec(anomaly: ActiveMqAnomalyRow, setting: "unsafe" | "safe", seed: number, faults: FaultSchedule): ActiveMqRunSpec {
  const { protocol } = anomaly[setting];
  return {
    seed,
    cluster: { brokers: [MASTER, "b2"], sharedStore: { server: "nfs", lockRecovery: protocol === "nfsv3" ? "nlm" : "lease", leaseNs: NFS_LEASE_NS }, queues: ["orders"], disk: "nvme" },
    producers: [{ name: "p1", destination: "orders", messagesPerSecond: 10, bodyBytes: 1_024 }],
    consumers: [{ name: "c1", destination: "orders", processNsPerMessage: 1_000_000 }],
    idempotentQueues: ["orders"],
    faults,
    faultPhaseNs: ACTIVEMQ_ANOMALY_FAULT_PHASE_NS,
    convergeNsMax: 180 * SECOND,
    checks: { checks: [...ACTIVEMQ_DEFAULT_SAFETY_CHECKS, "unavailability"], unavailability: { maxUnavailableNs: UNAVAILABLE_NS_MAX } },
  };
}
