/**
 * KafkaProducer against a fake broker: a NodeSoftware on the data port that
 * answers MetadataRequests from a fixed table of partition states and
 * ProduceRequests by appending to one shared log, and that a test script can
 * make answer with an error, swallow a request or its response, or close the
 * connection. Its log is what "the cluster" holds; the history is what the
 * producer believed.
 */
import { describe, expect, it } from "vitest";
import { History, type HistoryEvent } from "../../history/history.js";
import { SimulatorBug } from "../../kernel/index.js";
import { Kernel } from "../../kernel/index.js";
import type { RngStream } from "../../kernel/index.js";
import { milliseconds } from "../../kernel/index.js";
import type { Acceptor, ConnectionHandler, Endpoint } from "../../world/connection.js";
import type { NetworkOptions } from "../../world/network.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import { World } from "../../world/world.js";
import type { KafkaProducerConfig } from "./config.js";
import { KafkaProducer } from "./producer.js";
import {
  DATA_PORT,
  wireBytesOf,
  type KafkaError,
  type KafkaMessage,
  type PartitionState,
  type ProducePart,
  type ProduceResponse,
} from "./protocol.js";
import type { RecordBatch } from "./partition-log.js";

const TP = "orders-0";
const LATENCY_NS = 100_000;

// ------------------------------------------------------------------ the fake broker

/** What the fake does with one ProduceRequest. */
type ProduceAction =
  /** Normal handling: leadership check, idempotence check, append, answer. */
  | "append"
  /** Append, but never answer (the response is lost). */
  | "drop-response"
  /** Neither append nor answer (the request is lost). */
  | "drop-request"
  /** Close the connection without handling the request. */
  | "close"
  /** Answer with this error, appending nothing. */
  | KafkaError;

/** One partition's batch as the fake received it (a request with several partitions gives several). */
interface ReceivedProduce {
  index: number;
  atNs: number;
  broker: string;
  acks: number;
  topicPartition: string;
  batch: RecordBatch;
  /** The correlation id of the request it came in. */
  request: number;
}

interface LogEntry {
  broker: string;
  offset: number;
  idFirst: number;
  count: number;
  producerId: number;
  baseSequence: number;
}

interface ProducerSequenceState {
  nextSequence: number;
  offsetBySequence: Map<number, number>;
}

class FakeCluster {
  readonly states = new Map<string, PartitionState>();
  readonly log: LogEntry[] = [];
  readonly received: ReceivedProduce[] = [];
  readonly metadataRequests: { atNs: number; broker: string }[] = [];
  responseDelayNs = 0;
  script: (produce: ReceivedProduce) => ProduceAction = () => "append";
  private readonly sequences = new Map<string, ProducerSequenceState>();

  constructor(states: { topicPartition: string; leader: string | null }[]) {
    for (const state of states) this.setLeader(state.topicPartition, state.leader, 0);
  }

  setLeader(topicPartition: string, leader: string | null, leaderEpoch: number): void {
    const replicas = ["b1", "b2"];
    this.states.set(topicPartition, { topicPartition, leader, leaderEpoch, partitionEpoch: leaderEpoch, isr: replicas, replicas });
  }

  /** Ids in log order for one partition (the whole log here: tests use one partition). */
  loggedIds(): number[] {
    const ids: number[] = [];
    for (const entry of this.log) for (let k = 0; k < entry.count; k++) ids.push(entry.idFirst + k);
    return ids;
  }

