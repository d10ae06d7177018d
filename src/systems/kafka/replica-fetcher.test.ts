/**
 * Replication goes through one fetcher per (follower broker, leader broker)
 * pair (num.replica.fetchers = 1): one request in flight at a time carrying
 * every partition the follower follows there. More partitions make each
 * request bigger, not the requests more numerous.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Kernel } from "../../kernel/index.js";
import { buildKafkaCluster } from "./cluster.js";
import { ReconnectingLink } from "../../world/reconnecting-link.js";
import type { FetchRequest, KafkaMessage } from "./protocol.js";
import { Network } from "../../world/network.js";
import { runKafka } from "./run.js";

// Every message a broker sends a peer goes through the shared link's send (requests too).
const ORIGINAL_SEND = ReconnectingLink.prototype.send;

afterEach(() => {
  vi.restoreAllMocks();
});

/** Replica fetch requests sent in 10 s of an idle cluster with `partitions` partitions (RF 3, 3 brokers). */
function idleFetches(partitions: number): FetchRequest[] {
  const sent: FetchRequest[] = [];
  const spy = vi.spyOn(ReconnectingLink.prototype, "send").mockImplementation(function (this: ReconnectingLink<unknown>, message: unknown, cpuDelayNs?: number) {
    const kafka = message as KafkaMessage;
    if (kafka.kind === "fetch" && kafka.replica !== null) sent.push(kafka);
    return ORIGINAL_SEND.call(this, message, cpuDelayNs);
  });
  const kernel = new Kernel({ seed: 5 });
  const c = buildKafkaCluster(kernel, { brokers: 3, topics: [{ name: "t", partitions, replicationFactor: 3 }], clients: [] });
  c.world.boot();
  kernel.scheduler.run({ untilNs: 10_000_000_000 });
  spy.mockRestore();
  return sent;
}

describe("replica fetchers", () => {
  it("send one request per leader for all the partitions followed there, and as many requests for 3 partitions as for 60", () => {
    const few = idleFetches(3);
    const many = idleFetches(60);
    // Each of 3 brokers follows the other 2: 6 fetchers, each parked replica.fetch.wait.max.ms (500 ms) per round trip.
    for (const fetches of [few, many]) {
      expect(fetches.length).toBeGreaterThan(6 * 15);
      expect(fetches.length).toBeLessThan(6 * 25);
    }
    // With 60 partitions each broker leads 20 and follows 40: each request to one leader names its 20.
    expect(Math.max(...many.map((fetch) => fetch.partitions.length))).toBe(20);
    expect(Math.max(...few.map((fetch) => fetch.partitions.length))).toBe(1);
  });
});

describe("a produce request's appends", () => {
  it("wake a follower's parked fetch once, after every partition of the request is appended (Kafka's ActionQueue)", () => {
    // 3 brokers, 6 partitions: each leader gets one request carrying two partitions' batches
    // and each follower has one fetch parked there on both. One fetch round per request and
    // follower is Kafka's 2 per request; waking after the first append made it 2.67.
    const sent = new Map<string, number>();
    const original = Network.prototype.sendOnConnection;
    vi.spyOn(Network.prototype, "sendOnConnection").mockImplementation(function (this: Network, endpoint, payload, bytes, cpuDelayNs) {
      const kind = (payload as KafkaMessage).kind;
      sent.set(kind, (sent.get(kind) ?? 0) + 1);
      return original.call(this, endpoint, payload, bytes, cpuDelayNs);
    });
    runKafka({
      seed: 7,
      cluster: { brokers: 3, topics: [{ name: "t", partitions: 6, replicationFactor: 3 }], config: { "min.insync.replicas": 2 } },
      producers: [{ name: "p1", topic: "t", partitions: 6, messagesPerSecond: 50_000, messagesPerSend: 50, bytesPerMessage: 1024, config: { "linger.ms": 5 } }],
      faults: [],
      faultPhaseNs: 2_000_000_000,
      convergeNsMax: 2_000_000_000,
    });
    const produces = sent.get("produce") ?? 0;
    const fetches = sent.get("fetch") ?? 0;
    expect(produces).toBeGreaterThan(5_000);
    expect(fetches / produces).toBeGreaterThan(1.9);
    expect(fetches / produces).toBeLessThan(2.2);
  });
});
