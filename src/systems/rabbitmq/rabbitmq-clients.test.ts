/**
 * The client side of RabbitMQ's guarantees, claims C14 and C15 of
 * ../shared/mission.md:
 * - C14: loss happens producer -> broker (no confirms), inside the broker
 *   (transient messages, a crash before the fsync) and broker -> consumer
 *   (auto-ack before processing); confirms + persistent + manual ack close
 *   each path; transactions close the first one too, at a large throughput
 *   cost (each tx.commit waits for its fsync, one burst at a time);
 * - C15: a full queue (x-max-length: drop-head discards the oldest,
 *   reject-publish nacks the publish) and TTL expiry lose messages.
 */
import { describe, expect, it } from "vitest";
import type { RabbitVersion } from "./classic-persistence.js";
import type { QueueArguments } from "./config.js";
import { runRabbitMq } from "./run.js";
import { consumer, count, MS, publisher, rabbitSpec, SECOND, sendResults } from "./rabbitmq-scenarios.test-support.js";

describe("C14: where messages are lost, and what closes each path", () => {
  it("auto-ack: a consumer crash loses what it held (lost-effects); manual ack redelivers it (duplicates, no loss)", () => {
    const run = (autoAck: boolean) =>
      runRabbitMq(
        rabbitSpec({
          publishers: [publisher({ ratePerSec: 200 })],
          // 10 ms per message, half the publish rate: a backlog builds, so the consumer always has its hands full
          // (auto-ack: everything the broker pushed; manual ack: its prefetch window of 50).
          consumers: [consumer({ autoAck, prefetch: 50, processNsPerMessage: 10 * MS })],
          faults: [
            { atNs: 3 * SECOND, verb: "processCrash", node: "c1" },
            { atNs: 4 * SECOND, verb: "restart", node: "c1" },
          ],
        }),
      );
    const auto = run(true);
    const manual = run(false);
    for (const result of [auto, manual]) expect(result.liveness.isConverged).toBe(true);
    // Auto-ack: the broker forgot the messages when it sent them; the ones in hand at the crash are never applied (300 measured).
    expect(count(auto, "lost-effects", "unapplied")).toBeGreaterThan(100);
    // The final read has nothing to give back, so even "lost" (deliveries) cannot see it: it was delivered, once.
    expect(count(auto, "lost", "lost")).toBe(0);
    expect(count(auto, "duplicated", "duplicated")).toBe(0);
    // Manual ack: the unacknowledged window (the prefetch of 50) is requeued and delivered again.
    expect(count(manual, "lost-effects", "unapplied")).toBe(0);
    expect(count(manual, "lost", "lost")).toBe(0);
    expect(count(manual, "duplicated", "duplicated")).toBe(50);
    expect(count(manual, "duplicated-effects", "duplicated")).toBe(0);
  });

  it("confirms vs transactions: same offered load (5000 msg/s), confirms carry it, tx manage a small fraction (3.12) or half (4.x)", () => {
    const run = (mode: "confirm" | "tx", version: RabbitVersion) =>
      runRabbitMq(
        rabbitSpec({
          cluster: { nodes: 1, queues: [{ name: "q", type: "classic", durable: true, node: "r1" }], config: { version } },
          publishers: [publisher({ mode, ratePerSec: 5000, inFlightMax: 1000 })],
          faultPhaseNs: 5 * SECOND,
        }),
      );
    const ratios = new Map<RabbitVersion, number>();
    for (const version of ["3.12", "4.x"] as const) {
      const confirms = count(run("confirm", version), "lost", "acked");
      const tx = count(run("tx", version), "lost", "acked");
      ratios.set(version, confirms / tx);
      console.log(`C14 ${version}, 5 s at 5000 msg/s offered: confirms ${confirms} acked (${confirms / 5}/s), tx ${tx} (${tx / 5}/s), ratio ${(confirms / tx).toFixed(1)}x`);
      expect(confirms).toBeGreaterThan(0.95 * 5000 * 5);
    }
    // 3.12: one round trip plus one fsync per commit (measured 20x).
    expect(ratios.get("3.12")!).toBeGreaterThan(10);
    // 4.x: the commit waits for the write only, so one round trip per message is what is left (measured 2.1x).
    expect(ratios.get("4.x")!).toBeGreaterThan(1.5);
    expect(ratios.get("4.x")!).toBeLessThan(5);
  });

  describe("the home node loses power at 3 s (restarted at 4 s)", () => {
    // 3.12: a persistent message's confirm waits for its fsync (classic-persistence.ts).
    const run = (mode: "confirm" | "none", persistent: boolean, version: RabbitVersion = "3.12", messageBytes = 1000) =>
      runRabbitMq(
        rabbitSpec({
          cluster: { nodes: 1, queues: [{ name: "q", type: "classic", durable: true, node: "r1" }], config: { version } },
          publishers: [publisher({ mode, persistent, ratePerSec: 1000, messageBytes })],
          faults: [
            { atNs: 3 * SECOND, verb: "powerLoss", node: "r1" },
            { atNs: 4 * SECOND, verb: "restart", node: "r1" },
          ],
          faultPhaseNs: 5 * SECOND,
        }),
      );

    it("without confirms, transient messages: everything published before the failure is lost", () => {
      const result = run("none", false);
      expect(count(result, "lost", "lost")).toBeGreaterThan(2900);
    });

    it("without confirms, persistent messages: what was not yet fsynced is lost", () => {
      // The message store syncs continuously (group commit), so the window is one fsync: 1 message measured.
      expect(count(run("none", true), "lost", "lost")).toBeGreaterThan(0);
    });

    it("confirms cannot save transient messages: a confirm means accepted, not stored", () => {
      expect(count(run("confirm", false), "lost", "lost")).toBeGreaterThan(2900);
    });

    it("confirms + persistent messages, 3.12: nothing confirmed is lost (each confirm waited for its fsync)", () => {
      const result = run("confirm", true);
      expect(count(result, "lost", "acked")).toBeGreaterThan(2900);
      expect(count(result, "lost", "lost")).toBe(0);
    });

    it("confirms + persistent messages, 4.x (CQv2 never fsyncs): confirmed messages still in the page cache are lost", () => {
      const result = run("confirm", true, "4.x");
      expect(count(result, "lost", "acked")).toBeGreaterThan(2900);
      // The power loss at 3 s takes what writeback had not reached: dirty pages expire after 30 s, so all of it.
      expect(count(result, "lost", "lost")).toBeGreaterThan(2900);
    });

    it("3.13 with CQv1: messages below queue_index_embed_msgs_below wait for the index fsync and survive; larger ones do not", () => {
      expect(count(run("confirm", true, "3.13", 1000), "lost", "lost")).toBe(0);
      expect(count(run("confirm", true, "3.13", 8192), "lost", "lost")).toBeGreaterThan(2900);
    });
  });
});