  /** Kafka's broker-side idempotence: drop a known (producerId, sequence), reject a gap. */
  handleProduce(broker: string, part: ProducePart): { error: KafkaError; baseOffset: number } {
    const state = this.states.get(part.topicPartition);
    if (state === undefined || state.leader !== broker) return { error: "NOT_LEADER_OR_FOLLOWER", baseOffset: -1 };
    const batch = part.batch;
    let sequences: ProducerSequenceState | undefined;
    if (batch.producerId >= 0) {
      const key = `${batch.producerId}/${part.topicPartition}`;
      sequences = this.sequences.get(key);
      if (sequences === undefined) {
        sequences = { nextSequence: 0, offsetBySequence: new Map() };
        this.sequences.set(key, sequences);
      }
      const duplicateOf = sequences.offsetBySequence.get(batch.baseSequence);
      if (duplicateOf !== undefined) return { error: "NONE", baseOffset: duplicateOf };
      if (batch.baseSequence !== sequences.nextSequence) return { error: "OUT_OF_ORDER_SEQUENCE_NUMBER", baseOffset: -1 };
    }
    const last = this.log[this.log.length - 1];
    const offset = last === undefined ? 0 : last.offset + last.count;
    this.log.push({ broker, offset, idFirst: batch.idFirst, count: batch.count, producerId: batch.producerId, baseSequence: batch.baseSequence });
    if (sequences !== undefined) {
      sequences.offsetBySequence.set(batch.baseSequence, offset);
      sequences.nextSequence = batch.baseSequence + batch.count;
    }
    return { error: "NONE", baseOffset: offset };
  }
}

class FakeBroker implements NodeSoftware, Acceptor {
  private node!: WorldNode;
  constructor(
    private readonly world: World,
    private readonly cluster: FakeCluster,
  ) {}

  start(node: WorldNode): void {
    this.node = node;
    this.world.net.listen(node, DATA_PORT, this);
  }

  accept(): ConnectionHandler {
    return {
      onData: (endpoint, payload) => this.onRequest(endpoint, payload as KafkaMessage),
      onClose: () => {},
    };
  }

  private onRequest(endpoint: Endpoint, message: KafkaMessage): void {
    const cluster = this.cluster;
    if (message.kind === "metadata") {
      cluster.metadataRequests.push({ atNs: this.node.now, broker: this.node.name });
      const partitions = [...cluster.states.values()].map((state) => ({ ...state, isr: [...state.isr], replicas: [...state.replicas] }));
      this.reply(endpoint, { kind: "metadata-response", correlationId: message.correlationId, partitions });
      return;
    }
    if (message.kind !== "produce") return;
    // The script decides per partition's batch; losing or closing applies to the whole request.
    const actions = message.parts.map((part) => {
      const received: ReceivedProduce = {
        index: cluster.received.length,
        atNs: this.node.now,
        broker: this.node.name,
        acks: message.acks,
        topicPartition: part.topicPartition,
        batch: { ...part.batch },
        request: message.correlationId,
      };
      cluster.received.push(received);
      return cluster.script(received);
    });
    if (actions.includes("drop-request")) return;
    if (actions.includes("close")) return endpoint.close();
    const parts = message.parts.map((part, k) => {
      const action = actions[k]!;
      const answer = action === "append" || action === "drop-response" ? cluster.handleProduce(this.node.name, part) : { error: action as KafkaError, baseOffset: -1 };
      return { topicPartition: part.topicPartition, error: answer.error, baseOffset: answer.baseOffset };
    });
    if (actions.includes("drop-response") || message.acks === 0) return;
    const response: ProduceResponse = { kind: "produce-response", correlationId: message.correlationId, parts };
    this.reply(endpoint, response);
  }

  private reply(endpoint: Endpoint, message: KafkaMessage): void {
    const delayNs = message.kind === "produce-response" ? this.cluster.responseDelayNs : 0;
    if (delayNs === 0) endpoint.send(message, wireBytesOf(message));
    else this.node.after(delayNs, () => endpoint.send(message, wireBytesOf(message)));
  }
}

// ------------------------------------------------------------------ the client node

/** Builds a fresh producer at every start of the client node, as an owner would. */
class ProducerClient implements NodeSoftware {
  readonly producers: KafkaProducer[] = [];
  constructor(
    private readonly world: World,
    private readonly history: History,
    private readonly config: Partial<KafkaProducerConfig>,
  ) {}

  get producer(): KafkaProducer {
    return this.producers[this.producers.length - 1]!;
  }

  start(node: WorldNode): void {
    const producer = new KafkaProducer({
      world: this.world,
      node,
      bootstrap: ["b1", "b2"],
      config: this.config,
      history: this.history,
      clientName: "producer-1",
    });
    this.producers.push(producer);
    producer.start();
  }
}

