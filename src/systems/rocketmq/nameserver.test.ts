/**
 * Two NameServers, broker-a (master and slave) and broker-b (master), each
 * with 4 queues of topic "t", and a client polling the route every 30 s.
 * Brokers register at 0 s, 10 s, then every 30 s (40 s, 70 s, …); the client
 * polls at 10 ms, 30.01 s, 60.01 s, …
 *
 * The point (claim C11): how fast a dead broker leaves the route depends on
 * whether anything closes its connection. A process crash makes its OS
 * reset the connection, and the NameServers drop it at once; a power loss,
 * a partition or a pause closes nothing, and they drop it 120 s after its
 * last registration. Either way the client keeps its stale route until its
 * next poll.
 */
import { describe, expect, it } from "vitest";
import { NAMESRV_TRAFFIC } from "./namesrv-protocol.js";
import { LATENCY_NS, membersOf, MS, namesrvWorld, SEC, type BrokerSpec } from "./namesrv-world.test-support.js";
import { findBrokerAddressInSubscribe, publishQueues, subscribeQueues } from "./route.js";

const BROKERS: BrokerSpec[] = [
  { node: "a-master", brokerName: "broker-a", brokerId: 0 },
  { node: "a-slave", brokerName: "broker-a", brokerId: 1 },
  { node: "b-master", brokerName: "broker-b", brokerId: 0 },
];
const FULL_MEMBERS = ["broker-a:0=a-master,1=a-slave", "broker-b:0=b-master"];
const WITHOUT_A_MASTER = ["broker-a:1=a-slave", "broker-b:0=b-master"];
/** The registration round before the faults below (45 s). */
const LAST_ROUND_NS = 40 * SEC;
const FAULT_NS = 45 * SEC;
const EXPIRY_NS = 120 * SEC;

function cluster(brokers: BrokerSpec[] = BROKERS) {
  return namesrvWorld({ nameServers: ["ns1", "ns2"], brokers });
}

describe("registration and routes", () => {
  it("gives the client a route with both broker groups, and the slave its master", () => {
    const { nameServers, brokers, client, runTo } = cluster();
    runTo(1 * SEC);
    for (const server of nameServers.values()) {
      expect(server.liveBrokers()).toEqual(["a-master", "a-slave", "b-master"]);
      expect(membersOf(server.routeOf("t"))).toEqual(FULL_MEMBERS);
    }
    expect(membersOf(client.routeOf("t"))).toEqual(FULL_MEMBERS);
    // Asked at 10 ms: a handshake, then the query and its answer, each a network latency.
    expect(client.routes).toHaveLength(1);
    expect(client.routes[0]!.atNs).toBeGreaterThanOrEqual(10 * MS + 4 * LATENCY_NS);
    expect(client.routes[0]!.atNs).toBeLessThan(11 * MS);
    const route = client.routeOf("t")!;
    expect(route.queueDatas.map((q) => [q.brokerName, q.readQueueNums, q.writeQueueNums])).toEqual([["broker-a", 4, 4], ["broker-b", 4, 4]]);
    expect(publishQueues(route, "t")).toHaveLength(8);
    runTo(15 * SEC);
    // The 10 s round: the master was registered, so both NameServers name it.
    const slaveResult = brokers.get("a-slave")!.results.at(-1)!;
    expect(slaveResult.result).toEqual({ masterAddr: "a-master", haServerAddr: "a-master:ha" });
    expect(slaveResult.atNs).toBeGreaterThanOrEqual(10 * SEC + 2 * LATENCY_NS);
    expect(slaveResult.atNs).toBeLessThan(10 * SEC + 1 * MS);
    expect(brokers.get("a-master")!.results.at(-1)!.result).toEqual({ masterAddr: null, haServerAddr: null });
  });
});

