/**
 * AllocateMessageQueueAveragely against slices worked out by hand from the
 * source's arithmetic, and the properties every member relies on: the
 * members' slices are contiguous, disjoint, cover every queue, and differ in
 * size by at most one, the larger ones first.
 */
import { describe, expect, it } from "vitest";
import { allocateAveragely, compareMessageQueues } from "./allocate-averagely.js";
import type { MessageQueue } from "./route.js";

const range = (n: number): number[] => Array.from({ length: n }, (_, k) => k);
const clients = (n: number): string[] => range(n).map((k) => `c${k}`);

describe("allocateAveragely", () => {
  it("gives the first queues % clients members one queue more, in order", () => {
    const queues = range(8);
    expect(clients(3).map((cid) => allocateAveragely(cid, queues, clients(3)))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7],
    ]);
    expect(clients(2).map((cid) => allocateAveragely(cid, queues, clients(2)))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    expect(clients(2).map((cid) => allocateAveragely(cid, range(5), clients(2)))).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
    expect(clients(3).map((cid) => allocateAveragely(cid, range(7), clients(3)))).toEqual([
      [0, 1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  it("leaves the members past the number of queues idle", () => {
    expect(clients(5).map((cid) => allocateAveragely(cid, range(3), clients(5)))).toEqual([[0], [1], [2], [], []]);
  });

  it("gives nothing to a client the broker does not list, and fails (null) with no queue or no client", () => {
    expect(allocateAveragely("stranger", range(4), clients(2))).toEqual([]);
    expect(allocateAveragely("c0", [], clients(2))).toBeNull();
    expect(allocateAveragely("c0", range(4), [])).toBeNull();
  });

  it("splits every queue to exactly one member, in contiguous slices whose sizes differ by at most one", () => {
    for (let queueCount = 1; queueCount <= 20; queueCount++) {
      for (let clientCount = 1; clientCount <= 7; clientCount++) {
        const slices = clients(clientCount).map((cid) => allocateAveragely(cid, range(queueCount), clients(clientCount))!);
        expect(slices.flat()).toEqual(range(queueCount));
        const sizes = slices.map((slice) => slice.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        for (let k = 1; k < sizes.length; k++) expect(sizes[k]!).toBeLessThanOrEqual(sizes[k - 1]!);
      }
    }
  });
});

describe("compareMessageQueues", () => {
  it("orders by topic, then broker name, then queue id (numerically)", () => {
    const queue = (topic: string, brokerName: string, queueId: number): MessageQueue => ({ topic, brokerName, queueId });
    const sorted = [queue("t", "broker-b", 0), queue("t", "broker-a", 10), queue("s", "broker-b", 1), queue("t", "broker-a", 9)].sort(compareMessageQueues);
    expect(sorted.map((q) => `${q.topic}/${q.brokerName}/${q.queueId}`)).toEqual(["s/broker-b/1", "t/broker-a/9", "t/broker-a/10", "t/broker-b/0"]);
  });
});
