/**
 * Classic mirrored queues (https://www.rabbitmq.com/docs/ha): replication
 * cost, promotion of a synchronised mirror, ha-mode exactly placement,
 * automatic vs manual synchronisation of a rejoining mirror, and
 * ha-promote-on-failure: when-synced trading loss for unavailability (the
 * searches for R3 and R4 live in properties/anomalies.property.test.ts).
 */
import { syncBatches } from "./mirror-set.js";
import { describe, expect, it } from "vitest";
import type { FaultSchedule } from "../../faults/fault.js";
import { mirrorPromotions, rabbitAnomaly, rabbitAnomalyRunSpec } from "./anomalies.js";
import type { HaPolicyDefinition } from "./config.js";
import { runRabbitMq, type RabbitRunResult } from "./run.js";
import { consumer, count, marked, publisher, rabbitSpec, SECOND, windowsOf } from "./rabbitmq-scenarios.test-support.js";

const ALL_AUTOMATIC: HaPolicyDefinition = { "ha-mode": "all", "ha-sync-mode": "automatic", "ha-promote-on-failure": "when-synced" };

const mirrored = (policy: HaPolicyDefinition, faults: FaultSchedule, options: { consumers?: boolean; seed?: number } = {}) =>
  runRabbitMq(
    rabbitSpec({
      seed: options.seed ?? 1,
      cluster: { nodes: 3, queues: [{ name: "q", type: "classic", durable: true, node: "r1" }], policies: [{ name: "ha", pattern: "^q$", definition: policy }], config: { version: "3.13" } },
      publishers: [publisher({ hosts: ["r2", "r3", "r1"] })],
      consumers: options.consumers === false ? [] : [consumer({ hosts: ["r3", "r2", "r1"] })],
      faults,
    }),
  );

const recordOf = (result: RabbitRunResult, node: string) => result.cluster.brokers.get(node)!.record("q");

describe("mirrored classic queue, ha-mode: all", () => {
  it("replicates every message round GM's ring: master to r2 to r3 and back, one copy sent by each node", () => {
    const result = mirrored(ALL_AUTOMATIC, [], { consumers: false });
    expect(result.liveness.isConverged).toBe(true);
    const payload = count(result, "lost", "acked") * 1000;
    const gmBytes = (node: string): number => result.cluster.brokers.get(node)!.wireBytesSentByKind.get("gm") ?? 0;
    // Three hops of 1000-byte messages with distribution headers and framing (~19%), plus the small acknowledgements.
    const ring = gmBytes("r1") + gmBytes("r2") + gmBytes("r3");
    expect(ring / payload).toBeGreaterThan(3);
    expect(ring / payload).toBeLessThan(3.8);
    // "Equal distribution of sending and receiving workload" (gm.erl): the master sends one copy, not one per mirror.
    for (const node of ["r1", "r2", "r3"]) expect(gmBytes(node) / payload).toBeLessThan(1.3);
    expect(recordOf(result, "r2")).toMatchObject({ master: "r1", mirrors: ["r2", "r3"], synced: ["r2", "r3"] });
  });

  it("the master dies: the oldest synchronised mirror is promoted; nothing confirmed is lost; the gap is short", () => {
    const crashAt = 4 * SECOND;
    const result = mirrored(ALL_AUTOMATIC, [{ atNs: crashAt, verb: "processCrash", node: "r1" }]);
    expect(result.liveness.isConverged).toBe(true);
    expect(mirrorPromotions(result).map((p) => [p.node, p.isSynced])).toEqual([["r2", true]]);
    expect(count(result, "lost", "lost")).toBe(0);
    expect(count(result, "unexpected", "unexpected")).toBe(0);
    // The publisher on r2 is told its in-flight publishes' fate is unknown; the promoted master takes the next ones.
    const windows = windowsOf(result, "p1", "send", crashAt);
    const unavailableNs = windows.reduce((sum, w) => sum + w.durationNs, 0);
    expect(unavailableNs).toBeLessThan(0.5 * SECOND);
    // After healing r1 rejoins as an (automatically synchronised) mirror of r2.
    expect(recordOf(result, "r1")).toMatchObject({ master: "r2", mirrors: ["r3", "r1"], synced: ["r3", "r1"] });
  });

  it("ha-sync-mode: automatic: a restarted mirror is synchronised at once; manual: it stays unsynchronised behind the backlog", () => {
    const faults: FaultSchedule = [
      { atNs: 2 * SECOND, verb: "processCrash", node: "r3" },
      { atNs: 3 * SECOND, verb: "restart", node: "r3" },
    ];
    // No consumer: the backlog of older messages stays, so a manual mirror has no way to catch up.
    const automatic = mirrored(ALL_AUTOMATIC, faults, { consumers: false });
    const manual = mirrored({ ...ALL_AUTOMATIC, "ha-sync-mode": "manual" }, faults, { consumers: false });
    expect(recordOf(automatic, "r1")).toMatchObject({ mirrors: ["r2", "r3"], synced: ["r2", "r3"] });
    expect(automatic.cluster.brokers.get("r1")!.wireBytesSentByKind.get("mirror-sync") ?? 0).toBeGreaterThan(300 * 1000);
    expect(recordOf(manual, "r1")).toMatchObject({ mirrors: ["r2", "r3"], synced: ["r2"] });
    expect(manual.cluster.brokers.get("r1")!.wireBytesSentByKind.get("mirror-sync") ?? 0).toBe(0);
    for (const result of [automatic, manual]) expect(count(result, "lost", "lost")).toBe(0);
  });
});

