import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import { buildKafkaCluster, type KafkaCluster } from "./cluster.js";
import { PeerLink } from "./peer-link.js";
import { CONTROLLER_CLASS, DATA_CLASS, DATA_PORT, type KafkaMessage, type ProducePartResult } from "./protocol.js";

const TP = "t-0";

function cluster(config: Parameters<typeof buildKafkaCluster>[1]["config"] = {}): { kernel: Kernel; c: KafkaCluster } {
  const kernel = new Kernel({ seed: 3 });
  const c = buildKafkaCluster(kernel, {
    brokers: 3,
    topics: [{ name: "t", partitions: 1, replicationFactor: 3 }],
    clients: ["client"],
    network: { latency: { kind: "constant", value: 200_000 } },
    config: {
      "min.insync.replicas": 2,
      "broker.heartbeat.interval.ms": 500,
      "broker.session.timeout.ms": 3_000,
      "replica.lag.time.max.ms": 2_000,
      ...config,
    },
  });
  c.world.boot();
  return { kernel, c };
}

function state(c: KafkaCluster) {
  return c.controller.partitionStates()[0]!;
}

/** A bare client that sends one ProduceRequest to a broker and keeps the responses. */
/** A bare client that sends one single-partition ProduceRequest to a broker and keeps that partition's answers. */
function rawProduce(c: KafkaCluster, broker: string, acks: -1 | 0 | 1, idFirst: number, count: number, responses: ProducePartResult[]): void {
  const world = c.world;
  let sent = false;
  const link: PeerLink = new PeerLink(world, world.node("client"), world.node(broker), DATA_PORT, DATA_CLASS, 100_000_000, {
    onOpen: () => {
      // Send once: a reconnect must not resend (this bare client has no retries).
      if (sent) return;
      sent = true;
      link.send({
        kind: "produce",
        correlationId: idFirst,
        acks,
        timeoutMs: 5_000,
        parts: [{ topicPartition: TP, batch: { baseOffset: -1, count, leaderEpoch: -1, idFirst, bytes: count * 100, producerId: -1, baseSequence: -1 } }],
      });
    },
    onMessage: (message: KafkaMessage) => {
      if (message.kind === "produce-response") {
        responses.push(message.parts[0]!);
        link.close();
      }
    },
    onDown: () => undefined,
  });
  link.connect();
}