describe("a dead master leaves the route", () => {
  it("after a power loss, only 120 s after its last registration (the idle close), and the client later still", () => {
    const { nameServers, brokers, client, runTo, world, kernel } = cluster();
    runTo(FAULT_NS);
    const ns1 = nameServers.get("ns1")!;
    const lastNs = ns1.lastUpdateNsOf("a-master")!;
    expect(lastNs).toBeGreaterThanOrEqual(LAST_ROUND_NS + LATENCY_NS);
    expect(lastNs).toBeLessThan(LAST_ROUND_NS + 1 * MS);
    world.powerLoss("a-master");
    runTo(lastNs + EXPIRY_NS - 1 * MS);
    expect(ns1.liveBrokers()).toContain("a-master");
    expect(membersOf(ns1.routeOf("t"))).toEqual(FULL_MEMBERS);
    runTo(lastNs + EXPIRY_NS + 1 * MS);
    for (const server of nameServers.values()) expect(membersOf(server.routeOf("t"))).toEqual(WITHOUT_A_MASTER);
    // The idle close (at exactly 120 s) beats the scan (the first tick past 120 s, 165 s here).
    expect(kernel.marks.count("rocketmq.namesrv.broker-removed-on-idle")).toBe(2);
    expect(kernel.marks.count("rocketmq.namesrv.broker-expired")).toBe(0);
    expect(kernel.marks.count("rocketmq.namesrv.broker-removed-on-close")).toBe(0);
    // 115 s after the fault the NameServers know; the client polls at 180.01 s.
    runTo(180 * SEC);
    expect(membersOf(client.routeOf("t"))).toEqual(FULL_MEMBERS);
    runTo(181 * SEC);
    expect(membersOf(client.routeOf("t"))).toEqual(WITHOUT_A_MASTER);
    expect(client.routes.at(-1)!.atNs).toBeGreaterThanOrEqual(180 * SEC + 10 * MS);
    expect(client.routes.at(-1)!.atNs).toBeLessThan(180 * SEC + 11 * MS);
    expectReadsFromSlave(client.routeOf("t")!);
    runTo(200 * SEC);
    // The slave's 190 s registration: no live master to name any more.
    expect(brokers.get("a-slave")!.results.at(-1)!.result).toEqual({ masterAddr: null, haServerAddr: null });
  });

  it("after a process crash, at once (its OS resets the connection), and the client at its next poll", () => {
    const { nameServers, client, runTo, world, kernel } = cluster();
    runTo(FAULT_NS);
    world.processCrash("a-master");
    runTo(FAULT_NS + LATENCY_NS - 1);
    expect(nameServers.get("ns1")!.liveBrokers()).toContain("a-master");
    runTo(FAULT_NS + LATENCY_NS);
    for (const server of nameServers.values()) expect(membersOf(server.routeOf("t"))).toEqual(WITHOUT_A_MASTER);
    expect(kernel.marks.count("rocketmq.namesrv.broker-removed-on-close")).toBe(2);
    runTo(60 * SEC);
    expect(membersOf(client.routeOf("t"))).toEqual(FULL_MEMBERS);
    runTo(61 * SEC);
    expect(membersOf(client.routeOf("t"))).toEqual(WITHOUT_A_MASTER);
    expectReadsFromSlave(client.routeOf("t")!);
  });

  it("after an orderly stop, at once: the broker unregisters before it exits", () => {
    const { nameServers, runTo, world, kernel } = cluster();
    runTo(FAULT_NS);
    world.shutdown("a-master");
    runTo(FAULT_NS + 2 * LATENCY_NS);
    expect(membersOf(nameServers.get("ns2")!.routeOf("t"))).toEqual(WITHOUT_A_MASTER);
    runTo(FAULT_NS + 1 * SEC);
    expect(kernel.marks.count("rocketmq.namesrv.broker-unregistered")).toBe(2);
    // The process's exit then resets connections whose broker is already gone.
    expect(kernel.marks.count("rocketmq.namesrv.broker-removed-on-close")).toBe(0);
  });

  it("across a partition, only 120 s after its last registration, though its own requests time out and close its side", () => {
    const { nameServers, runTo, world, kernel } = cluster();
    runTo(FAULT_NS);
    world.partition({ kind: "total", groups: [["a-master"], ["ns1", "ns2"]], classes: [NAMESRV_TRAFFIC] }, "cut");
    runTo(100 * SEC);
    // The 70 s registration timed out at 94 s and the broker closed its end; the reset was lost.
    expect(kernel.marks.count("rocketmq.broker.namesrv-request-timeout")).toBe(2);
    expect(nameServers.get("ns1")!.liveBrokers()).toContain("a-master");
    runTo(LAST_ROUND_NS + EXPIRY_NS - 1 * MS);
    expect(nameServers.get("ns1")!.liveBrokers()).toContain("a-master");
    runTo(LAST_ROUND_NS + EXPIRY_NS + 2 * MS);
    expect(nameServers.get("ns1")!.liveBrokers()).not.toContain("a-master");
    expect(kernel.marks.count("rocketmq.namesrv.broker-removed-on-idle")).toBe(2);
    world.heal("cut");
    runTo(190 * SEC);
    expect(nameServers.get("ns1")!.liveBrokers()).not.toContain("a-master");
    // Registered again at the 190 s round, over a new connection (a handshake, then the request).
    runTo(190 * SEC + 1 * MS);
    for (const server of nameServers.values()) expect(membersOf(server.routeOf("t"))).toEqual(FULL_MEMBERS);
  });

  it("by the scan when the broker registered a short heartbeat timeout", () => {
    const brokers = BROKERS.map((spec) => (spec.node === "b-master" ? { ...spec, heartbeatTimeoutMillis: 35_000 } : spec));
    const { nameServers, runTo, world, kernel } = cluster(brokers);
    runTo(FAULT_NS);
    world.powerLoss("b-master");
    // Last registration at 40.0001 s: the 75 s scan finds 40.0001 + 35 not before 75; the 80 s one does.
    runTo(80 * SEC - 1);
    expect(nameServers.get("ns1")!.liveBrokers()).toContain("b-master");
    runTo(80 * SEC);
    expect(membersOf(nameServers.get("ns1")!.routeOf("t"))).toEqual(["broker-a:0=a-master,1=a-slave"]);
    expect(kernel.marks.count("rocketmq.namesrv.broker-expired")).toBe(2);
    expect(kernel.marks.count("rocketmq.namesrv.broker-name-removed")).toBe(2);
  });
});

