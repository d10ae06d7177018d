import { describe, expect, it } from "vitest";
import { FetchBuffer } from "./consumer-fetch-buffer.js";
import { PollFetches } from "./consumer-poll-fetches.js";

const LEADERS: Record<string, string> = { "t-0": "b1", "t-1": "b1", "t-2": "b2" };

function setup(maxPollRecords: number): { buffer: FetchBuffer; fetched: string[]; gate: PollFetches } {
  const buffer = new FetchBuffer();
  const fetched: string[] = [];
  const gate = new PollFetches({ leaderOf: (tp) => LEADERS[tp] ?? null, fetchFrom: (broker) => fetched.push(broker) }, buffer, maxPollRecords);
  return { buffer, fetched, gate };
}

describe("PollFetches", () => {
  it("holds a broker's fetch while its records are buffered and fit one poll, then sends it", () => {
    const { buffer, fetched, gate } = setup(500);
    buffer.push({ topicPartition: "t-1", position: 0, idFirst: 0, count: 4 });
    gate.awaitPoll("b1");
    gate.send(LEADERS["t-0"]!);
    expect(fetched).toEqual([]);
    buffer.shift();
    gate.send(LEADERS["t-1"]!);
    expect(fetched).toEqual(["b1"]);
    // Nobody waits any more: another poll sends nothing.
    gate.send(null);
    expect(fetched).toEqual(["b1"]);
  });

  it("sends for brokers with nothing buffered at once, and for all when the buffer holds more than one poll", () => {
    const { buffer, fetched, gate } = setup(3);
    buffer.push({ topicPartition: "t-1", position: 0, idFirst: 0, count: 2 });
    gate.awaitPoll("b1");
    gate.awaitPoll("b2");
    gate.send(null);
    expect(fetched).toEqual(["b2"]);
    buffer.push({ topicPartition: "t-0", position: 0, idFirst: 10, count: 2 });
    gate.send(null);
    expect(fetched).toEqual(["b2", "b1"]);
  });
});
