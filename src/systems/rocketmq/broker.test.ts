import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import type { Endpoint } from "../../world/connection.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { brokerBytesOf, BROKER_PORT, CLIENT_TRAFFIC, type BrokerMessage, type PullMessageRequest, type SendMessageRequest } from "./broker-protocol.js";
import { buildRocketCluster } from "./cluster.js";
import type { RocketBrokerConfig } from "./config.js";

const MS = 1_000_000;
const BOOT_NS = 1_000 * MS;

/** A bare client: one connection per broker node, requests sent as the test says, every answer kept with its time. */
class RawClient implements NodeSoftware {
  private node: WorldNode | null = null;
  private readonly endpoints = new Map<string, Endpoint>();
  readonly answers: { atNs: number; from: string; message: BrokerMessage }[] = [];
  private requestId = 1;

  constructor(private readonly world: World) {}

  start(node: WorldNode): void {
    this.node = node;
  }

  send(to: string, message: Omit<SendMessageRequest, "kind" | "requestId" | "producerGroup" | "bornNs" | "attempt">): void {
    this.request(to, { kind: "SEND_MESSAGE", requestId: this.requestId++, producerGroup: "pg", bornNs: this.world.kernel.now, attempt: 0, ...message });
  }

  pull(to: string, message: Omit<PullMessageRequest, "kind" | "requestId" | "consumerGroup" | "maxMsgNums" | "commitOffset">): void {
    this.request(to, { kind: "PULL_MESSAGE", requestId: this.requestId++, consumerGroup: "cg", maxMsgNums: 32, commitOffset: -1, ...message });
  }

  raw(to: string, message: BrokerMessage): void {
    this.request(to, message);
  }

  private request(to: string, message: BrokerMessage): void {
    let endpoint = this.endpoints.get(to);
    if (endpoint === undefined || !endpoint.isOpen) {
      endpoint = this.world.net.connect(this.node!, this.world.node(to), BROKER_PORT, CLIENT_TRAFFIC, {
        onOpen: (opened) => opened.send(message, brokerBytesOf(message)),
        onData: (_, payload) => this.answers.push({ atNs: this.world.kernel.now, from: to, message: payload as BrokerMessage }),
        onClose: () => this.endpoints.delete(to),
      });
      this.endpoints.set(to, endpoint);
      return;
    }
    endpoint.send(message, brokerBytesOf(message));
  }
}

function cluster(broker: Partial<RocketBrokerConfig>) {
  const kernel = new Kernel({ seed: 11 });
  const built = buildRocketCluster(kernel, { nameServers: 1, brokerGroups: 1, slavesPerGroup: 1, broker, topics: [{ name: "t", queueNums: 4 }], clients: ["c1"], disk: "nvme" });
  const client = new RawClient(built.world);
  built.world.install("c1", client);
  built.world.boot();
  // Times in the tests count from BOOT_NS, when the slaves have started too (a slave's first boot follows its master's by 1 s).
  const runTo = (timeNs: number): void => void kernel.scheduler.run({ untilNs: BOOT_NS + timeNs });
  return { ...built, client, runTo };
}

const kinds = (client: RawClient): string[] => client.answers.map((a) => `${a.message.kind}:${"code" in a.message ? a.message.code : ""}`);