describe("the client's view", () => {
  it("keeps its route when a restarted NameServer answers TOPIC_NOT_EXIST, until the brokers register again", () => {
    const { nameServers, client, runTo, world, kernel } = namesrvWorld({ nameServers: ["ns1"], brokers: BROKERS });
    runTo(25 * SEC);
    world.processCrash("ns1");
    runTo(26 * SEC);
    world.restart("ns1");
    runTo(35 * SEC);
    // The 30.01 s poll reached a NameServer with empty tables.
    expect(nameServers.get("ns1")!.routeOf("t")).toBeNull();
    expect(kernel.marks.count("rocketmq.namesrv.topic-not-exist")).toBe(1);
    expect(kernel.marks.count("rocketmq.client.route-kept-on-topic-not-exist")).toBe(1);
    expect(membersOf(client.routeOf("t"))).toEqual(FULL_MEMBERS);
    runTo(61 * SEC);
    // The 40 s round rebuilt the tables; the 60.01 s poll brought the same route, which is not handed on again.
    expect(membersOf(nameServers.get("ns1")!.routeOf("t"))).toEqual(FULL_MEMBERS);
    expect(client.routes).toHaveLength(1);
  });

  it("asks for a topic added later at once, and keeps asking for it while it does not exist", () => {
    const { client, runTo, kernel } = cluster();
    runTo(1 * SEC);
    client.poller!.addTopic("u");
    runTo(2 * SEC);
    expect(kernel.marks.count("rocketmq.client.route-topic-not-exist")).toBe(1);
    expect(client.routeOf("u")).toBeUndefined();
    runTo(31 * SEC);
    // The 30.01 s round asks for "t" and "u" in turn.
    expect(kernel.marks.count("rocketmq.client.route-topic-not-exist")).toBe(2);
    expect(kernel.marks.count("rocketmq.namesrv.topic-not-exist")).toBe(2);
    expect(client.routes.map((event) => event.topic)).toEqual(["t"]);
  });

  it("starts afresh in a restarted client process: no route until its first poll", () => {
    const { client, runTo, world } = cluster();
    runTo(5 * SEC);
    world.processCrash("client");
    runTo(6 * SEC);
    world.restart("client");
    expect(client.routeOf("t")).toBeUndefined();
    runTo(7 * SEC);
    expect(client.routes.map((event) => membersOf(event.route))).toEqual([FULL_MEMBERS, FULL_MEMBERS]);
    expect(client.routes[1]!.atNs).toBeGreaterThan(6 * SEC);
  });

  it("turns to the other NameServer after a query times out, at the next poll", () => {
    const { client, runTo, world, kernel } = cluster();
    runTo(1 * SEC);
    const first = client.poller!.nameServer!;
    const other = first === "ns1" ? "ns2" : "ns1";
    world.pause(first);
    world.processCrash("b-master");
    runTo(34 * SEC);
    // The 30.01 s query went unanswered for 3 s: the connection is dropped and the round ends.
    expect(kernel.marks.count("rocketmq.client.namesrv-request-timeout")).toBe(1);
    expect(kernel.marks.count("rocketmq.client.route-round-failed")).toBe(1);
    expect(membersOf(client.routeOf("t"))).toEqual(FULL_MEMBERS);
    runTo(61 * SEC);
    expect(client.poller!.nameServer).toBe(other);
    expect(membersOf(client.routeOf("t"))).toEqual(["broker-a:0=a-master,1=a-slave"]);
  });
});

/** broker-a without its master: no writes, its queues still read, from the slave. */
function expectReadsFromSlave(route: Parameters<typeof publishQueues>[0]): void {
  expect(publishQueues(route, "t").map((q) => `${q.brokerName}/${q.queueId}`)).toEqual(["broker-b/0", "broker-b/1", "broker-b/2", "broker-b/3"]);
  const reads = subscribeQueues(route, "t").filter((q) => q.brokerName === "broker-a");
  expect(reads.map((q) => q.queueId)).toEqual([0, 1, 2, 3]);
  expect(findBrokerAddressInSubscribe(route, "broker-a", 0, false)).toEqual({ brokerAddr: "a-slave", isSlave: true });
}
