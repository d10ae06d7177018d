import { describe, expect, it } from "vitest";
import { FetchBuffer } from "./consumer-fetch-buffer.js";

describe("FetchBuffer", () => {
  it("hands out chunks oldest first, splits the head, drops one partition's chunks and counts records", () => {
    const buffer = new FetchBuffer();
    buffer.push({ topicPartition: "t-0", position: 0, idFirst: 100, count: 5 });
    buffer.push({ topicPartition: "t-1", position: 0, idFirst: 200, count: 3 });
    buffer.push({ topicPartition: "t-0", position: 5, idFirst: 105, count: 2 });
    expect(buffer.recordCount()).toBe(10);
    expect(buffer.takeFromHead(2)).toEqual({ topicPartition: "t-0", position: 0, idFirst: 100, count: 2 });
    expect(buffer.head()).toEqual({ topicPartition: "t-0", position: 2, idFirst: 102, count: 3 });
    buffer.dropPartition("t-0");
    expect(buffer.length).toBe(1);
    expect(buffer.shift()).toEqual({ topicPartition: "t-1", position: 0, idFirst: 200, count: 3 });
    expect(() => buffer.shift()).toThrow(/empty fetch buffer/);
  });
});