function setup(options: {
  config?: Partial<KafkaProducerConfig>;
  seed?: number;
  leader?: string | null;
  /** Partitions and their leaders (default: TP, led by `leader`). */
  partitions?: { topicPartition: string; leader: string | null }[];
  network?: Partial<NetworkOptions>;
}) {
  const kernel = new Kernel({ seed: options.seed ?? 1 });
  const world = new World({
    kernel,
    nodes: [{ name: "c1" }, { name: "b1" }, { name: "b2" }],
    network: { latency: { kind: "constant", value: LATENCY_NS }, framing: null, ...options.network },
  });
  const cluster = new FakeCluster(options.partitions ?? [{ topicPartition: TP, leader: options.leader === undefined ? "b1" : options.leader }]);
  world.install("b1", new FakeBroker(world, cluster));
  world.install("b2", new FakeBroker(world, cluster));
  const history = new History();
  const client = new ProducerClient(world, history, options.config ?? {});
  world.install("c1", client);
  world.boot();
  const runToMs = (timeMs: number): void => {
    const result = kernel.scheduler.run({ untilNs: milliseconds(timeMs) });
    expect(result.reason).toBe("time-reached");
  };
  return { kernel, world, cluster, history, client, runToMs };
}

type EventOf<T extends HistoryEvent["type"]> = Extract<HistoryEvent, { type: T }>;

function eventsOf<T extends HistoryEvent["type"]>(history: History, type: T): EventOf<T>[] {
  return history.events.filter((event): event is EventOf<T> => event.type === type);
}

// ------------------------------------------------------------------ tests

describe("KafkaProducer: requests (Kafka's Sender drains a node's partitions into one ProduceRequest)", () => {
  const FOUR = ["orders-0", "orders-1", "orders-2", "orders-3"];
  const onB1AndB2 = FOUR.map((topicPartition, k) => ({ topicPartition, leader: k < 3 ? "b1" : "b2" }));

  /** Received partitions grouped by (broker, request), each request's partitions sorted (the sender rotates where it starts). */
  function requests(cluster: FakeCluster): string[][] {
    const byRequest = new Map<string, string[]>();
    for (const received of cluster.received) {
      const key = `${received.broker}#${received.request}`;
      byRequest.set(key, [...(byRequest.get(key) ?? []), received.topicPartition]);
    }
    return [...byRequest.values()].map((parts) => parts.sort());
  }

  it("sends one request per broker, carrying a batch of every partition it leads", () => {
    const { cluster, history, client, runToMs } = setup({ partitions: onB1AndB2, config: { "linger.ms": 5 } });
    for (const topicPartition of FOUR) client.producer.send(topicPartition, 2, 100);
    runToMs(50);
    expect(requests(cluster)).toEqual([["orders-0", "orders-1", "orders-2"], ["orders-3"]]);
    const results = eventsOf(history, "send-result");
    expect(results.map((result) => [result.stream, result.outcome])).toEqual(FOUR.map((topicPartition) => [topicPartition, "ok"]).sort());
  });

  it("counts requests in flight, not batches: with a window of one, a request still carries every partition's batch", () => {
    // One message per batch (61 header bytes + 100): each partition gets two sealed batches.
    const { cluster, client, runToMs } = setup({ partitions: onB1AndB2, config: { "linger.ms": 0, "batch.size": 161, "max.in.flight.requests.per.connection": 1, "enable.idempotence": false } });
    cluster.responseDelayNs = milliseconds(20);
    for (let round = 0; round < 2; round++) for (const topicPartition of FOUR.slice(0, 3)) client.producer.send(topicPartition, 1, 100);
    runToMs(10);
    // The first pass took each partition's first batch; the second batches wait for the answer.
    expect(requests(cluster)).toEqual([["orders-0", "orders-1", "orders-2"]]);
    runToMs(100);
    expect(requests(cluster)).toEqual([["orders-0", "orders-1", "orders-2"], ["orders-0", "orders-1", "orders-2"]]);
  });

  it("keeps a request under max.request.size: the first batch goes whatever its size, the rest wait for the next request", () => {
    const { cluster, client, runToMs } = setup({ partitions: onB1AndB2, config: { "linger.ms": 0, "max.request.size": 700 } });
    for (const topicPartition of FOUR.slice(0, 3)) client.producer.send(topicPartition, 5, 100);
    runToMs(50);
    expect(requests(cluster).map((parts) => parts.length)).toEqual([1, 1, 1]);
  });
});

