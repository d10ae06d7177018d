/**
 * The offset a push consumer may commit comes from its process queue: the
 * smallest offset still cached, or one past the last put once it is empty,
 * so a message consumed past a slow one is not committed before it.
 */
import { describe, expect, it } from "vitest";
import { ProcessQueue } from "./process-queue.js";

describe("ProcessQueue", () => {
  it("commits up to the first message still being consumed, then past the last one put", () => {
    const queue = new ProcessQueue();
    expect(queue.remove(0, 1)).toBe(-1);
    queue.put(10, 5);
    queue.put(15, 3);
    expect(queue.messageCount).toBe(8);
    expect(queue.maxSpan).toBe(7);
    // 12 done out of order: 10 and 11 still hold the commit at 10.
    expect(queue.remove(12, 1)).toBe(10);
    expect(queue.remove(10, 2)).toBe(13);
    expect(queue.firstOffset).toBe(13);
    expect(queue.remove(14, 4)).toBe(13);
    expect(queue.messageCount).toBe(1);
    expect(queue.remove(13, 1)).toBe(18);
    expect(queue.isEmpty).toBe(true);
    expect(queue.maxSpan).toBe(0);
    expect(queue.remove(18, 1)).toBe(-1);
  });

  it("counts an offset put twice once", () => {
    const queue = new ProcessQueue();
    queue.put(0, 4);
    queue.put(2, 4);
    expect(queue.messageCount).toBe(6);
    expect(queue.remove(0, 6)).toBe(6);
    expect(queue.isEmpty).toBe(true);
  });
});