describe("a RocketMQ broker serving clients", () => {
  it("stores a send on the master, serves it to a pull, and its slave gets a copy", () => {
    const { client, brokers, runTo } = cluster({ brokerRole: "ASYNC_MASTER" });
    runTo(100 * MS);
    client.send("a0", { topic: "t", queueId: 2, idFirst: 7, count: 3, bodyBytes: 100 });
    runTo(110 * MS);
    client.pull("a0", { topic: "t", queueId: 2, queueOffset: 0, suspendTimeoutMillis: 0 });
    runTo(400 * MS);
    expect(kinds(client)).toEqual(["SEND_MESSAGE_RESPONSE:SUCCESS", "PULL_MESSAGE_RESPONSE:FOUND"]);
    const pulled = client.answers[1]!.message;
    expect(pulled.kind === "PULL_MESSAGE_RESPONSE" && pulled.ranges.map((r) => [r.queueOffset, r.idFirst, r.count])).toEqual([[0, 7, 3]]);
    expect(brokers.get("a1")!.store!.maxOffsetInQueue("t", 2)).toBe(3);
  });

  it("refuses sends on a slave", () => {
    const { client, runTo } = cluster({ brokerRole: "ASYNC_MASTER" });
    runTo(100 * MS);
    client.send("a1", { topic: "t", queueId: 0, idFirst: 1, count: 1, bodyBytes: 100 });
    runTo(200 * MS);
    expect(kinds(client)).toEqual(["SEND_MESSAGE_RESPONSE:SERVICE_NOT_AVAILABLE"]);
  });

  it("holds a pull that finds nothing (long polling) and answers it when a message arrives", () => {
    const { client, runTo } = cluster({ brokerRole: "ASYNC_MASTER" });
    runTo(100 * MS);
    client.send("a0", { topic: "t", queueId: 0, idFirst: 1, count: 1, bodyBytes: 100 });
    runTo(150 * MS);
    client.pull("a0", { topic: "t", queueId: 0, queueOffset: 1, suspendTimeoutMillis: 15_000 });
    runTo(1_000 * MS);
    expect(kinds(client)).toEqual(["SEND_MESSAGE_RESPONSE:SUCCESS"]);
    client.send("a0", { topic: "t", queueId: 0, idFirst: 2, count: 1, bodyBytes: 100 });
    runTo(1_010 * MS);
    expect(kinds(client)).toEqual(["SEND_MESSAGE_RESPONSE:SUCCESS", "SEND_MESSAGE_RESPONSE:SUCCESS", "PULL_MESSAGE_RESPONSE:FOUND"]);
  });

  it("answers a held pull 'no new message' at the first 5 s check after its suspend time", () => {
    const { client, runTo } = cluster({ brokerRole: "ASYNC_MASTER" });
    runTo(100 * MS);
    // Held at 1.1 s until 3.1 s; the master's hold service looks at 5 s, 10 s, … of its life.
    client.pull("a0", { topic: "t", queueId: 0, queueOffset: 0, suspendTimeoutMillis: 2_000 });
    runTo(3_999 * MS);
    expect(kinds(client)).toEqual([]);
    runTo(4_001 * MS);
    expect(kinds(client)).toEqual(["PULL_MESSAGE_RESPONSE:NO_NEW_MSG"]);
  });

  it("serves reads from a 4.9 slave while its master is down, and a 5.3 slave refuses them unless slaveReadEnable", () => {
    for (const [config, expected] of [
      [{ version: "4.9" }, "PULL_MESSAGE_RESPONSE:FOUND"],
      [{ version: "5.3" }, "PULL_MESSAGE_RESPONSE:SYSTEM_BUSY"],
      [{ version: "5.3", slaveReadEnable: true }, "PULL_MESSAGE_RESPONSE:FOUND"],
    ] as const) {
      const { client, world, runTo } = cluster({ brokerRole: "ASYNC_MASTER", ...config });
      runTo(100 * MS);
      client.send("a0", { topic: "t", queueId: 1, idFirst: 1, count: 1, bodyBytes: 100 });
      runTo(500 * MS);
      world.powerLoss("a0");
      client.pull("a1", { topic: "t", queueId: 1, queueOffset: 0, suspendTimeoutMillis: 0 });
      runTo(600 * MS);
      expect(kinds(client)).toEqual(["SEND_MESSAGE_RESPONSE:SUCCESS", expected]);
    }
  });

  it("send threads do not wait for a SYNC_MASTER put's slave (asyncPutMessage since 4.7, 4.9.4 and 5.3 alike): concurrent puts overlap their round trips", () => {
    for (const version of ["4.9", "5.3"] as const) {
      const { client, brokers, runTo } = cluster({ brokerRole: "SYNC_MASTER", version, inSyncReplicas: 2 });
      runTo(100 * MS);
      for (let id = 1; id <= 50; id++) client.send("a0", { topic: "t", queueId: id % 4, idFirst: id, count: 1, bodyBytes: 100 });
      runTo(300 * MS);
      expect(kinds(client)).toEqual(Array(50).fill("SEND_MESSAGE_RESPONSE:SUCCESS"));
      const last = Math.max(...client.answers.map((a) => a.atNs));
      const first = Math.min(...client.answers.map((a) => a.atNs));
      // 50 puts waiting one after another for the slave would take 50 round trips; together they are answered within a few.
      expect(last - first, version).toBeLessThan(3 * MS);
      expect(brokers.get("a1")!.store!.commitLog.records).toHaveLength(50);
    }
  });

  it("a slave copies its master's consumer offsets every 10 s (SlaveSynchronize), so a consumer that moves to it continues near where it was", () => {
    const { client, brokers, runTo } = cluster({ brokerRole: "ASYNC_MASTER" });
    runTo(100 * MS);
    client.raw("a0", { kind: "UPDATE_CONSUMER_OFFSET", consumerGroup: "cg", topic: "t", queueId: 3, commitOffset: 42 });
    runTo(200 * MS);
    expect(brokers.get("a0")!.offsets!.query("cg", "t", 3)).toBe(42);
    expect(brokers.get("a1")!.offsets!.query("cg", "t", 3)).toBe(-1);
    // The slave's first sync is 3 s after its start (at 1 s of the run), then every 10 s.
    runTo(3_100 * MS);
    expect(brokers.get("a1")!.offsets!.query("cg", "t", 3)).toBe(42);
  });
});