describe("ha-mode: exactly", () => {
  it("ha-params 2 keeps one mirror, on the next node; when it dies the mirror moves to the third node", () => {
    const policy: HaPolicyDefinition = { "ha-mode": "exactly", "ha-params": 2, "ha-sync-mode": "automatic", "ha-promote-on-failure": "when-synced" };
    const calm = mirrored(policy, [], { consumers: false });
    expect(recordOf(calm, "r3")).toMatchObject({ master: "r1", mirrors: ["r2"], synced: ["r2"] });
    const moved = mirrored(policy, [{ atNs: 2 * SECOND, verb: "processCrash", node: "r2" }], { consumers: false });
    // r2 comes back at the heal but the policy is satisfied: r3 keeps the mirror (synchronised automatically).
    expect(recordOf(moved, "r1")).toMatchObject({ master: "r1", mirrors: ["r3"], synced: ["r3"] });
    expect(count(moved, "lost", "lost")).toBe(0);
  });
});

describe("ha-promote-on-failure: when-synced", () => {
  it("R4's schedule: the only mirror is unsynchronised, so nobody is promoted; the queue is unavailable until the master returns, and nothing is lost", () => {
    const anomaly = rabbitAnomaly("R4");
    const unsafe = runRabbitMq(rabbitAnomalyRunSpec(anomaly, "unsafe", anomaly.named.seed, anomaly.named.faults));
    const safe = runRabbitMq(rabbitAnomalyRunSpec(anomaly, "safe", anomaly.named.seed, anomaly.named.faults));
    // always: r3, which joined at 2 s, takes over at 5 s with only 3 s of messages.
    expect(mirrorPromotions(unsafe).map((p) => [p.node, p.isSynced])).toEqual([["r3", false]]);
    expect(count(unsafe, "lost", "lost")).toBeGreaterThan(150);
    // when-synced: no promotion; the master's node restarts at the heal (10 s) and recovers its messages from disk.
    expect(mirrorPromotions(safe)).toEqual([]);
    expect(marked(safe, "rabbit.mirror.not-promoted")).toBeGreaterThan(0);
    expect(count(safe, "lost", "lost")).toBe(0);
    expect(safe.liveness.isConverged).toBe(true);
    const masterDownAt = anomaly.named.faults[1]!.atNs;
    const longest = Math.max(...windowsOf(safe, "p1", "send", masterDownAt).map((w) => w.durationNs));
    expect(longest).toBeGreaterThanOrEqual(10 * SECOND - masterDownAt);
  });
});

describe("determinism", () => {
  it("a mirrored run with faults gives the same digest from the same seed", () => {
    const faults: FaultSchedule = [
      { atNs: 2 * SECOND, verb: "processCrash", node: "r1" },
      { atNs: 3 * SECOND, verb: "restart", node: "r1" },
      { atNs: 5 * SECOND, verb: "powerLoss", node: "r2" },
    ];
    const first = mirrored(ALL_AUTOMATIC, faults, { seed: 7 });
    const second = mirrored(ALL_AUTOMATIC, faults, { seed: 7 });
    expect(second.digest).toBe(first.digest);
    expect(second.events).toBe(first.events);
    expect(mirrored(ALL_AUTOMATIC, faults.slice(0, 2), { seed: 7 }).digest).not.toBe(first.digest);
  });
});

describe("ha-sync-batch-size", () => {
  it("splits a synchronisation into batches of at most that many messages, in order, covering every message once", () => {
    const segment = (seq: number, count: number) => ({ seq, idFirst: 100 + seq, count, bytesEach: 10, persistent: true, expiresAtNs: -1, redelivered: false });
    const batches = syncBatches([segment(0, 5), segment(5, 2), segment(9, 4)], 4);
    expect(batches.map((b) => b.reduce((n, s) => n + s.count, 0))).toEqual([4, 4, 3]);
    expect(batches.flat().map((s) => [s.seq, s.idFirst, s.count])).toEqual([[0, 100, 4], [4, 104, 1], [5, 105, 2], [9, 109, 1], [10, 110, 3]]);
  });
});

