import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import type { Endpoint } from "../../world/connection.js";
import { WorldNode } from "../../world/node.js";
import type { KafkaMessage } from "./protocol.js";
import { RequestChannel, type BrokerRequest } from "./request-channel.js";

function setup(threads: number, queueCapacity: number, costs: { readNs: number; handleNs: number } = { readNs: 0, handleNs: 0 }) {
  const kernel = new Kernel({ seed: 1 });
  const node = new WorldNode({ index: 0, name: "b1", scheduler: kernel.scheduler });
  node.markBooted();
  const started: string[] = [];
  const startedAtNs: number[] = [];
  const inProgress: BrokerRequest[] = [];
  const channel = new RequestChannel({
    node,
    threads,
    queueCapacity,
    processors: 1,
    readCostNs: () => costs.readNs,
    handleCostNs: () => costs.handleNs,
    handle: (request) => {
      started.push(`${(request.endpoint as unknown as { name: string }).name}:${(request.message as { correlationId: number }).correlationId}`);
      startedAtNs.push(kernel.now);
      inProgress.push(request);
    },
  });
  const endpoint = (name: string): Endpoint => ({ name }) as unknown as Endpoint;
  const message = (correlationId: number): KafkaMessage => ({ kind: "metadata", correlationId }) as KafkaMessage;
  const settle = (): void => void kernel.scheduler.run();
  return { kernel, channel, started, startedAtNs, inProgress, endpoint, message, settle };
}

describe("request channel (SocketServer + RequestChannel + handler pool)", () => {
  it("handles one request per connection at a time, in order: the next waits for the response, not for the thread", () => {
    const { channel, started, inProgress, endpoint, message, settle } = setup(8, 500);
    const a = endpoint("a");
    channel.receive(a, message(1), 100);
    channel.receive(a, message(2), 100);
    channel.receive(endpoint("b"), message(1), 100);
    expect(started).toEqual(["a:1", "b:1"]);
    // The thread is free (a produce waiting in the purgatory), but a:1 has not been answered: a:2 waits.
    inProgress[0]!.releaseThread();
    settle();
    expect(started).toEqual(["a:1", "b:1"]);
    inProgress[0]!.finish();
    settle();
    expect(started).toEqual(["a:1", "b:1", "a:2"]);
  });

  it("num.io.threads bounds the requests in progress; a full queue leaves requests on their connections", () => {
    const { channel, started, inProgress, endpoint, message, settle } = setup(2, 1);
    for (const name of ["a", "b", "c", "d"]) channel.receive(endpoint(name), message(1), 100);
    // Two threads busy, one request queued, the fourth still on its connection.
    expect(started).toEqual(["a:1", "b:1"]);
    expect(channel.busyThreads).toBe(2);
    expect(channel.queuedCount).toBe(1);
    inProgress[0]!.releaseThread();
    inProgress[0]!.finish();
    settle();
    expect(started).toEqual(["a:1", "b:1", "c:1"]);
    expect(channel.queuedCount).toBe(1); // d's request took the freed queue slot
    inProgress[1]!.releaseThread();
    settle();
    expect(started).toEqual(["a:1", "b:1", "c:1", "d:1"]);
  });

  it("requests still on a closed connection are dropped", () => {
    const { channel, started, inProgress, endpoint, message, settle } = setup(1, 10);
    const a = endpoint("a");
    channel.receive(a, message(1), 100);
    channel.receive(a, message(2), 100);
    channel.close(a);
    inProgress[0]!.releaseThread();
    inProgress[0]!.finish();
    settle();
    expect(started).toEqual(["a:1"]);
  });

  it("CPU: a processor reads requests one after another, then a handler thread spends its cost before the request takes effect", () => {
    const { kernel, channel, started, startedAtNs, inProgress, endpoint, message, settle } = setup(1, 10, { readNs: 10_000, handleNs: 50_000 });
    channel.receive(endpoint("a"), message(1), 100);
    channel.receive(endpoint("b"), message(1), 100);
    settle();
    // a: read by 10 µs, handled after 50 µs more; b was read by 20 µs but waits for the one thread.
    expect(started).toEqual(["a:1"]);
    expect(startedAtNs).toEqual([60_000]);
    kernel.scheduler.run({ untilNs: 100_000 });
    inProgress[0]!.releaseThread();
    inProgress[0]!.finish();
    settle();
    expect(started).toEqual(["a:1", "b:1"]);
    expect(startedAtNs[1]).toBe(150_000);
  });
});
