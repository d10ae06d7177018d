/**
 * The client's reading of a route (MQClientInstance's
 * topicRouteData2TopicPublishInfo, topicRouteData2TopicSubscribeInfo,
 * findBrokerAddressInSubscribe): writes go only to groups with a master in
 * the route, reads to every group, and a pull falls back to a slave while
 * the master is out of the route.
 */
import { describe, expect, it } from "vitest";
import {
  findBrokerAddressInSubscribe,
  masterAddress,
  normalizedRoute,
  PERM_READ,
  PERM_READ_WRITE,
  PERM_WRITE,
  publishQueues,
  routesEqual,
  subscribeQueues,
  type TopicRouteData,
} from "./route.js";

/** broker-b listed first on purpose: the functions order by brokerName. */
const FULL: TopicRouteData = {
  queueDatas: [
    { brokerName: "broker-b", readQueueNums: 2, writeQueueNums: 2, perm: PERM_READ_WRITE },
    { brokerName: "broker-a", readQueueNums: 3, writeQueueNums: 2, perm: PERM_READ_WRITE },
  ],
  brokerDatas: [
    { cluster: "c", brokerName: "broker-b", brokerAddrs: [[0, "b-master"]] },
    { cluster: "c", brokerName: "broker-a", brokerAddrs: [[1, "a-slave"], [0, "a-master"]] },
  ],
};

/** broker-a's master expired at the NameServer: its slave is left. */
const MASTERLESS_A: TopicRouteData = {
  queueDatas: FULL.queueDatas,
  brokerDatas: [
    { cluster: "c", brokerName: "broker-a", brokerAddrs: [[1, "a-slave"]] },
    { cluster: "c", brokerName: "broker-b", brokerAddrs: [[0, "b-master"]] },
  ],
};

const ids = (queues: { brokerName: string; queueId: number }[]): string[] => queues.map((q) => `${q.brokerName}/${q.queueId}`);

describe("publishQueues", () => {
  it("lists the write queues of every group with a master, by brokerName then queueId", () => {
    expect(ids(publishQueues(FULL, "t"))).toEqual(["broker-a/0", "broker-a/1", "broker-b/0", "broker-b/1"]);
    expect(publishQueues(FULL, "t")[0]).toEqual({ topic: "t", brokerName: "broker-a", queueId: 0 });
  });

  it("leaves out a group whose master is not in the route, though its slave is", () => {
    expect(ids(publishQueues(MASTERLESS_A, "t"))).toEqual(["broker-b/0", "broker-b/1"]);
  });

  it("leaves out read-only queue data and queue data whose group is not in the route", () => {
    const route: TopicRouteData = {
      queueDatas: [
        { brokerName: "broker-a", readQueueNums: 2, writeQueueNums: 2, perm: PERM_READ },
        { brokerName: "broker-b", readQueueNums: 2, writeQueueNums: 1, perm: PERM_READ_WRITE },
        { brokerName: "broker-c", readQueueNums: 2, writeQueueNums: 2, perm: PERM_READ_WRITE },
      ],
      brokerDatas: FULL.brokerDatas,
    };
    expect(ids(publishQueues(route, "t"))).toEqual(["broker-b/0"]);
  });
});

describe("subscribeQueues", () => {
  it("lists the read queues of every group, with or without a master", () => {
    const expected = ["broker-a/0", "broker-a/1", "broker-a/2", "broker-b/0", "broker-b/1"];
    expect(ids(subscribeQueues(FULL, "t"))).toEqual(expected);
    expect(ids(subscribeQueues(MASTERLESS_A, "t"))).toEqual(expected);
  });

  it("leaves out write-only queue data", () => {
    const route: TopicRouteData = { queueDatas: [{ brokerName: "broker-a", readQueueNums: 2, writeQueueNums: 2, perm: PERM_WRITE }], brokerDatas: FULL.brokerDatas };
    expect(subscribeQueues(route, "t")).toEqual([]);
  });
});

describe("findBrokerAddressInSubscribe", () => {
  it("gives the asked member when the route lists it", () => {
    expect(findBrokerAddressInSubscribe(FULL, "broker-a", 0, false)).toEqual({ brokerAddr: "a-master", isSlave: false });
    expect(findBrokerAddressInSubscribe(FULL, "broker-a", 1, false)).toEqual({ brokerAddr: "a-slave", isSlave: true });
  });

  it("falls back to the slave while the master is out of the route, unless only that broker will do", () => {
    expect(findBrokerAddressInSubscribe(MASTERLESS_A, "broker-a", 0, false)).toEqual({ brokerAddr: "a-slave", isSlave: true });
    expect(findBrokerAddressInSubscribe(MASTERLESS_A, "broker-a", 0, true)).toBeNull();
  });

  it("tries the next slave id, then the master first, for a slave that is gone", () => {
    const route: TopicRouteData = { queueDatas: [], brokerDatas: [{ cluster: "c", brokerName: "g", brokerAddrs: [[2, "s2"], [0, "m"], [3, "s3"]] }] };
    expect(findBrokerAddressInSubscribe(route, "g", 1, true)).toEqual({ brokerAddr: "s2", isSlave: true });
    expect(findBrokerAddressInSubscribe(route, "g", 4, true)).toBeNull();
    expect(findBrokerAddressInSubscribe(route, "g", 4, false)).toEqual({ brokerAddr: "m", isSlave: false });
  });

  it("finds nothing for a group the route does not list", () => {
    expect(findBrokerAddressInSubscribe(FULL, "broker-z", 0, false)).toBeNull();
  });
});

describe("masterAddress", () => {
  it("is the brokerId 0 member, or null without one", () => {
    expect(masterAddress(FULL, "broker-a")).toBe("a-master");
    expect(masterAddress(MASTERLESS_A, "broker-a")).toBeNull();
    expect(masterAddress(FULL, "broker-z")).toBeNull();
  });
});

describe("routesEqual", () => {
  it("ignores the order of the lists and of a group's members", () => {
    const reordered: TopicRouteData = {
      queueDatas: [...FULL.queueDatas].reverse(),
      brokerDatas: [
        { cluster: "c", brokerName: "broker-a", brokerAddrs: [[0, "a-master"], [1, "a-slave"]] },
        { cluster: "c", brokerName: "broker-b", brokerAddrs: [[0, "b-master"]] },
      ],
    };
    expect(routesEqual(FULL, reordered)).toBe(true);
    expect(normalizedRoute(FULL)).toEqual(normalizedRoute(reordered));
  });

  it("sees a member gone, a queue count or a perm changed", () => {
    expect(routesEqual(FULL, MASTERLESS_A)).toBe(false);
    const fewerQueues: TopicRouteData = { ...FULL, queueDatas: [FULL.queueDatas[0]!, { ...FULL.queueDatas[1]!, writeQueueNums: 1 }] };
    expect(routesEqual(FULL, fewerQueues)).toBe(false);
    const readOnly: TopicRouteData = { ...FULL, queueDatas: [FULL.queueDatas[0]!, { ...FULL.queueDatas[1]!, perm: PERM_READ }] };
    expect(routesEqual(FULL, readOnly)).toBe(false);
  });
});
