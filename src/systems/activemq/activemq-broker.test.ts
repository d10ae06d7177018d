import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import type { Endpoint } from "../../world/connection.js";
import type { WorldNode } from "../../world/node.js";
import { SharedStoreServer } from "../../world/shared-store-server.js";
import { World } from "../../world/world.js";
import { ActiveMqBroker } from "./activemq-broker.js";
import type { BrokerStoreSpec } from "./broker-mastership.js";
import { KAHADB_JOURNAL_DEFAULTS } from "./kahadb-journal.js";
import { OPENWIRE_PORT, OPENWIRE_TRAFFIC, openWireBytesOf, type OpenWireCommand } from "./openwire.js";
import { SHARED_FILE_LOCKER_DEFAULTS } from "./shared-file-locker.js";

const MS = 1_000_000;
const S = 1_000 * MS;

/** A client machine speaking raw OpenWire to one broker: what it received, when. */
class RawClient {
  endpoint: Endpoint | null = null;
  readonly received: { atNs: number; command: OpenWireCommand }[] = [];
  /** Commands given before the connection opened, sent on open. */
  private unsent: OpenWireCommand[] = [];
  private node: WorldNode | null = null;
  constructor(private readonly world: World) {}
  start(node: WorldNode): void {
    this.node = node;
  }
  connect(broker: string): void {
    this.endpoint = this.world.net.connect(this.node!, this.world.node(broker), OPENWIRE_PORT, OPENWIRE_TRAFFIC, {
      onOpen: (endpoint) => {
        for (const command of this.unsent.splice(0)) endpoint.send(command, openWireBytesOf(command));
      },
      onData: (_, payload) => this.received.push({ atNs: this.node!.now, command: payload as OpenWireCommand }),
      onClose: () => undefined,
    });
  }
  send(command: OpenWireCommand): void {
    if (this.endpoint!.isOpen) this.endpoint!.send(command, openWireBytesOf(command));
    else this.unsent.push(command);
  }
  message(sequence: number, commandId = sequence): void {
    this.send({ kind: "MESSAGE", commandId, destination: "orders", producerId: "p1", sequence, id: sequence + 1, bodyBytes: 1024, persistent: true, responseRequired: true });
  }
  kinds(): string[] {
    return this.received.map(({ command }) => (command.kind === "DISPATCH" ? `DISPATCH ${command.id}` : command.kind === "RESPONSE" ? `RESPONSE ${command.correlationId}${command.error}` : command.kind));
  }
}

function setup(store: BrokerStoreSpec, brokers = ["b1"]) {
  const kernel = new Kernel({ seed: 4 });
  const world = new World({ kernel, nodes: [{ name: "nfs" }, ...brokers.map((name) => ({ name })), { name: "c1" }], disk: "hdd" });
  world.install("nfs", new SharedStoreServer(world, { lockRecovery: store.kind === "shared" ? store.lockRecovery : "nlm" }));
  const instances = brokers.map((name) => {
    const broker = new ActiveMqBroker(world, { store, kahaDb: KAHADB_JOURNAL_DEFAULTS, locker: SHARED_FILE_LOCKER_DEFAULTS, queues: ["orders"] });
    world.install(name, broker);
    return broker;
  });
  const client = new RawClient(world);
  world.install("c1", client);
  world.boot();
  const runTo = (ns: number): void => void kernel.scheduler.run({ untilNs: ns });
  return { world, brokers: instances, client, runTo };
}

describe("an ActiveMQ broker", () => {
  it("answers a persistent sync send once its journal batch is fsynced, dispatches it to a consumer at once, and an ack removes it", () => {
    const { brokers, client, runTo } = setup({ kind: "local" });
    runTo(100 * MS);
    client.connect("b1");
    client.send({ kind: "CONSUMER_INFO", commandId: 100, consumerId: "c1-1", destination: "orders", prefetch: 10 });
    runTo(200 * MS);
    client.message(0);
    runTo(400 * MS);
    expect(client.kinds()).toEqual(["RESPONSE 100", "DISPATCH 1", "RESPONSE 0"]);
    const [dispatched, answered] = [client.received[1]!.atNs, client.received[2]!.atNs];
    // Dispatched before the store: the hdd's fsync takes milliseconds.
    expect(answered - dispatched).toBeGreaterThan(1 * MS);
    client.send({ kind: "ACK", consumerId: "c1-1", destination: "orders", messageIds: ["p1:0"] });
    runTo(500 * MS);
    expect(brokers[0]!.store!.messages("orders")).toEqual([]);
  });

  it("drops a resent message it already stored and answers it as stored (the producer audit, rebuilt after a restart)", () => {
    const { world, brokers, client, runTo } = setup({ kind: "local" });
    runTo(100 * MS);
    client.connect("b1");
    client.message(0);
    runTo(300 * MS);
    world.processCrash("b1");
    world.restart("b1");
    runTo(1 * S);
    client.connect("b1");
    client.message(0, 7);
    runTo(1_200 * MS);
    expect(client.kinds()).toEqual(["RESPONSE 0", "RESPONSE 7"]);
    expect(brokers[0]!.store!.messages("orders").map((message) => message.id)).toEqual([1]);
  });

  it("on a shared store one broker is master; when its process dies the slave takes the lock, recovers the store and serves it", () => {
    const { world, brokers, client, runTo } = setup({ kind: "shared", server: "nfs", lockRecovery: "nlm" }, ["b1", "b2"]);
    runTo(2 * S);
    const masterIndex = brokers.findIndex((broker) => broker.isMaster);
    expect(brokers.filter((broker) => broker.isMaster)).toHaveLength(1);
    const master = masterIndex === 0 ? "b1" : "b2";
    const slave = masterIndex === 0 ? "b2" : "b1";
    client.connect(master);
    client.message(0);
    runTo(3 * S);
    expect(client.kinds()).toEqual(["RESPONSE 0"]);
    world.processCrash(master);
    runTo(20 * S);
    expect(brokers[1 - masterIndex]!.isMaster).toBe(true);
    expect(brokers[1 - masterIndex]!.queue("orders")!.size).toBe(1);
    client.connect(slave);
    client.send({ kind: "CONSUMER_INFO", commandId: 100, consumerId: "c1-2", destination: "orders", prefetch: 10 });
    runTo(21 * S);
    expect(client.kinds()).toEqual(["RESPONSE 0", "RESPONSE 100", "DISPATCH 1"]);
  });
});
