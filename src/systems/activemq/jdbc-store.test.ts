import { describe, expect, it } from "vitest";
import type { FaultSchedule } from "../../faults/fault.js";
import { runActiveMq, type ActiveMqRunResult, type ActiveMqRunSpec } from "./run.js";

const S = 1_000_000_000;

/** JDBC master/slave: b1 and b2 on the database db, the docs' lease (10 s) renewed every 5 s; a producer and a consumer. */
function spec(faults: FaultSchedule, faultPhaseNs = 40 * S, database: NonNullable<ActiveMqRunSpec["cluster"]["database"]> = { server: "db", lockKeepAlivePeriod: 5_000, lockAcquireSleepInterval: 10_000 }): ActiveMqRunSpec {
  return {
    seed: 21,
    cluster: { brokers: ["b1", "b2"], database, queues: ["orders"], disk: "nvme" },
    producers: [{ name: "p1", destination: "orders", messagesPerSecond: 50, bodyBytes: 512 }],
    consumers: [{ name: "c1", destination: "orders", processNsPerMessage: 2_000_000 }],
    faults,
    faultPhaseNs,
    convergeNsMax: 120 * S,
    checks: { checks: ["lost", "unexpected"] },
  };
}

const failed = (result: ActiveMqRunResult): string[] => result.checks.filter((check) => !check.ok).map((check) => check.check);
const mark = (result: ActiveMqRunResult, name: string): number => result.marks.find(([key]) => key === name)?.[1] ?? 0;
const ackedBetween = (result: ActiveMqRunResult, fromNs: number, toNs: number): number =>
  result.history.events.filter((event) => event.type === "send-result" && event.outcome === "ok" && event.timeNs >= fromNs && event.timeNs < toNs).length;

describe("JDBC persistence and master/slave by the lease locker", () => {
  it("stores every message in the database: the master's power loss hands the lease to the slave once it runs out; nothing acknowledged is lost", () => {
    const result = runActiveMq({ ...spec([{ atNs: 10 * S, verb: "powerLoss", node: "b1" }], 60 * S), probesAtNs: [59 * S] });
    expect(result.liveness.isConverged).toBe(true);
    expect(failed(result)).toEqual([]);
    expect(mark(result, "activemq.broker.master")).toBe(2);
    // b2 takes the lease once it has run out (within 10 s) at its next try (every 10 s); the producer reaches it once
    // its inactivity monitor gives up on the silent b1 (30 s), well before b1 is back at 60 s.
    expect(ackedBetween(result, 10.5 * S, 40 * S)).toBe(0);
    expect(ackedBetween(result, 42 * S, 60 * S)).toBeGreaterThan(0);
    // Nothing is written to the brokers' own disks: the messages are the database's.
    const disks = result.probes.length === 0 ? [] : result.probes.at(-1)!.world.disks;
    for (const disk of disks) if (disk.node === "b1" || disk.node === "b2") expect(disk.stats.bytesWrittenToDevice).toBe(0);
  });

  it("the database's power loss fails the sends meanwhile with an SQLException (the broker keeps running; the outcome is unknown: the INSERT may have committed) and loses nothing committed", () => {
    const result = runActiveMq(spec([
      { atNs: 10 * S, verb: "powerLoss", node: "db" },
      { atNs: 15 * S, verb: "restart", node: "db" },
    ]));
    expect(result.liveness.isConverged).toBe(true);
    expect(failed(result)).toEqual([]);
    const refused = result.history.events.filter((event) => event.type === "send-result" && event.outcome === "unknown" && event.error === "SQLException");
    expect(refused.length).toBeGreaterThan(0);
    expect(mark(result, "activemq.broker.sql-exception")).toBeGreaterThan(0);
  });

  it("with the JDBC defaults (a 10 s lease renewed every 30 s) the slave takes the lease from a live master, which learns it at its next renewal: two masters meanwhile", () => {
    const result = runActiveMq(spec([], 40 * S, { server: "db" }));
    // b1 takes the lease at once; b2, a second later, finds it expired at its try at 11 s and takes it; b1's renewal at
    // 30 s updates no row: it gives up being master.
    expect(mark(result, "activemq.broker.master")).toBe(2);
    expect(mark(result, "activemq.broker.lock-lost")).toBe(1);
    const failover = result.history.events.filter((event) => event.type === "op-failed");
    expect(failover.map((event) => Math.floor(event.timeNs / S))).toEqual([30]);
  });
});