describe("mirrors drop what the master settled", () => {
  it("after consumers drain the queue, every mirror is empty too (a removal never overtakes its publish)", () => {
    const result = runRabbitMq({
      seed: 11,
      cluster: { nodes: 3, queues: [{ name: "q", type: "classic", durable: true, node: "r1" }], config: { version: "3.13" }, policies: [{ name: "ha", pattern: "^q$", definition: { "ha-mode": "all", "ha-sync-mode": "automatic" } }] },
      publishers: [{ name: "p1", hosts: ["r1"], exchange: "", routingKey: "q", mode: "confirm", ratePerSec: 20_000, messageBytes: 1024, batch: 50, persistent: true, inFlightMax: 2_000 }],
      consumers: [{ name: "c1", hosts: ["r1"], queue: "q", prefetch: 500, autoAck: false, processNsPerMessage: 0 }],
      faults: [],
      faultPhaseNs: 2_000_000_000,
      convergeNsMax: 20_000_000_000,
    });
    expect(result.liveness.isConverged).toBe(true);
    const mirrors = [...result.cluster.brokers.values()].flatMap((broker) => [...broker.roles.mirrors.values()]);
    expect(mirrors).toHaveLength(2);
    for (const mirror of mirrors) expect(mirror.content.count).toBe(0);
  });
});

describe("queue metadata is durable", () => {
  it("power lost on the master, then on both other nodes: the cluster restarts the queue from the promoted mirror, not the stale master", () => {
    // r1 (master) loses power at 2 s; with net_ticktime 4 s r2 and r3 call it down ~4–5 s later and r2's mirror
    // is promoted; r2 confirms on. At 10 s r2 and r3 lose power together; all three restart at 12 s. If the record
    // naming r2 master died in r2's and r3's page caches, everyone restarts on the old record (master r1) and r1's
    // store, which lacks everything confirmed after 2 s.
    const result = runRabbitMq(
      rabbitSpec({
        cluster: { nodes: 3, queues: [{ name: "q", type: "classic", durable: true, node: "r1" }], policies: [{ name: "ha", pattern: "^q$", definition: ALL_AUTOMATIC }], config: { version: "3.12", net_ticktime: 4 } },
        publishers: [publisher({ hosts: ["r2", "r3"], ratePerSec: 100 })],
        consumers: [],
        faults: [
          { atNs: 2 * SECOND, verb: "powerLoss", node: "r1" },
          { atNs: 10 * SECOND, verb: "powerLoss", node: "r2" },
          { atNs: 10 * SECOND, verb: "powerLoss", node: "r3" },
          { atNs: 12 * SECOND, verb: "restart", node: "r1" },
          { atNs: 12 * SECOND, verb: "restart", node: "r2" },
          { atNs: 12 * SECOND, verb: "restart", node: "r3" },
        ],
        faultPhaseNs: 15 * SECOND,
        convergeNsMax: 120 * SECOND,
      }),
    );
    expect(mirrorPromotions(result).map((p) => p.node)).toContain("r2");
    expect(count(result, "lost", "acked")).toBeGreaterThan(500);
    expect(count(result, "lost", "lost")).toBe(0);
  });
});

describe("the mirrored publish path (3.8–3.13)", () => {
  it("with the publisher on the master's node, a message crosses the cluster 2N-1 times: N hops round GM's ring and the channel's own copy to each mirror", () => {
    for (const nodes of [3, 5]) {
      const result = runRabbitMq({
        seed: 2,
        cluster: { nodes, queues: [{ name: "q", type: "classic", durable: true, node: "r1" }], config: { version: "3.13" }, policies: [{ name: "ha", pattern: "^q$", definition: ALL_AUTOMATIC }] },
        publishers: [{ name: "p1", hosts: ["r1"], exchange: "", routingKey: "q", mode: "confirm", ratePerSec: 1_000, messageBytes: 1_000, batch: 1, persistent: true, inFlightMax: 100 }],
        faults: [],
        faultPhaseNs: 2 * SECOND,
        convergeNsMax: 20 * SECOND,
      });
      const payload = count(result, "lost", "acked") * 1_000;
      let copies = 0;
      for (const broker of result.cluster.brokers.values()) copies += (broker.wireBytesSentByKind.get("gm") ?? 0) + (broker.wireBytesSentByKind.get("mirror-channel-copy") ?? 0);
      // Wire bytes include the distribution header and framing (about 10% on 1 KB messages) and GM's small acknowledgements.
      expect(copies / payload, `N = ${nodes}`).toBeGreaterThan(2 * nodes - 1);
      expect(copies / payload, `N = ${nodes}`).toBeLessThan(1.3 * (2 * nodes - 1));
      const fromChannel = [...result.cluster.brokers.values()].flatMap((broker) => [...broker.roles.mirrors.values()]).map((mirror) => mirror.channelCopies);
      expect(fromChannel).toHaveLength(nodes - 1);
      for (const copiesSeen of fromChannel) expect(copiesSeen).toBeGreaterThan(1_500);
    }
  });
});
