import { describe, expect, it } from "vitest";
import type { FaultSchedule } from "../../faults/fault.js";
import { runRocketMq, type RocketRunResult } from "./run.js";

const S = 1_000_000_000;

/** One DLedger group of three (a0, a1, a2), one producer at 200 msg/s, one consumer group. */
function runDLedger(faults: FaultSchedule, seed = 1): RocketRunResult {
  return runRocketMq({
    seed,
    cluster: { nameServers: 1, brokerGroups: 1, slavesPerGroup: 2, broker: { version: "4.9", enableDLegerCommitLog: true }, topics: [{ name: "t", queueNums: 4 }] },
    producers: [{ name: "p1", topic: "t", messagesPerSecond: 200, messagesPerSend: 1, bodyBytes: 1024 }],
    consumers: [{ name: "c1", group: "g", topic: "t", processNsPerMessage: 1_000_000 }],
    faults,
    faultPhaseNs: 20 * S,
    convergeNsMax: 60 * S,
  });
}

function leaderOf(result: RocketRunResult): string {
  const leaders = [...result.cluster.brokers].filter(([, broker]) => broker.dledger?.isLeader === true).map(([node]) => node);
  expect(leaders).toHaveLength(1);
  return leaders[0]!;
}

function failedChecks(result: RocketRunResult): string[] {
  return result.checks.filter((check) => !check.ok).map((check) => check.check);
}

describe("RocketMQ in DLedger mode", () => {
  it("elects a master within a second of boot, which registers as brokerId 0; every member applies the same commit log", () => {
    const result = runDLedger([]);
    expect(result.liveness.isConverged).toBe(true);
    expect(failedChecks(result)).toEqual([]);
    const leader = leaderOf(result);
    const first = result.history.events.find((event) => event.type === "send-result" && event.outcome === "ok");
    // The first send waits for a route (sendMsgTimeout, 3 s); the election itself took under a second.
    expect(first!.timeNs).toBeLessThan(4 * S);
    const ends = [...result.cluster.brokers.values()].map((broker) => broker.store!.commitLog.maxOffset);
    expect(new Set(ends).size).toBe(1);
    expect(ends[0]).toBeGreaterThan(0);
    const masters = [...result.cluster.nameServers.values()][0]!.routeOf("t")!.brokerDatas[0]!.brokerAddrs.filter(([id]) => id === 0);
    expect(masters).toEqual([[0, leader]]);
    expect(result.cluster.brokers.get(leader)!.dledger!.leaderSinceNs).toBeLessThan(1 * S);
  });

  it("a master's crash elects another about 7 s later (three missed heartbeats, then a vote); nothing acknowledged is lost", () => {
    const leader = leaderOf(runDLedger([]));
    const result = runDLedger([
      { atNs: 5 * S, verb: "processCrash", node: leader },
      { atNs: 15 * S, verb: "restart", node: leader },
    ]);
    expect(result.liveness.isConverged).toBe(true);
    expect(failedChecks(result)).toEqual([]);
    const next = leaderOf(result);
    expect(next).not.toBe(leader);
    const electedNs = result.cluster.brokers.get(next)!.dledger!.leaderSinceNs;
    expect(electedNs).toBeGreaterThan(11 * S);
    expect(electedNs).toBeLessThan(13 * S);
  });

  it("acknowledges once a quorum has written, before its 10 ms flush: the whole group's power loss takes acknowledged messages", () => {
    const nodes = ["a0", "a1", "a2"];
    const result = runDLedger([...nodes.map((node) => ({ atNs: 5 * S, verb: "powerLoss" as const, node })), ...nodes.map((node) => ({ atNs: 7 * S, verb: "restart" as const, node }))]);
    expect(result.liveness.isConverged).toBe(true);
    expect(failedChecks(result)).toContain("lost");
    // One member's power loss is survived: the other two still hold every acknowledged entry.
    const leader = leaderOf(runDLedger([]));
    const one = runDLedger([
      { atNs: 5 * S, verb: "powerLoss", node: leader },
      { atNs: 7 * S, verb: "restart", node: leader },
    ]);
    expect(one.liveness.isConverged).toBe(true);
    expect(failedChecks(one)).toEqual([]);
  });

  it("one member's power loss can take acknowledged entries when the quorum that counted them included it and the third lagged; a member that had applied them rebuilds its store", () => {
    // Found by bench:rocketmq's DLedger fault runs (run 68): two groups of three, 40 msg/s.
    const result = runRocketMq({
      seed: 68,
      cluster: { nameServers: 1, brokerGroups: 2, slavesPerGroup: 2, broker: { version: "4.9", enableDLegerCommitLog: true }, topics: [{ name: "t", queueNums: 2 }], disk: "nvme" },
      producers: [{ name: "p1", topic: "t", messagesPerSecond: 40, messagesPerSend: 1, bodyBytes: 512 }],
      consumers: [{ name: "c1", group: "g", topic: "t", processNsPerMessage: 2_000_000 }],
      idempotentGroups: ["g"],
      faults: [
        { atNs: 3_208_389_888, verb: "processCrash", node: "b0" },
        { atNs: 3_998_559_252, verb: "partition", spec: { kind: "bridge", sides: [["b1"], ["a0"]], bridge: ["b0"] } },
        { atNs: 5_236_135_081, verb: "powerLoss", node: "b0" },
        { atNs: 5_852_361_635, verb: "powerLoss", node: "b2" },
        { atNs: 7_071_308_996, verb: "powerLoss", node: "a0" },
      ],
      faultPhaseNs: 10 * S,
      convergeNsMax: 90 * S,
    });
    expect(result.liveness.isConverged).toBe(true);
    expect(failedChecks(result)).toContain("lost");
    const marks = new Map(result.marks);
    expect(marks.get("raft.committed-entry-replaced")).toBeGreaterThan(0);
    expect(marks.get("rocketmq.dledger.store-rebuilt")).toBeGreaterThan(0);
  });

  it("a master cut off from the other members steps down after 6 s without a quorum of answers (maxHeartBeatLeak), before the partition heals", () => {
    const leader = leaderOf(runDLedger([]));
    const result = runDLedger([
      { atNs: 5 * S, verb: "partition", spec: { kind: "isolate", nodes: [leader] } },
      { atNs: 18 * S, verb: "heal" },
    ]);
    expect(result.liveness.isConverged).toBe(true);
    expect(failedChecks(result)).toEqual([]);
    expect(new Map(result.marks).get("raft.leader.quorum-lost")).toBe(1);
    expect(leaderOf(result)).not.toBe(leader);
  });
});