describe("KafkaProducer: batching", () => {
  it("seals a batch linger.ms after its first message and sends it as one request", () => {
    const { cluster, history, client, runToMs } = setup({ config: { "linger.ms": 10 } });
    client.producer.send(TP, 5, 100);
    runToMs(2);
    client.producer.send(TP, 5, 100);
    runToMs(4);
    client.producer.send(TP, 5, 100);
    runToMs(9);
    expect(cluster.received).toHaveLength(0);
    expect(eventsOf(history, "send")).toHaveLength(0);
    runToMs(50);
    expect(cluster.received.map((r) => r.batch.count)).toEqual([15]);
    expect(cluster.received[0]!.batch.bytes).toBe(15 * 100 + 61);
    const sends = eventsOf(history, "send");
    expect(sends).toEqual([{ type: "send", timeNs: milliseconds(10), client: "producer-1", idFirst: 0, count: 15 }]);

    client.producer.send(TP, 3, 100);
    runToMs(100);
    expect(cluster.received.map((r) => r.batch.count)).toEqual([15, 3]);
    const results = eventsOf(history, "send-result");
    expect(results.map((r) => [r.idFirst, r.count, r.outcome, r.stream, r.position])).toEqual([
      [0, 15, "ok", TP, 0],
      [15, 3, "ok", TP, 15],
    ]);
    expect(client.producer.isIdle()).toBe(true);
  });

  it("seals a batch as soon as it reaches batch.size, without waiting for linger.ms", () => {
    // 61 header bytes + 10 messages of 100 bytes fill a batch exactly.
    const { cluster, history, client, runToMs } = setup({ config: { "batch.size": 1061, "linger.ms": 1000 } });
    client.producer.send(TP, 25, 100);
    expect(eventsOf(history, "send").map((s) => s.count)).toEqual([10, 10]);
    runToMs(5);
    expect(cluster.received.map((r) => r.batch.count)).toEqual([10, 10]);
    expect(cluster.received.every((r) => r.batch.bytes <= 1061)).toBe(true);
    runToMs(999);
    expect(cluster.received).toHaveLength(2);
    runToMs(1100);
    expect(cluster.received.map((r) => r.batch.count)).toEqual([10, 10, 5]);
    expect(cluster.received[2]!.atNs).toBeGreaterThanOrEqual(milliseconds(1000));
    expect(cluster.loggedIds()).toEqual(Array.from({ length: 25 }, (_, k) => k));
  });

  it("gives a message larger than batch.size a batch of its own", () => {
    const { cluster, client, runToMs } = setup({ config: { "batch.size": 500, "linger.ms": 1000 } });
    client.producer.send(TP, 2, 800);
    runToMs(5);
    expect(cluster.received.map((r) => [r.batch.count, r.batch.bytes])).toEqual([
      [1, 861],
      [1, 861],
    ]);
  });
});

describe("KafkaProducer: acks", () => {
  it("acks=0 records ok as soon as the batch is on the socket, even if the broker never writes it", () => {
    const { cluster, history, client, runToMs } = setup({ config: { acks: 0, "linger.ms": 5 } });
    cluster.script = () => "drop-request";
    expect(client.producer.config.idempotent).toBe(false);
    client.producer.send(TP, 10, 100);
    runToMs(100);
    expect(cluster.received).toHaveLength(1);
    expect(cluster.received[0]!.acks).toBe(0);
    const [result] = eventsOf(history, "send-result");
    expect(result).toMatchObject({ outcome: "ok", idFirst: 0, count: 10, stream: TP, position: -1, timeNs: milliseconds(5) });
    // The acknowledged messages are not in the log: acks=0's data loss.
    expect(cluster.log).toHaveLength(0);
    expect(client.producer.inFlightCount()).toBe(0);
    expect(client.producer.isIdle()).toBe(true);
  });

  it("acks=all waits for the broker's response", () => {
    const { cluster, history, client, runToMs } = setup({ config: { acks: "all", "linger.ms": 5 } });
    cluster.responseDelayNs = milliseconds(50);
    client.producer.send(TP, 4, 100);
    runToMs(30);
    expect(cluster.received.map((r) => r.acks)).toEqual([-1]);
    expect(cluster.log).toHaveLength(1);
    expect(client.producer.inFlightCount()).toBe(1);
    expect(client.producer.isIdle()).toBe(false);
    expect(eventsOf(history, "send-result")).toHaveLength(0);
    runToMs(100);
    const [result] = eventsOf(history, "send-result");
    expect(result).toMatchObject({ outcome: "ok", position: 0, error: "" });
    expect(result!.timeNs).toBeGreaterThanOrEqual(cluster.received[0]!.atNs + milliseconds(50));
    // Nothing failed before it: a success closes no unavailability window, so none is recorded.
    expect(eventsOf(history, "op-ok")).toHaveLength(0);
    expect(client.producer.inFlightCount()).toBe(0);
    expect(client.producer.isIdle()).toBe(true);
  });
});