describe("C15: a full queue and TTL expiry", () => {
  /** 200 msg/s confirmed into a queue whose only consumer manages 50 msg/s: the queue fills. */
  const slow = (args: QueueArguments) =>
    runRabbitMq(
      rabbitSpec({
        cluster: { nodes: 1, queues: [{ name: "q", type: "classic", durable: true, node: "r1", arguments: args }] },
        publishers: [publisher({ ratePerSec: 200 })],
        consumers: [consumer({ prefetch: 10, processNsPerMessage: 20 * MS })],
        faultPhaseNs: 5 * SECOND,
      }),
    );

  it("x-max-length with drop-head (the default): confirmed messages are dropped from the head, and the lost check says so", () => {
    const result = slow({ "x-max-length": 50, "x-overflow": "drop-head" });
    expect(result.liveness.isConverged).toBe(true);
    // Every publish was confirmed (~1000); the queue kept at most 50 behind the consumer.
    expect(count(result, "lost", "acked")).toBeGreaterThan(950);
    expect(count(result, "lost", "lost")).toBeGreaterThan(500);
  });

  it("x-max-length with reject-publish: the overflow is nacked (an error to the publisher), nothing confirmed is lost", () => {
    const result = slow({ "x-max-length": 50, "x-overflow": "reject-publish" });
    expect(result.liveness.isConverged).toBe(true);
    expect(sendResults(result, "error", "REJECT-PUBLISH")).toBeGreaterThan(500);
    expect(count(result, "lost", "lost")).toBe(0);
  });

  it("x-max-length with reject-publish judges a burst that arrives together in turn: the excess is nacked, nothing confirmed is dropped", () => {
    // Found by mqsim check c15-reject-publish: the node paused from the start, so 100 publishes
    // (the in-flight cap) reach the queue at once on resume. Each passed against the empty queue's
    // length, all were confirmed, and the queue then dropped 40 from its head as if it were drop-head.
    const result = runRabbitMq(
      rabbitSpec({
        cluster: { nodes: 1, queues: [{ name: "q", type: "classic", durable: true, node: "r1", arguments: { "x-max-length": 50, "x-overflow": "reject-publish" } }] },
        publishers: [publisher({ ratePerSec: 200, inFlightMax: 100 })],
        consumers: [consumer({ prefetch: 10, processNsPerMessage: 20 * MS })],
        faults: [{ atNs: 174_375, verb: "pause", node: "r1" }],
        faultPhaseNs: 5 * SECOND,
      }),
    );
    expect(result.liveness.isConverged).toBe(true);
    expect(sendResults(result, "error", "REJECT-PUBLISH")).toBeGreaterThan(0);
    expect(count(result, "lost", "lost")).toBe(0);
    expect(new Map(result.marks).get("rabbit.queue.reject-publish") ?? 0).toBeGreaterThan(0);
  });

  it("x-message-ttl: messages that wait longer than the TTL expire unread; without a TTL they all arrive", () => {
    const ttl = slow({ "x-message-ttl": 500 });
    expect(count(ttl, "lost", "lost")).toBeGreaterThan(500);
    const none = slow({});
    expect(count(none, "lost", "lost")).toBe(0);
    expect(none.liveness.isConverged).toBe(true);
  });
});
