import { describe, expect, it } from "vitest";
import { ActiveMqQueue, type DispatchTarget, type QueuedMessage } from "./activemq-queue.js";
import type { StoredMessage } from "./kahadb-store.js";

const message = (id: number): StoredMessage => ({ messageId: `p1:${id}`, producerId: "p1", sequence: id, id, bodyBytes: 100 });

class Consumer implements DispatchTarget {
  readonly got: { id: number; redelivered: boolean }[] = [];
  constructor(readonly consumerId: string) {}
  dispatch(queued: QueuedMessage): void {
    this.got.push({ id: queued.message.id, redelivered: queued.redeliveryCounter > 0 });
  }
}

describe("an ActiveMQ queue's dispatch", () => {
  it("dispatches round robin up to each consumer's prefetch, and an ack makes room for the next", () => {
    const queue = new ActiveMqQueue("orders");
    const a = new Consumer("a");
    const b = new Consumer("b");
    queue.subscribe(a, 2);
    queue.subscribe(b, 2);
    for (let id = 1; id <= 6; id++) queue.add(message(id));
    expect(a.got.map((g) => g.id)).toEqual([1, 3]);
    expect(b.got.map((g) => g.id)).toEqual([2, 4]);
    expect(queue.pendingCount).toBe(2);
    expect(queue.ack("a", "p1:1")?.id).toBe(1);
    expect(a.got.map((g) => g.id)).toEqual([1, 3, 5]);
    expect(queue.ack("a", "p1:1")).toBeNull();
    expect(queue.size).toBe(5);
  });

  it("a consumer gone gives back its unacked messages, first in line and marked redelivered", () => {
    const queue = new ActiveMqQueue("orders");
    const a = new Consumer("a");
    queue.subscribe(a, 2);
    for (let id = 1; id <= 4; id++) queue.add(message(id));
    queue.ack("a", "p1:1");
    queue.unsubscribe("a");
    const b = new Consumer("b");
    queue.subscribe(b, 10);
    expect(b.got).toEqual([
      { id: 2, redelivered: true },
      { id: 3, redelivered: true },
      { id: 4, redelivered: false },
    ]);
  });

  it("messages loaded from the store after a failover start with no redelivery count, though a consumer may have had them (persistJMSRedelivered off)", () => {
    const queue = new ActiveMqQueue("orders");
    queue.load([message(7), message(8)]);
    const a = new Consumer("a");
    queue.subscribe(a, 10);
    expect(a.got).toEqual([
      { id: 7, redelivered: false },
      { id: 8, redelivered: false },
    ]);
  });
});