describe("KafkaProducer: failures and retries", () => {
  it("NOT_LEADER_OR_FOLLOWER refreshes metadata and retries at the new leader", () => {
    const { cluster, history, client, runToMs } = setup({ config: { "linger.ms": 5 } });
    cluster.script = (produce) => {
      // The election happens while the first request is on its way.
      if (produce.index === 0) cluster.setLeader(TP, "b2", 1);
      return "append";
    };
    client.producer.send(TP, 10, 100);
    runToMs(1000);
    expect(cluster.received.map((r) => r.broker)).toEqual(["b1", "b2"]);
    expect(cluster.metadataRequests.length).toBe(2);
    expect(cluster.metadataRequests[1]!.atNs).toBeGreaterThan(cluster.received[0]!.atNs);
    expect(cluster.log.map((e) => [e.broker, e.offset])).toEqual([["b2", 0]]);
    expect(eventsOf(history, "op-failed").map((e) => e.error)).toEqual(["NOT_LEADER_OR_FOLLOWER"]);
    expect(eventsOf(history, "send-result")).toMatchObject([{ outcome: "ok", position: 0, stream: TP }]);
    // The retry's success closes the window the failure opened: one op-ok, after the op-failed.
    const window = history.events.filter((event) => event.type === "op-failed" || event.type === "op-ok").map((event) => event.type);
    expect(window).toEqual(["op-failed", "op-ok"]);
  });

  it("a request without a response by request.timeout.ms is retried and then succeeds", () => {
    const { cluster, history, client, runToMs } = setup({
      config: { "linger.ms": 5, "request.timeout.ms": 200, "delivery.timeout.ms": 2000 },
    });
    cluster.script = (produce) => (produce.index === 0 ? "drop-request" : "append");
    client.producer.send(TP, 10, 100);
    runToMs(3000);
    expect(cluster.received).toHaveLength(2);
    // Sent at ~5 ms, timed out at ~205 ms, retried after retry.backoff.ms (100 ms).
    expect(cluster.received[1]!.atNs).toBeGreaterThanOrEqual(milliseconds(305));
    const failed = eventsOf(history, "op-failed");
    expect(failed.map((e) => e.error)).toEqual(["REQUEST_TIMED_OUT"]);
    // The request timeout runs from the write at 5 ms.
    expect(failed[0]!.timeNs).toBe(milliseconds(205));
    expect(eventsOf(history, "send-result")).toMatchObject([{ outcome: "ok", position: 0 }]);
    expect(cluster.log).toHaveLength(1);
  });

  it("a connection closed with the request in flight is retried", () => {
    const { cluster, history, client, runToMs } = setup({ config: { "linger.ms": 5 } });
    cluster.script = (produce) => (produce.index === 0 ? "close" : "append");
    client.producer.send(TP, 10, 100);
    runToMs(1000);
    expect(eventsOf(history, "op-failed").map((e) => e.error)).toEqual(["NETWORK_EXCEPTION"]);
    expect(eventsOf(history, "send-result")).toMatchObject([{ outcome: "ok", position: 0 }]);
  });

  it("delivery.timeout.ms after a written attempt: the outcome is unknown", () => {
    const { cluster, history, client, runToMs } = setup({
      config: { "linger.ms": 5, "request.timeout.ms": 100, "delivery.timeout.ms": 350 },
    });
    cluster.script = () => "drop-request";
    client.producer.send(TP, 10, 100);
    runToMs(2000);
    expect(cluster.received.length).toBeGreaterThanOrEqual(2);
    const results = eventsOf(history, "send-result");
    expect(results).toMatchObject([{ outcome: "unknown", error: "DELIVERY_TIMEOUT", position: -1, stream: TP }]);
    // delivery.timeout.ms counts from the batch's first message.
    expect(results[0]!.timeNs).toBe(milliseconds(350));
    expect(client.producer.isIdle()).toBe(true);
  });

  it("delivery.timeout.ms with no attempt ever sent (no leader): the outcome is error", () => {
    const { cluster, history, client, runToMs } = setup({
      leader: null,
      config: { "linger.ms": 5, "request.timeout.ms": 100, "delivery.timeout.ms": 350 },
    });
    client.producer.send(TP, 10, 100);
    runToMs(2000);
    expect(cluster.received).toHaveLength(0);
    expect(cluster.metadataRequests.length).toBeGreaterThan(2);
    expect(eventsOf(history, "send-result")).toMatchObject([{ outcome: "error", error: "DELIVERY_TIMEOUT" }]);
    // With nothing left to send, the producer stops polling for metadata.
    const polled = cluster.metadataRequests.length;
    runToMs(4000);
    expect(cluster.metadataRequests.length).toBe(polled);
  });

  it("a non-retriable error fails the batch at once", () => {
    const { cluster, history, client, runToMs } = setup({ config: { "linger.ms": 5 } });
    cluster.script = () => "OUT_OF_ORDER_SEQUENCE_NUMBER";
    client.producer.send(TP, 10, 100);
    runToMs(1000);
    expect(cluster.received).toHaveLength(1);
    expect(eventsOf(history, "send-result")).toMatchObject([{ outcome: "error", error: "OUT_OF_ORDER_SEQUENCE_NUMBER", position: -1 }]);
  });

  it("retries exhausted: error when no attempt was written, unknown when one may have been", () => {
    const denied = setup({ config: { "linger.ms": 5, retries: 2 } });
    denied.cluster.script = () => "NOT_ENOUGH_REPLICAS";
    denied.client.producer.send(TP, 10, 100);
    denied.runToMs(1000);
    expect(denied.cluster.received).toHaveLength(3);
    expect(eventsOf(denied.history, "send-result")).toMatchObject([{ outcome: "error", error: "NOT_ENOUGH_REPLICAS" }]);

    // NOT_ENOUGH_REPLICAS_AFTER_APPEND: in the leader's log, just not replicated.
    const appended = setup({ config: { "linger.ms": 5, retries: 1 } });
    appended.cluster.script = () => "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
    appended.client.producer.send(TP, 10, 100);
    appended.runToMs(1000);
    expect(appended.cluster.received).toHaveLength(2);
    expect(eventsOf(appended.history, "send-result")).toMatchObject([{ outcome: "unknown", error: "NOT_ENOUGH_REPLICAS_AFTER_APPEND" }]);
  });
});

