/**
 * RouteInfoManager's tables without a network: what a registration writes,
 * what each way of leaving removes, and which connection's close counts.
 */
import { describe, expect, it } from "vitest";
import { registrationOf, type BrokerSpec } from "./namesrv-world.test-support.js";
import { RouteInfoManager } from "./route-info-manager.js";
import { PERM_READ, PERM_READ_WRITE } from "./route.js";

const SEC = 1_000_000_000;
const EXPIRY_NS = 120 * SEC;
const A_MASTER: BrokerSpec = { node: "a-master", brokerName: "broker-a", brokerId: 0 };
const A_SLAVE: BrokerSpec = { node: "a-slave", brokerName: "broker-a", brokerId: 1 };
const B_MASTER: BrokerSpec = { node: "b-master", brokerName: "broker-b", brokerId: 0, queues: 2 };

/** Connections are opaque to the tables: strings stand for them here. */
function tables() {
  return new RouteInfoManager<string>();
}

describe("registerBroker", () => {
  it("names a slave's master and its HA address, and nothing for a master", () => {
    const manager = tables();
    expect(manager.registerBroker(registrationOf(A_SLAVE), "c-slave", 0, EXPIRY_NS).result).toEqual({ masterAddr: null, haServerAddr: null });
    expect(manager.registerBroker(registrationOf(A_MASTER), "c-master", 0, EXPIRY_NS).result).toEqual({ masterAddr: null, haServerAddr: null });
    const again = manager.registerBroker(registrationOf(A_SLAVE), "c-slave", 1, EXPIRY_NS);
    expect(again.result).toEqual({ masterAddr: "a-master", haServerAddr: "a-master:ha" });
    expect(again.isFirst).toBe(false);
  });

  it("takes queue data from the master, not from a slave beside it", () => {
    const manager = tables();
    manager.registerBroker(registrationOf(A_MASTER), "c1", 0, EXPIRY_NS);
    const slave = manager.registerBroker({ ...registrationOf(A_SLAVE), topics: [{ name: "t", readQueueNums: 9, writeQueueNums: 9, perm: PERM_READ }] }, "c2", 0, EXPIRY_NS);
    expect(slave.hasWrittenQueues).toBe(false);
    expect(manager.pickupTopicRouteData("t")!.queueDatas).toEqual([{ brokerName: "broker-a", readQueueNums: 4, writeQueueNums: 4, perm: PERM_READ_WRITE }]);
  });

  it("takes queue data from a 5.x slave alone in its group (prime slave), never from a 4.x one", () => {
    const five = tables();
    expect(five.registerBroker(registrationOf(A_SLAVE), "c", 0, EXPIRY_NS).hasWrittenQueues).toBe(true);
    expect(five.pickupTopicRouteData("t")).toEqual({
      queueDatas: [{ brokerName: "broker-a", readQueueNums: 4, writeQueueNums: 4, perm: PERM_READ_WRITE }],
      brokerDatas: [{ cluster: "DefaultCluster", brokerName: "broker-a", brokerAddrs: [[1, "a-slave"]] }],
    });
    const four = tables();
    expect(four.registerBroker(registrationOf({ ...A_SLAVE, isOldVersion: true }), "c", 0, EXPIRY_NS).hasWrittenQueues).toBe(false);
    expect(four.pickupTopicRouteData("t")).toBeNull();
  });

  it("moves an address that registers under a new id (a slave become master)", () => {
    const manager = tables();
    manager.registerBroker(registrationOf(A_SLAVE), "c1", 0, EXPIRY_NS);
    manager.registerBroker(registrationOf({ ...A_SLAVE, brokerId: 0 }), "c1", 1, EXPIRY_NS);
    expect(manager.pickupTopicRouteData("t")!.brokerDatas[0]!.brokerAddrs).toEqual([[0, "a-slave"]]);
  });
});

describe("leaving the tables", () => {
  it("keeps a group's queue data while a member is left, and drops group and topic with the last", () => {
    const manager = tables();
    manager.registerBroker(registrationOf(A_MASTER), "c1", 0, EXPIRY_NS);
    manager.registerBroker(registrationOf(A_SLAVE), "c2", 0, EXPIRY_NS);
    manager.registerBroker(registrationOf(B_MASTER), "c3", 0, EXPIRY_NS);
    expect(manager.onChannelDestroy("a-master")).toMatchObject({ brokerName: "broker-a", brokerId: 0, isBrokerNameRemoved: false, topicsRemoved: [] });
    expect(manager.pickupTopicRouteData("t")!.queueDatas.map((q) => q.brokerName)).toEqual(["broker-a", "broker-b"]);
    expect(manager.onChannelDestroy("b-master")).toMatchObject({ isBrokerNameRemoved: true, topicsRemoved: [] });
    expect(manager.onChannelDestroy("a-slave")).toMatchObject({ isBrokerNameRemoved: true, topicsRemoved: ["t"] });
    expect(manager.pickupTopicRouteData("t")).toBeNull();
    expect(manager.liveBrokers()).toEqual([]);
  });

  it("counts only the close of the connection the broker last registered over", () => {
    const manager = tables();
    manager.registerBroker(registrationOf(A_MASTER), "old", 0, EXPIRY_NS);
    manager.registerBroker(registrationOf(A_MASTER), "new", 1, EXPIRY_NS);
    expect(manager.brokerOfChannel("old")).toBeNull();
    expect(manager.brokerOfChannel("new")).toBe("a-master");
  });

  it("expires a broker once lastUpdate + its timeout is strictly before now", () => {
    const manager = tables();
    manager.registerBroker(registrationOf(A_MASTER), "c1", 10 * SEC, EXPIRY_NS);
    manager.registerBroker(registrationOf({ ...B_MASTER, heartbeatTimeoutMillis: 10_000 }), "c2", 10 * SEC, EXPIRY_NS);
    expect(manager.expiredBrokers(20 * SEC)).toEqual([]);
    expect(manager.expiredBrokers(20 * SEC + 1).map((e) => e.brokerAddr)).toEqual(["b-master"]);
    expect(manager.expiredBrokers(130 * SEC + 1).map((e) => e.brokerAddr)).toEqual(["a-master", "b-master"]);
    expect(manager.expiredBrokers(130 * SEC + 1)[0]).toEqual({ brokerAddr: "a-master", channel: "c1", lastUpdateNs: 10 * SEC });
  });

  it("unregisters on request like a destroyed channel", () => {
    const manager = tables();
    manager.registerBroker(registrationOf(B_MASTER), "c", 0, EXPIRY_NS);
    expect(manager.unregisterBroker({ clusterName: "DefaultCluster", brokerAddr: "b-master", brokerName: "broker-b", brokerId: 0 })).toEqual({
      brokerAddr: "b-master",
      brokerName: "broker-b",
      brokerId: 0,
      isBrokerNameRemoved: true,
      topicsRemoved: ["t"],
    });
    expect(manager.onChannelDestroy("b-master")).toBeNull();
  });
});
