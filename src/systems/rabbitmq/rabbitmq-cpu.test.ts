/**
 * RabbitMQ's CPU: a node's Erlang schedulers (one per core) are shared by
 * its queue, mirror and channel processes (erlang-schedulers.ts, costs in
 * cpu-costs.ts), and credit flow holds a publisher back when a queue process
 * cannot keep up (credit-flow.ts).
 */
import { describe, expect, it } from "vitest";
import type { QueueDeclaration } from "./config.js";
import { CPU_COSTS_3X } from "./cpu-costs.js";
import { INITIAL_CREDIT, QUORUM_COMMANDS_SOFT_LIMIT } from "./credit-flow.js";
import { runRabbitMq, type RabbitRunResult, type RabbitRunSpec } from "./run.js";
import { consumer, marked, publisher, rabbitSpec, SECOND } from "./rabbitmq-scenarios.test-support.js";

/** Messages acknowledged to publishers per second over [from, to). */
function ackedPerSec(result: RabbitRunResult, fromNs: number, toNs: number): number {
  let acked = 0;
  for (const e of result.history.events) if (e.type === "send-result" && e.outcome === "ok" && e.timeNs >= fromNs && e.timeNs < toNs) acked += e.count;
  return acked / ((toNs - fromNs) / SECOND);
}

/** `queues` durable classic queues spread over `nodes`, each with a confirming publisher offered `ratePerQueue`, on the queue's node. */
function spreadSpec(options: { nodes: number; queues: number; cores: number; ratePerQueue: number; mirrored: boolean }): RabbitRunSpec {
  const queues: QueueDeclaration[] = Array.from({ length: options.queues }, (_, i) => ({ name: `q${i}`, type: "classic", durable: true, node: `r${(i % options.nodes) + 1}` }));
  return rabbitSpec({
    cluster: {
      nodes: options.nodes,
      cores: options.cores,
      queues,
      config: { version: "3.13" },
      network: { nic: { egressBytesPerSec: 3_125_000_000 } },
      ...(options.mirrored ? { policies: [{ name: "ha", pattern: ".*", definition: { "ha-mode": "exactly", "ha-params": 2, "ha-sync-mode": "automatic" } }] } : {}),
    },
    publishers: queues.map((queue, i) => publisher({ name: `p${i}`, routingKey: queue.name, ratePerSec: options.ratePerQueue, messageBytes: 1_024, inFlightMax: 1_000, hosts: [queue.node!] })),
    faultPhaseNs: 2 * SECOND,
    convergeNsMax: 20 * SECOND,
    checks: { checks: [] },
  });
}

describe("RabbitMQ CPU: the node's schedulers are shared", () => {
  it("100 mirrored queues on 3 nodes of 8 cores (ha exactly 2, 1 KiB, confirms) carry tens of MiB/s, CPU-bound, not hundreds", () => {
    // The example: with a core per queue process the model carried ~760 MiB/s; a real cluster ~38 MiB/s.
    const result = runRabbitMq(spreadSpec({ nodes: 3, queues: 100, cores: 8, ratePerQueue: 4_000, mirrored: true }));
    const mibPerSec = (ackedPerSec(result, SECOND, 2 * SECOND) * 1_024) / 1_048_576;
    expect(mibPerSec).toBeGreaterThan(25);
    expect(mibPerSec).toBeLessThan(50);
    // Every node's schedulers were busy nearly all the time over the run.
    for (const broker of result.cluster.brokers.values()) expect(broker.schedulers.busyNs / (broker.schedulers.schedulerCount * 2 * SECOND)).toBeGreaterThan(0.8);
  });

  it("eight queues on one node: four times the cores carry about four times the messages", () => {
    const rate = (cores: number): number => ackedPerSec(runRabbitMq(spreadSpec({ nodes: 1, queues: 8, cores, ratePerQueue: 20_000, mirrored: false })), SECOND, 2 * SECOND);
    const two = rate(2);
    const eight = rate(8);
    expect(eight / two).toBeGreaterThan(3.3);
    expect(eight / two).toBeLessThan(4.4);
  });

  it("one queue is one process: more cores than it can use do not make it faster", () => {
    const rate = (cores: number): number => ackedPerSec(runRabbitMq(spreadSpec({ nodes: 1, queues: 1, cores, ratePerQueue: 50_000, mirrored: false })), SECOND, 2 * SECOND);
    const four = rate(4);
    // No consumer: the queue only enqueues, so its process bounds the rate at 1 / enqueue cost.
    expect(four).toBeLessThanOrEqual(1.02 * (SECOND / (CPU_COSTS_3X.queueEnqueueNs + 1_024 * CPU_COSTS_3X.byteNs)));
    expect(four).toBeGreaterThan(0.8 * (SECOND / (CPU_COSTS_3X.queueEnqueueNs + 1_024 * CPU_COSTS_3X.byteNs)));
    expect(rate(16) / four).toBeCloseTo(1, 1);
  });
});

describe("RabbitMQ credit flow: a publisher faster than its queue is held back", () => {
  it("classic queue: the queue process's mailbox stays within the channel's credit, and the channel goes into flow", () => {
    // No confirms, so nothing but credit flow limits the publisher: it offers 5× what the queue can take. With a
    // consumer the queue process spends more per message (enqueue and deliver) than the channel does, so it falls behind.
    const result = runRabbitMq(
      rabbitSpec({
        cluster: { nodes: 1, cores: 4, queues: [{ name: "q", type: "classic", durable: true, node: "r1" }], config: { version: "3.13" } },
        publishers: [publisher({ mode: "none", ratePerSec: 80_000, messageBytes: 1_024 })],
        consumers: [consumer({ autoAck: true, prefetch: 100, processNsPerMessage: 0 })],
        faultPhaseNs: SECOND,
        convergeNsMax: 30 * SECOND,
        checks: { checks: [] },
      }),
    );
    const master = result.cluster.brokers.get("r1")!.roles.masters.get("q")!;
    // At most the channel's credit of publishes, each of which may leave one delivery queued behind it; without
    // credit flow it would hold the whole backlog (the publisher offers ~60,000 messages more than the queue takes).
    expect(master.process.queueLengthMax).toBeLessThanOrEqual(2 * INITIAL_CREDIT + 1);
    expect(master.process.queueLengthMax).toBeGreaterThan(INITIAL_CREDIT / 2);
    expect(marked(result, "rabbit.channel.flow")).toBeGreaterThan(0);
  });

  it("quorum queue: the channel stops at quorum_commands_soft_limit commands unanswered", () => {
    const result = runRabbitMq(
      rabbitSpec({
        cluster: { nodes: 3, cores: 4, queues: [{ name: "q", type: "quorum", durable: true }], config: { version: "4.x" } },
        publishers: [publisher({ mode: "none", ratePerSec: 200_000, messageBytes: 1_024, hosts: ["r1"] })],
        faultPhaseNs: SECOND,
        convergeNsMax: 30 * SECOND,
        checks: { checks: [] },
      }),
    );
    const leader = [...result.cluster.brokers.values()].map((b) => b.roles.quorum.get("q")!).find((m) => m.isLeader)!;
    // The leader's mailbox holds at most the commands in flight plus Raft's own traffic, never the whole backlog.
    expect(leader.process.queueLengthMax).toBeLessThan(QUORUM_COMMANDS_SOFT_LIMIT + 40);
    expect(marked(result, "rabbit.channel.flow")).toBeGreaterThan(0);
  });
});