describe("kafka cluster: replication, election, ISR", () => {
  it("elects the preferred leader and replicates an acks=all write to every replica before acknowledging", () => {
    const { kernel, c } = cluster();
    kernel.scheduler.run({ untilNs: 2_000_000_000 });
    expect(state(c).leader).toBe("b1");
    expect(state(c).isr).toEqual(["b1", "b2", "b3"]);
    const responses: ProducePartResult[] = [];
    rawProduce(c, "b1", -1, 0, 10, responses);
    kernel.scheduler.run({ untilNs: 3_000_000_000 });
    expect(responses).toEqual([expect.objectContaining({ error: "NONE", baseOffset: 0 })]);
    for (const name of c.brokerNames) {
      const replica = c.brokers.get(name)!.replica(TP)!;
      expect(replica.log.logEndOffset, name).toBe(10);
    }
    expect(c.brokers.get("b1")!.replica(TP)!.highWatermark).toBe(10);
  });

  it("fails over to an in-sync follower after the leader's session times out; committed data survives", () => {
    const { kernel, c } = cluster();
    kernel.scheduler.run({ untilNs: 2_000_000_000 });
    const responses: ProducePartResult[] = [];
    rawProduce(c, "b1", -1, 0, 10, responses);
    kernel.scheduler.run({ untilNs: 3_000_000_000 });
    const epochBefore = state(c).leaderEpoch;
    c.world.processCrash("b1");
    kernel.scheduler.run({ untilNs: 10_000_000_000 });
    expect(state(c).leader).toBe("b2");
    expect(state(c).leaderEpoch).toBeGreaterThan(epochBefore);
    expect(state(c).isr).toEqual(["b2", "b3"]);
    expect(c.brokers.get("b2")!.replica(TP)!.log.logEndOffset).toBe(10);
    expect(kernel.marks.count("kafka.broker.fenced")).toBe(1);
    // The old leader comes back as a follower and rejoins the ISR once caught up.
    c.world.restart("b1");
    kernel.scheduler.run({ untilNs: 20_000_000_000 });
    expect(state(c).isr).toEqual(["b1", "b2", "b3"]);
    expect(kernel.marks.count("kafka.isr.expand")).toBeGreaterThan(0);
  });

  it("shrinks the ISR when a follower cannot fetch (data port cut, controller session kept) and refuses acks=all below min.insync.replicas", () => {
    const { kernel, c } = cluster({ "min.insync.replicas": 3 });
    kernel.scheduler.run({ untilNs: 2_000_000_000 });
    c.world.partition({ kind: "isolate", nodes: ["b3"], classes: [DATA_CLASS] });
    kernel.scheduler.run({ untilNs: 8_000_000_000 });
    expect(state(c).leader).toBe("b1");
    expect(state(c).isr).toEqual(["b1", "b2"]);
    expect(kernel.marks.count("kafka.isr.shrink")).toBe(1);
    expect(c.controller.isFenced("b3")).toBe(false);
    const responses: ProducePartResult[] = [];
    rawProduce(c, "b1", -1, 0, 5, responses);
    kernel.scheduler.run({ untilNs: 9_000_000_000 });
    expect(responses.map((response) => response.error)).toEqual(["NOT_ENOUGH_REPLICAS"]);
  });

  it("acks=all waits for the ISR; if the ISR shrinks below min.insync.replicas meanwhile, the high watermark stands still and the write times out (Kafka 3.7+)", () => {
    const { kernel, c } = cluster();
    kernel.scheduler.run({ untilNs: 2_000_000_000 });
    // Followers can no longer fetch; their controller sessions stay up.
    c.world.partition({ kind: "one-way", from: ["b2", "b3"], to: ["b1"], classes: [DATA_CLASS] });
    const responses: ProducePartResult[] = [];
    rawProduce(c, "b1", -1, 0, 5, responses);
    kernel.scheduler.run({ untilNs: 3_000_000_000 });
    expect(responses).toEqual([]);
    kernel.scheduler.run({ untilNs: 6_000_000_000 });
    expect(state(c).isr).toEqual(["b1"]);
    // Before KAFKA-15583 the high watermark moved with the leader alone and the answer was NOT_ENOUGH_REPLICAS_AFTER_APPEND.
    expect(c.brokers.get("b1")!.replica(TP)!.highWatermark).toBe(0);
    kernel.scheduler.run({ untilNs: 10_000_000_000 });
    expect(responses.map((response) => response.error)).toEqual(["REQUEST_TIMED_OUT"]);
  });

  it("a leader that restarts within its session timeout does not resume leadership with a shortened log", () => {
    const { kernel, c } = cluster();
    kernel.scheduler.run({ untilNs: 2_000_000_000 });
    const responses: ProducePartResult[] = [];
    rawProduce(c, "b1", -1, 0, 10, responses);
    kernel.scheduler.run({ untilNs: 3_000_000_000 });
    expect(responses.map((response) => response.error)).toEqual(["NONE"]);
    // Power loss: b1's unflushed log is gone; it is back long before its session would expire.
    c.world.powerLoss("b1");
    c.world.restart("b1");
    kernel.scheduler.run({ untilNs: 20_000_000_000 });
    expect(state(c).leader).not.toBe("b1");
    for (const name of c.brokerNames) expect(c.brokers.get(name)!.replica(TP)!.log.logEndOffset, name).toBe(10);
    expect(kernel.marks.count("kafka.broker.reregistered")).toBe(1);
  });

  it("a broker whose controller link broke briefly learns the leadership it was given meanwhile", () => {
    const { kernel, c } = cluster({ "broker.session.timeout.ms": 5_000 });
    kernel.scheduler.run({ untilNs: 1_000_000_000 });
    c.world.processCrash("b1"); // fenced, and b2 elected, at about 6 s
    kernel.scheduler.run({ untilNs: 4_000_000_000 });
    // b2's control link breaks at 4 s; b2 notices at 7 s and reconnects, within its 5 s session.
    c.world.partition({ kind: "total", groups: [["b2"], ["controller"]], classes: [CONTROLLER_CLASS] }, "ctl");
    kernel.scheduler.run({ untilNs: 6_500_000_000 });
    c.world.heal("ctl");
    kernel.scheduler.run({ untilNs: 20_000_000_000 });
    expect(c.controller.isFenced("b2")).toBe(false);
    expect(state(c).leader).toBe("b2");
    expect(c.brokers.get("b2")!.replica(TP)!.isLeader).toBe(true);
  });

  it("acks=1 is acknowledged by the leader alone", () => {
    const { kernel, c } = cluster();
    kernel.scheduler.run({ untilNs: 2_000_000_000 });
    c.world.partition({ kind: "isolate", nodes: ["b1"], classes: [DATA_CLASS] });
    c.world.heal();
    c.world.partition({ kind: "one-way", from: ["b2", "b3"], to: ["b1"], classes: [DATA_CLASS] });
    const responses: ProducePartResult[] = [];
    rawProduce(c, "b1", 1, 0, 5, responses);
    kernel.scheduler.run({ untilNs: 2_500_000_000 });
    expect(responses.map((response) => response.error)).toEqual(["NONE"]);
    expect(c.brokers.get("b1")!.replica(TP)!.highWatermark).toBe(0);
  });

  it("answers a refused acks=1 write with its error, and closes the connection on a refused acks=0 write (nothing else would tell the producer)", () => {
    const { kernel, c } = cluster();
    kernel.scheduler.run({ untilNs: 2_000_000_000 });
    const answers: ProducePartResult[] = [];
    rawProduce(c, "b2", 1, 0, 10, answers);
    kernel.scheduler.run({ untilNs: 2_100_000_000 });
    expect(answers.map((response) => response.error)).toEqual(["NOT_LEADER_OR_FOLLOWER"]);
    let isDown = false;
    const link: PeerLink = new PeerLink(c.world, c.world.node("client"), c.world.node("b2"), DATA_PORT, DATA_CLASS, 100_000_000, {
      onOpen: () => void link.send({ kind: "produce", correlationId: 1, acks: 0, timeoutMs: 5_000, parts: [{ topicPartition: TP, batch: { baseOffset: -1, count: 10, leaderEpoch: -1, idFirst: 10, bytes: 1_000, producerId: -1, baseSequence: -1 } }] }),
      onMessage: (message: KafkaMessage) => expect.fail(`an acks=0 request was answered: ${message.kind}`),
      onDown: () => {
        isDown = true;
        link.close();
      },
    });
    link.connect();
    kernel.scheduler.run({ untilNs: 2_200_000_000 });
    expect(isDown).toBe(true);
  });
});
