/**
 * The configuration ActiveMQ's safety claim is about, and the faults it is
 * claimed against (properties/activemq-safe.property.test.ts; the model
 * bench's fault runs time the same): NFSv4 master/slave with a 10 s lease,
 * journal sync ALWAYS, persistent sync sends, CLIENT_ACKNOWLEDGE every 10
 * messages and an idempotent consumer; crashes and power losses of either
 * broker, the NFS server and both clients within 30 s.
 */
import type { FaultSchedule } from "../../faults/fault.js";
import type { ActiveMqRunSpec } from "./run.js";

const SECOND = 1_000_000_000;

export const ACTIVEMQ_SAFE_CHECKS = ["lost", "lost-effects", "unexpected", "duplicated-effects"] as const;

/** faultScheduleArbitrary's options for the claim's faults. */
export const ACTIVEMQ_SAFE_FAULTS = Object.freeze({
  nodeNames: ["b1", "b2", "nfs", "p1", "c1"],
  horizonNs: 30 * SECOND,
  faultsMax: 5,
  verbs: ["powerLoss", "powerLoss", "processCrash", "restart"] as const,
});

export function activeMqSafeSpec(seed: number, faults: FaultSchedule): ActiveMqRunSpec {
  return {
    seed,
    cluster: { brokers: ["b1", "b2"], sharedStore: { server: "nfs", lockRecovery: "lease", leaseNs: 10 * SECOND }, queues: ["orders"], disk: "nvme" },
    producers: [{ name: "p1", destination: "orders", messagesPerSecond: 40, bodyBytes: 512 }],
    consumers: [{ name: "c1", destination: "orders", processNsPerMessage: 2_000_000, acknowledgeEvery: 10 }],
    idempotentQueues: ["orders"],
    faults,
    faultPhaseNs: 30 * SECOND,
    convergeNsMax: 180 * SECOND,
    checks: { checks: [...ACTIVEMQ_SAFE_CHECKS] },
  };
}