describe("KafkaProducer: idempotence and ordering", () => {
  it("an idempotent retry carries the same producerId and baseSequence, and the broker keeps one copy", () => {
    const { cluster, history, client, runToMs } = setup({ config: { "linger.ms": 5, "request.timeout.ms": 200 } });
    expect(client.producer.config.idempotent).toBe(true);
    cluster.script = (produce) => (produce.index === 0 ? "drop-response" : "append");
    client.producer.send(TP, 10, 100);
    runToMs(10);
    client.producer.send(TP, 7, 100);
    runToMs(1000);
    const attempts = cluster.received.map((r) => [r.batch.idFirst, r.batch.producerId, r.batch.baseSequence]);
    const producerId = client.producer.producerId;
    expect(producerId).toBeGreaterThanOrEqual(0);
    expect(attempts).toEqual([
      [0, producerId, 0],
      [10, producerId, 10],
      [0, producerId, 0],
    ]);
    expect(cluster.log.map((e) => [e.idFirst, e.offset])).toEqual([
      [0, 0],
      [10, 10],
    ]);
    const results = eventsOf(history, "send-result");
    expect(results.map((r) => [r.idFirst, r.outcome, r.position])).toEqual([
      [10, "ok", 10],
      [0, "ok", 0],
    ]);
  });

  const reorderScenario = (idempotence: boolean) => {
    const run = setup({
      config: {
        "enable.idempotence": idempotence,
        "max.in.flight.requests.per.connection": 5,
        "linger.ms": 0,
        "request.timeout.ms": 200,
      },
    });
    // The first request is lost on its way; the second one gets through.
    run.cluster.script = (produce) => (produce.index === 0 ? "drop-request" : "append");
    run.runToMs(1);
    run.client.producer.send(TP, 10, 100);
    run.runToMs(2);
    run.client.producer.send(TP, 10, 100);
    run.runToMs(2000);
    return run;
  };

  it("without idempotence and with 5 requests in flight, a retried batch lands after a later one", () => {
    const { cluster, history } = reorderScenario(false);
    const ids = cluster.loggedIds();
    // The broker's log holds the second batch (ids 10..19) before the first (0..9).
    expect(ids.slice(0, 1)).toEqual([10]);
    expect(ids.slice(10, 11)).toEqual([0]);
    expect(cluster.log.map((e) => [e.idFirst, e.offset])).toEqual([
      [10, 0],
      [0, 10],
    ]);
    const results = eventsOf(history, "send-result");
    expect(results.map((r) => [r.idFirst, r.outcome, r.position])).toEqual([
      [10, "ok", 0],
      [0, "ok", 10],
    ]);
  });

  it("with idempotence the broker's sequence check keeps the order through the same loss", () => {
    const { cluster, history } = reorderScenario(true);
    expect(cluster.received.map((r) => [r.batch.idFirst, r.batch.baseSequence])).toEqual([
      [0, 0],
      [10, 10],
      [0, 0],
      [10, 10],
    ]);
    expect(cluster.log.map((e) => [e.idFirst, e.offset])).toEqual([
      [0, 0],
      [10, 10],
    ]);
    expect(eventsOf(history, "op-failed").map((e) => e.error)).toEqual(["OUT_OF_ORDER_SEQUENCE_NUMBER", "REQUEST_TIMED_OUT"]);
    expect(eventsOf(history, "send-result").map((r) => [r.idFirst, r.outcome, r.position])).toEqual([
      [0, "ok", 0],
      [10, "ok", 10],
    ]);
  });

  it("a restarted client builds a new producer, which gets a new producer id", () => {
    const { world, cluster, client, runToMs } = setup({ config: { "linger.ms": 5 } });
    client.producer.send(TP, 5, 100);
    runToMs(100);
    const first = client.producer;
    world.processCrash("c1");
    expect(() => first.send(TP, 1, 100)).toThrow(SimulatorBug);
    runToMs(200);
    world.restart("c1");
    expect(client.producers).toHaveLength(2);
    client.producer.send(TP, 5, 100);
    runToMs(400);
    const ids = cluster.received.map((r) => r.batch.producerId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(first.producerId);
    expect(ids[1]).toBe(client.producer.producerId);
    expect(ids[1]).not.toBe(ids[0]);
    // Each producer numbers its sequences from 0.
    expect(cluster.received.map((r) => r.batch.baseSequence)).toEqual([0, 0]);
  });
});

describe("KafkaProducer: configuration", () => {
  it("turns default idempotence off for acks=1 (KIP-679, KAFKA-13598) but rejects an explicit conflict", () => {
    const { client } = setup({ config: { acks: 1 } });
    expect(client.producer.config.idempotent).toBe(false);
    expect(() => setup({ config: { acks: 1, "enable.idempotence": true } })).toThrow(/enable.idempotence/);
    expect(() => setup({ config: { "linger.ms": 10, "request.timeout.ms": 100, "delivery.timeout.ms": 50 } })).toThrow(/delivery.timeout.ms/);
  });
});

// ------------------------------------------------------------------ determinism

/** Random latencies, random broker misbehaviour, sends at random times: everything from the seed. */
function chaoticRun(seed: number, overrides: Partial<KafkaProducerConfig> = {}) {
  const run = setup({
    seed,
    config: {
      "linger.ms": 3,
      "batch.size": 2_000,
      "request.timeout.ms": 50,
      "delivery.timeout.ms": 400,
      "retry.backoff.ms": 10,
      retries: 5,
      ...overrides,
    },
    network: { latency: { kind: "uniform", min: 50_000, max: 2_000_000 } },
  });
  const brokerRng: RngStream = run.kernel.rng.stream("test:fake-broker");
  let epoch = 0;
  run.cluster.script = () => {
    const draw = brokerRng.int(0, 99);
    if (draw < 60) return "append";
    if (draw < 68) return "drop-request";
    if (draw < 76) return "drop-response";
    if (draw < 80) return "close";
    if (draw < 90) return "NOT_ENOUGH_REPLICAS";
    const current = run.cluster.states.get(TP)!;
    run.cluster.setLeader(TP, current.leader === "b1" ? "b2" : "b1", ++epoch);
    return "append";
  };
  const workloadRng = run.kernel.rng.stream("test:workload");
  let sends = 0;
  const node = run.world.node("c1");
  const sendSome = (): void => {
    run.client.producer.send(TP, workloadRng.int(1, 30), workloadRng.int(10, 200));
    if (++sends < 60) node.after(workloadRng.int(100_000, 20_000_000), sendSome);
  };
  node.after(0, sendSome);
  run.runToMs(5_000);
  return run;
}

/** An "ok" batch is in the log; an "error" batch is not; "unknown" may go either way. */
function expectOutcomesMatchLog(results: readonly EventOf<"send-result">[], loggedIds: readonly number[]): void {
  const logged = new Set(loggedIds);
  for (const result of results) {
    if (result.outcome === "ok") expect(logged.has(result.idFirst)).toBe(true);
    if (result.outcome === "error") expect(logged.has(result.idFirst)).toBe(false);
  }
}

describe("KafkaProducer: determinism", () => {
  it("the same seed gives the same history and digest; every batch gets exactly one result", () => {
    const a = chaoticRun(7);
    const b = chaoticRun(7);
    expect(JSON.stringify(b.history.events)).toBe(JSON.stringify(a.history.events));
    expect(b.kernel.digestHex()).toBe(a.kernel.digestHex());
    expect(a.client.producer.isIdle()).toBe(true);

    const sends = eventsOf(a.history, "send");
    const results = eventsOf(a.history, "send-result");
    expect(results.map((r) => r.idFirst).sort((x, y) => x - y)).toEqual(sends.map((s) => s.idFirst));
    expect(new Set(results.map((r) => r.outcome))).toEqual(new Set(["ok", "error", "unknown"]));
    const ids = a.cluster.loggedIds();
    expectOutcomesMatchLog(results, ids);
    // Idempotence: through drops, timeouts, broken connections and elections, no
    // message is written twice and none overtakes an earlier one.
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id, k) => k === 0 || id > ids[k - 1]!)).toBe(true);

    const c = chaoticRun(8);
    expect(JSON.stringify(c.history.events)).not.toBe(JSON.stringify(a.history.events));
  });

  it("idempotent producer over 100 seeds: no duplicate, no reorder, every outcome consistent with the log", () => {
    for (let seed = 1; seed <= 100; seed++) {
      const run = chaoticRun(seed);
      const ids = run.cluster.loggedIds();
      const results = eventsOf(run.history, "send-result");
      expect(run.client.producer.isIdle()).toBe(true);
      expect(results).toHaveLength(eventsOf(run.history, "send").length);
      expectOutcomesMatchLog(results, ids);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id, k) => k === 0 || id > ids[k - 1]!)).toBe(true);
    }
  });

  it("without idempotence the same faults duplicate and reorder messages, and the log shows it", () => {
    const run = chaoticRun(7, { "enable.idempotence": false, acks: 1 });
    const ids = run.cluster.loggedIds();
    expectOutcomesMatchLog(eventsOf(run.history, "send-result"), ids);
    expect(new Set(ids).size).toBeLessThan(ids.length);
    expect(ids.some((id, k) => k > 0 && id < ids[k - 1]!)).toBe(true);
  });
});
