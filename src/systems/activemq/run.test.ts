import { describe, expect, it } from "vitest";
import type { FaultSchedule } from "../../faults/fault.js";
import { runActiveMq, type ActiveMqRunResult, type ActiveMqRunSpec } from "./run.js";

const S = 1_000_000_000;

function spec(lockRecovery: "nlm" | "lease", faults: FaultSchedule, withConsumer = true): ActiveMqRunSpec {
  return {
    seed: 12,
    cluster: { brokers: ["b1", "b2"], sharedStore: { server: "nfs", lockRecovery, leaseNs: 30 * S }, queues: ["orders"] },
    producers: [{ name: "p1", destination: "orders", messagesPerSecond: 50, bodyBytes: 512 }],
    consumers: withConsumer ? [{ name: "c1", destination: "orders", processNsPerMessage: 2_000_000 }] : [],
    faults,
    faultPhaseNs: 10 * S,
    convergeNsMax: 120 * S,
    checks: { checks: ["lost", "unexpected", "duplicated-effects"] },
  };
}

const failed = (result: ActiveMqRunResult): string[] => result.checks.filter((check) => !check.ok).map((check) => check.check);

describe("an ActiveMQ run on the shared sequence", () => {
  it("master/slave on a shared store through the master's crash: converges, nothing acknowledged lost", () => {
    const result = runActiveMq(spec("nlm", [{ atNs: 4 * S, verb: "processCrash", node: "b1" }]));
    expect(result.liveness.isConverged).toBe(true);
    expect(failed(result)).toEqual([]);
  });

  it("A1: on NFSv3 the master's power loss lets no broker in until its machine reboots (the run's heal at 10 s restarts it, and its SM_NOTIFY frees the lock)", () => {
    const result = runActiveMq(spec("nlm", [{ atNs: 4 * S, verb: "powerLoss", node: "b1" }]));
    const ackedWhileOff = result.history.events.filter((event) => event.type === "send-result" && event.outcome === "ok" && event.timeNs > 5 * S && event.timeNs < 10 * S);
    expect(ackedWhileOff).toEqual([]);
    expect(result.liveness.isConverged).toBe(true);
    expect(failed(result)).toEqual([]);
  });

  it("without consumers the final read holds every acknowledged message", () => {
    const result = runActiveMq(spec("lease", [{ atNs: 4 * S, verb: "powerLoss", node: "b1" }], false));
    expect(result.liveness.isConverged).toBe(true);
    expect(failed(result)).toEqual([]);
  });

  it("maxReconnectDelay bounds how long a producer waits between tries: after the master's crash it reaches the new master within that of its start, where the default 30 s lets the doubling delay run past it", () => {
    const crash: FaultSchedule = [{ atNs: 5 * S, verb: "processCrash", node: "b1" }];
    const firstAckAfterCrash = (result: ActiveMqRunResult): number =>
      result.history.events.find((event) => event.type === "send-result" && event.outcome === "ok" && event.timeNs > 5.1 * S)?.timeNs ?? Number.POSITIVE_INFINITY;
    const withDefault = runActiveMq({ ...spec("lease", crash), faultPhaseNs: 40 * S });
    const base = spec("lease", crash);
    const fast = runActiveMq({ ...base, faultPhaseNs: 40 * S, producers: base.producers.map((producer) => ({ ...producer, failover: { initialReconnectDelay: 10, maxReconnectDelay: 1_000 } })) });
    // b2 polls the lock every 10 s from its boot at 1 s: it is master from about 11 s.
    expect(firstAckAfterCrash(fast)).toBeLessThan(12.5 * S);
    expect(firstAckAfterCrash(withDefault)).toBeGreaterThan(20 * S);
  });
});
