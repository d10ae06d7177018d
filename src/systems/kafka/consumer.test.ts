import { afterEach, describe, expect, it, vi } from "vitest";
import { History, type HistoryEvent } from "../../history/history.js";
import { IdempotentConsumer } from "../../clients/idempotent-consumer.js";
import { Kernel } from "../../kernel/index.js";
import { buildKafkaCluster, COORDINATOR_NODE, type KafkaCluster, type KafkaClusterSpec } from "./cluster.js";
import type { KafkaConsumerConfig } from "./consumer-config.js";
import { ConsumerLink } from "./consumer-link.js";
import { KafkaConsumer } from "./consumer.js";
import { PeerLink } from "./peer-link.js";
import { DATA_CLASS, DATA_PORT, type FetchRequest, type KafkaMessage } from "./protocol.js";

const SECOND = 1_000_000_000;
const ORIGINAL_REQUEST = ConsumerLink.prototype.request;

afterEach(() => {
  vi.restoreAllMocks();
});
const MS = 1_000_000;
const PARTITIONS = ["t-0", "t-1", "t-2", "t-3"];

interface Setup {
  kernel: Kernel;
  c: KafkaCluster;
  history: History;
  consumers: Map<string, () => KafkaConsumer | null>;
}

/** A cluster with topic t (4 partitions, 3 replicas) and consumers of group g on the given client nodes. */
function setup(options: { seed?: number; consumers: string[]; config: Partial<KafkaConsumerConfig>; store?: IdempotentConsumer; diskOptions?: KafkaClusterSpec["diskOptions"]; disk?: string }): Setup {
  const kernel = new Kernel({ seed: options.seed ?? 11 });
  const c = buildKafkaCluster(kernel, {
    brokers: 3,
    topics: [{ name: "t", partitions: 4, replicationFactor: 3 }],
    clients: ["writer", ...options.consumers],
    network: { latency: { kind: "constant", value: 200_000 } },
    config: { "min.insync.replicas": 2, "broker.heartbeat.interval.ms": 500, "broker.session.timeout.ms": 3_000, "replica.lag.time.max.ms": 2_000 },
    ...(options.diskOptions === undefined ? {} : { diskOptions: options.diskOptions }),
    ...(options.disk === undefined ? {} : { disk: options.disk }),
  });
  const history = new History();
  const consumers = new Map<string, () => KafkaConsumer | null>();
  for (const name of options.consumers) {
    let current: KafkaConsumer | null = null;
    // The client's software: every start (boot, restart) builds a fresh consumer in the new incarnation.
    c.world.install(name, {
      start: (node) => {
        current = new KafkaConsumer({
          world: c.world,
          node,
          bootstrap: c.brokerNames,
          coordinator: COORDINATOR_NODE,
          group: "g",
          topics: ["t"],
          history,
          clientName: name,
          config: options.config,
          ...(options.store === undefined ? {} : { idempotentConsumer: options.store }),
        });
        current.start();
      },
    });
    consumers.set(name, () => current);
  }
  c.world.boot();
  kernel.scheduler.run({ untilNs: 2 * SECOND });
  return { kernel, c, history, consumers };
}

/**
 * Writes `batches` batches of `records` messages to every partition with raw
 * acks=all ProduceRequests, one at a time per partition; returns each
 * partition's message ids in offset order.
 */
function write(s: Setup, batches: number, records: number, acks: -1 | 1 = -1): Map<string, number[]> {
  const written = new Map<string, number[]>();
  let open = 0;
  for (const state of s.c.controller.partitionStates()) {
    const ids: number[] = [];
    written.set(state.topicPartition, ids);
    let sent = 0;
    open++;
    const sendNext = (): void => {
      const idFirst = s.history.reserveIds(records);
      sent++;
      link.send({ kind: "produce", correlationId: sent, acks, timeoutMs: 30_000, parts: [{ topicPartition: state.topicPartition, batch: { baseOffset: -1, count: records, leaderEpoch: -1, idFirst, bytes: records * 100, producerId: -1, baseSequence: -1 } }] });
      for (let k = 0; k < records; k++) ids.push(idFirst + k);
    };
    const link: PeerLink = new PeerLink(s.c.world, s.c.world.node("writer"), s.c.world.node(state.leader!), DATA_PORT, DATA_CLASS, 100 * MS, {
      onOpen: () => sendNext(),
      onMessage: (message: KafkaMessage) => {
        if (message.kind !== "produce-response") return;
        expect(message.parts[0]!.error).toBe("NONE");
        if (sent < batches) return sendNext();
        open--;
        link.close();
      },
      onDown: () => undefined,
    });
    link.connect();
  }
  s.kernel.scheduler.run({ until: () => open === 0 });
  return written;
}

function events<T extends HistoryEvent["type"]>(history: History, type: T): Extract<HistoryEvent, { type: T }>[] {
  return history.events.filter((event): event is Extract<HistoryEvent, { type: T }> => event.type === type);
}

/** How many times each id was delivered / effected. */
function countIds(list: readonly { idFirst: number; count: number }[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const event of list) for (let id = event.idFirst; id < event.idFirst + event.count; id++) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

function allIds(written: Map<string, number[]>): number[] {
  return PARTITIONS.flatMap((tp) => written.get(tp)!);
}

function endOffsets(written: Map<string, number[]>): Map<string, number> {
  return new Map(PARTITIONS.map((tp) => [tp, written.get(tp)!.length]));
}

describe("kafka consumer in a group", () => {
  it("reads everything committed, in offset order, once, and commits its position", () => {
    const s = setup({ consumers: ["c1"], config: {} });
    const written = write(s, 10, 10);
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 10 * SECOND });
    const consumer = s.consumers.get("c1")!()!;
    expect(consumer.assignment()).toEqual(PARTITIONS);
    expect([...consumer.positions()]).toEqual(PARTITIONS.map((tp) => [tp, 100]));
    expect(consumer.isCaughtUp(endOffsets(written))).toBe(true);
    for (const tp of PARTITIONS) {
      const deliveries = events(s.history, "deliver").filter((event) => event.stream === tp);
      let next = 0;
      for (const delivery of deliveries) {
        expect(delivery.position).toBe(next);
        expect(delivery.idFirst).toBe(written.get(tp)![next]);
        next += delivery.count;
      }
      expect(next).toBe(100);
      expect(s.c.coordinator.committed("g", tp)).toBe(100);
    }
    const effects = countIds(events(s.history, "effect"));
    expect(allIds(written).every((id) => effects.get(id) === 1)).toBe(true);
    expect(effects.size).toBe(400);
    expect(events(s.history, "commit").length).toBeGreaterThan(0);
  });

  it("never reads past the high watermark: acks=1 records reach it only once the ISR has them", () => {
    const s = setup({ consumers: ["c1"], config: {} });
    write(s, 2, 10);
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 2 * SECOND });
    // Followers of b1 can no longer fetch from it; b1 still takes acks=1 writes.
    s.c.world.partition({ kind: "one-way", from: ["b2", "b3"], to: ["b1"], classes: [DATA_CLASS] });
    const leaderOf = (tp: string): string => s.c.controller.partitionStates().find((state) => state.topicPartition === tp)!.leader!;
    const onB1 = PARTITIONS.filter((tp) => leaderOf(tp) === "b1");
    expect(onB1.length).toBeGreaterThan(0);
    write(s, 1, 10, 1);
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 500 * MS });
    const positions = s.consumers.get("c1")!()!.positions();
    for (const tp of onB1) {
      expect(s.c.brokers.get("b1")!.replica(tp)!.highWatermark).toBe(20);
      expect(positions.get(tp)).toBe(20);
    }
    // The ISR shrinks to the leader alone (replica.lag.time.max.ms): below min.insync.replicas (2), so the
    // high watermark stands still (KAFKA-15583, Kafka 3.7+) and the consumer with it.
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 5 * SECOND });
    const during = s.consumers.get("c1")!()!.positions();
    for (const tp of PARTITIONS) expect(during.get(tp), tp).toBe(onB1.includes(tp) ? 20 : 30);
    // The followers fetch again, rejoin the ISR, the high watermark moves, the consumer follows.
    s.c.world.heal();
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 5 * SECOND });
    const after = s.consumers.get("c1")!()!.positions();
    for (const tp of PARTITIONS) expect(after.get(tp)).toBe(30);
  });

  it("auto.offset.reset=latest: a group without committed offsets starts at the high watermark", () => {
    const s = setup({ consumers: ["c1"], config: { "auto.offset.reset": "latest", "session.timeout.ms": 6_000, "heartbeat.interval.ms": 1_000 } });
    // The first member dies before it commits anything; the backlog is written meanwhile.
    s.c.world.processCrash("c1");
    const backlog = write(s, 3, 10);
    s.c.world.restart("c1");
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 10 * SECOND });
    expect([...s.consumers.get("c1")!()!.positions()]).toEqual(PARTITIONS.map((tp) => [tp, 30]));
    const fresh = write(s, 1, 10);
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 2 * SECOND });
    const delivered = countIds(events(s.history, "deliver"));
    expect(allIds(backlog).some((id) => delivered.has(id))).toBe(false);
    expect(allIds(fresh).every((id) => delivered.get(id) === 1)).toBe(true);
  });

  it("two consumers split the partitions (range assignor) and together read everything once", () => {
    const s = setup({ consumers: ["c1", "c2"], config: {} });
    // Both have joined; the first learns at its next heartbeat that it no longer has everything.
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 3 * SECOND });
    const written = write(s, 5, 10);
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 10 * SECOND });
    expect(s.consumers.get("c1")!()!.assignment()).toEqual(["t-0", "t-1"]);
    expect(s.consumers.get("c2")!()!.assignment()).toEqual(["t-2", "t-3"]);
    for (const delivery of events(s.history, "deliver")) {
      expect(delivery.client).toBe(["t-0", "t-1"].includes(delivery.stream) ? "c1" : "c2");
    }
    const delivered = countIds(events(s.history, "deliver"));
    expect(allIds(written).every((id) => delivered.get(id) === 1)).toBe(true);
  });

  it("a crashed consumer's partitions move to the other after session.timeout.ms, which resumes from the committed offsets", () => {
    const config: Partial<KafkaConsumerConfig> = { "mqsim.commit": "after-process", "mqsim.processing.ms": 300, "session.timeout.ms": 6_000, "heartbeat.interval.ms": 1_000 };
    const s = setup({ consumers: ["c1", "c2"], config });
    const written = write(s, 10, 10);
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 2 * SECOND });
    const crashNs = s.kernel.now;
    const committedAtCrash = new Map(["t-0", "t-1"].map((tp) => [tp, s.c.coordinator.committed("g", tp)]));
    s.c.world.processCrash("c1");
    // Its last heartbeat was at most heartbeat.interval.ms before the crash.
    s.kernel.scheduler.run({ untilNs: crashNs + 4_500 * MS });
    expect(s.c.coordinator.owner("g", "t-0")).toBe("c1#1");
    s.kernel.scheduler.run({ untilNs: crashNs + 15 * SECOND });
    expect(s.c.coordinator.members("g").map((member) => member.memberId)).toEqual(["c2#1"]);
    expect(s.consumers.get("c2")!()!.assignment()).toEqual(PARTITIONS);
    for (const [tp, committed] of committedAtCrash) {
      expect(committed).toBeGreaterThan(0);
      expect(committed).toBeLessThan(100);
      const takeover = events(s.history, "deliver").find((event) => event.stream === tp && event.client === "c2")!;
      expect(takeover.position).toBe(committed);
      expect(takeover.timeNs).toBeGreaterThan(crashNs + 5 * SECOND);
    }
    // At-least-once: every message applied, none applied twice (c1 died before applying its last batch).
    const effects = countIds(events(s.history, "effect"));
    expect(allIds(written).every((id) => effects.get(id) === 1)).toBe(true);
    expect(s.consumers.get("c2")!()!.isCaughtUp(endOffsets(written))).toBe(true);
  });

  it("commit before processing, crash while processing: the batch is delivered, never applied, never delivered again (loss)", () => {
    const config: Partial<KafkaConsumerConfig> = { "mqsim.commit": "before-process", "mqsim.processing.ms": 500, "session.timeout.ms": 6_000, "heartbeat.interval.ms": 1_000 };
    const s = setup({ consumers: ["c1"], config });
    const written = write(s, 5, 10);
    s.kernel.scheduler.run({ until: () => events(s.history, "deliver").length === 3 });
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 100 * MS });
    const inHand = events(s.history, "deliver")[2]!;
    expect(s.c.coordinator.committed("g", inHand.stream)).toBe(inHand.position + inHand.count);
    s.c.world.processCrash("c1");
    s.kernel.scheduler.run({ untilNs: s.kernel.now + SECOND });
    s.c.world.restart("c1");
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 30 * SECOND });
    const lost = Array.from({ length: inHand.count }, (_, k) => inHand.idFirst + k);
    const delivered = countIds(events(s.history, "deliver"));
    const effects = countIds(events(s.history, "effect"));
    for (const id of lost) {
      expect(delivered.get(id)).toBe(1);
      expect(effects.get(id)).toBeUndefined();
    }
    // Everything else was applied exactly once by the restarted member.
    const others = allIds(written).filter((id) => !lost.includes(id));
    expect(others.every((id) => effects.get(id) === 1)).toBe(true);
    expect(s.consumers.get("c1")!()!.memberId).toBe("c1#2");
  });

  it("auto-commit of handed-over records (auto-async: processing off the poll thread) commits what is not processed: a crash while processing loses the batch", () => {
    const config: Partial<KafkaConsumerConfig> = { "mqsim.commit": "auto-async", "mqsim.processing.ms": 300, "auto.commit.interval.ms": 1_000, "max.poll.records": 7, "session.timeout.ms": 6_000, "heartbeat.interval.ms": 1_000 };
    const s = setup({ consumers: ["c1"], config });
    const written = write(s, 5, 10);
    // Run until an auto-commit covers the records in hand, then crash before they are processed.
    const inHandCommitted = (): boolean => {
      const last = events(s.history, "deliver").at(-1);
      return last !== undefined && s.c.coordinator.committed("g", last.stream) === last.position + last.count && s.consumers.get("c1")!()!.isBusy;
    };
    s.kernel.scheduler.run({ until: inHandCommitted });
    const inHand = events(s.history, "deliver").at(-1)!;
    s.c.world.processCrash("c1");
    s.c.world.restart("c1");
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 30 * SECOND });
    const delivered = countIds(events(s.history, "deliver"));
    const effects = countIds(events(s.history, "effect"));
    const lost = allIds(written).filter((id) => !effects.has(id));
    expect(lost).toEqual(Array.from({ length: inHand.count }, (_, k) => inHand.idFirst + k));
    expect(lost.every((id) => delivered.get(id) === 1)).toBe(true);
  });

  it("enable.auto.commit in a poll loop commits only what the application finished: a crash while processing repeats the batch, never loses it", () => {
    const config: Partial<KafkaConsumerConfig> = { "mqsim.processing.ms": 300, "auto.commit.interval.ms": 1_000, "max.poll.records": 7, "session.timeout.ms": 6_000, "heartbeat.interval.ms": 1_000 };
    const s = setup({ consumers: ["c1"], config });
    const written = write(s, 5, 10);
    // Crash while a batch is in hand, after at least one auto-commit.
    const isBusyAfterCommit = (): boolean => events(s.history, "commit").length > 0 && s.consumers.get("c1")!()!.isBusy;
    s.kernel.scheduler.run({ until: isBusyAfterCommit });
    const inHand = events(s.history, "deliver").at(-1)!;
    // The commit never covers the batch being processed.
    expect(s.c.coordinator.committed("g", inHand.stream)).toBeLessThanOrEqual(inHand.position);
    s.c.world.processCrash("c1");
    s.c.world.restart("c1");
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 30 * SECOND });
    const delivered = countIds(events(s.history, "deliver"));
    const effects = countIds(events(s.history, "effect"));
    expect(allIds(written).filter((id) => !effects.has(id))).toEqual([]);
    expect(delivered.get(inHand.idFirst)).toBeGreaterThan(1);
  });

  it("close() commits positions and leaves the group: the others take over at once, where it stopped", () => {
    // Auto-commit would first run after a minute: only close() commits here.
    const config: Partial<KafkaConsumerConfig> = { "mqsim.processing.ms": 10, "auto.commit.interval.ms": 60_000, "session.timeout.ms": 30_000, "heartbeat.interval.ms": 1_000 };
    const s = setup({ consumers: ["c1", "c2"], config });
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 3 * SECOND });
    const written = write(s, 5, 10);
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 3 * SECOND });
    const closing = s.consumers.get("c1")!()!;
    expect(closing.assignment()).toEqual(["t-0", "t-1"]);
    // Only the commit made when c2's arrival revoked c1's other partitions (positions then: 0).
    expect(s.c.coordinator.committed("g", "t-0")).toBe(0);
    closing.close();
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 2 * SECOND });
    expect(s.c.coordinator.members("g").map((member) => member.memberId)).toEqual(["c2#1"]);
    expect(s.c.coordinator.committed("g", "t-0")).toBe(50);
    expect(s.consumers.get("c2")!()!.assignment()).toEqual(PARTITIONS);
    const delivered = countIds(events(s.history, "deliver"));
    expect(allIds(written).every((id) => delivered.get(id) === 1)).toBe(true);
  });

  for (const idempotent of [false, true]) {
    it(`commit after processing, crash before the commit lands: delivered again, ${idempotent ? "applied once (idempotent consumer)" : "applied twice"}`, () => {
      const store = new IdempotentConsumer();
      const config: Partial<KafkaConsumerConfig> = { "mqsim.commit": "after-process", "mqsim.processing.ms": 200, "session.timeout.ms": 6_000, "heartbeat.interval.ms": 1_000, "mqsim.idempotent": idempotent };
      const s = setup({ consumers: ["c1"], config, store });
      const written = write(s, 5, 10);
      s.kernel.scheduler.run({ until: () => events(s.history, "effect").length === 3 });
      const applied = events(s.history, "effect")[2]!;
      // Its commit is on the wire (and the next batch in hand): the crash drops both.
      s.c.world.processCrash("c1");
      s.kernel.scheduler.run({ untilNs: s.kernel.now + SECOND });
      s.c.world.restart("c1");
      s.kernel.scheduler.run({ untilNs: s.kernel.now + 30 * SECOND });
      const delivered = countIds(events(s.history, "deliver"));
      const effects = countIds(events(s.history, "effect"));
      const repeated = allIds(written).filter((id) => delivered.get(id)! > 1);
      const appliedBeforeCrash = Array.from({ length: applied.count }, (_, k) => applied.idFirst + k);
      // The batch applied but not committed, and the one in hand, unprocessed, come again.
      expect(repeated.slice(0, applied.count)).toEqual(appliedBeforeCrash);
      expect(repeated.length).toBe(2 * applied.count);
      expect(allIds(written).every((id) => (effects.get(id) ?? 0) >= 1)).toBe(true);
      const appliedTwice = allIds(written).filter((id) => effects.get(id)! > 1);
      if (idempotent) {
        expect(appliedTwice).toEqual([]);
        expect(store.appliedCount).toBe(allIds(written).length);
        expect(s.kernel.marks.count("kafka.consumer.repeat-not-applied")).toBeGreaterThan(0);
      } else {
        expect(appliedTwice).toEqual(appliedBeforeCrash);
      }
    });
  }

  it("follows a leader change: refreshes metadata, records the unavailability window, loses nothing", () => {
    const s = setup({ consumers: ["c1"], config: { "mqsim.processing.ms": 100, "mqsim.commit": "after-process" } });
    const written = write(s, 10, 10);
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 500 * MS });
    s.c.world.processCrash("b1");
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 20 * SECOND });
    const windows = s.history.events.filter((event) => event.type === "op-failed" || event.type === "op-ok");
    expect(windows[0]).toMatchObject({ type: "op-failed", client: "c1", op: "receive" });
    expect(windows.at(-1)).toMatchObject({ type: "op-ok", client: "c1", op: "receive" });
    const effects = countIds(events(s.history, "effect"));
    expect(allIds(written).every((id) => effects.get(id) === 1)).toBe(true);
    expect(s.kernel.marks.count("kafka.consumer.metadata-request")).toBeGreaterThan(1);
  });

  it("keeps consuming its partitions while the coordinator is down; commits resume when it is back", () => {
    const config: Partial<KafkaConsumerConfig> = { "mqsim.processing.ms": 200, "mqsim.commit": "after-process", "session.timeout.ms": 6_000, "heartbeat.interval.ms": 1_000 };
    const s = setup({ consumers: ["c1"], config });
    const written = write(s, 10, 10);
    s.kernel.scheduler.run({ untilNs: s.kernel.now + SECOND });
    s.c.world.processCrash(COORDINATOR_NODE);
    const downNs = s.kernel.now;
    s.kernel.scheduler.run({ untilNs: downNs + 10 * SECOND });
    const whileDown = events(s.history, "deliver").filter((event) => event.timeNs > downNs + 100 * MS);
    expect(whileDown.length).toBeGreaterThan(0);
    expect(events(s.history, "commit").every((event) => event.timeNs < downNs + MS)).toBe(true);
    s.c.world.restart(COORDINATOR_NODE);
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 20 * SECOND });
    // The member kept its session (restarted with the coordinator) and its partitions.
    expect(s.c.coordinator.members("g").map((member) => member.memberId)).toEqual(["c1#1"]);
    expect(s.c.coordinator.groupEpoch("g")).toBe(1);
    for (const tp of PARTITIONS) expect(s.c.coordinator.committed("g", tp)).toBe(100);
    const effects = countIds(events(s.history, "effect"));
    expect(allIds(written).every((id) => effects.get(id) === 1)).toBe(true);
  });

  it("sends one fetch at a time per broker, naming every partition it reads there (fetch sessions)", () => {
    const sent: { broker: string; fetch: FetchRequest }[] = [];
    vi.spyOn(ConsumerLink.prototype, "request").mockImplementation(function (this: ConsumerLink, message: KafkaMessage & { correlationId: number }) {
      if (message.kind === "fetch") sent.push({ broker: this.peer.name, fetch: message });
      return ORIGINAL_REQUEST.call(this, message);
    });
    const s = setup({ consumers: ["c1"], config: {} });
    const written = write(s, 5, 10);
    s.kernel.scheduler.run({ untilNs: s.kernel.now + 5 * SECOND });
    expect(s.consumers.get("c1")!()!.isCaughtUp(endOffsets(written))).toBe(true);
    const leaders = new Map(s.c.controller.partitionStates().map((state) => [state.topicPartition, state.leader!]));
    const leading = (broker: string): string[] => PARTITIONS.filter((tp) => leaders.get(tp) === broker);
    const brokersUsed = [...new Set(leaders.values())];
    expect(brokersUsed.length).toBeLessThan(PARTITIONS.length);
    // Idle, every request names all the partitions its broker leads, and is parked fetch.max.wait.ms (500 ms):
    // about 2 requests per second per broker, not per partition.
    const idle = sent.filter(({ fetch }) => fetch.maxWaitMs > 0).slice(-4 * brokersUsed.length);
    for (const { broker, fetch } of idle) expect(fetch.partitions.map((part) => part.topicPartition).sort()).toEqual(leading(broker));
    for (const broker of brokersUsed) {
      const perBroker = sent.filter((entry) => entry.broker === broker).length;
      // The writes + 5 s idle at one request per 500 ms, plus a few answered with data: as many for the
      // broker that leads two partitions as for those that lead one (one loop per partition made it twice).
      expect(perBroker, broker).toBeLessThan(25);
    }
    expect(Math.max(...sent.map(({ fetch }) => fetch.partitions.length))).toBe(Math.max(...brokersUsed.map((broker) => leading(broker).length)));
  });

  it("a consumer further behind than the page cache holds reads from the device, and still gets everything once", () => {
    // A 64 KiB page cache: writeback cleans the logs and eviction drops the oldest clean data.
    const lagging = (pageCacheBytes: number) => {
      // On hdd a cold read pays a seek: long enough to see in when the backlog is read.
      const s = setup({ consumers: ["c1"], config: {}, disk: "hdd", diskOptions: { pageCacheBytes, dirtyLimitBytes: 32 * 1024, dirtyBackgroundBytes: 16 * 1024 } });
      s.c.world.pause("c1");
      const written = write(s, 40, 10);
      s.kernel.scheduler.run({ untilNs: s.kernel.now + 2 * SECOND });
      const readsBefore = s.c.brokerNames.reduce((sum, name) => sum + s.c.world.disk(name).stats().deviceReadRequests, 0);
      expect(readsBefore).toBe(0);
      const resumedAtNs = s.kernel.now;
      s.c.world.resume("c1");
      s.kernel.scheduler.run({ untilNs: s.kernel.now + 20 * SECOND });
      const stats = s.c.brokerNames.map((name) => s.c.world.disk(name).stats());
      const deliveries = events(s.history, "deliver").filter((event) => event.timeNs >= resumedAtNs && event.client === "c1");
      return { s, written, stats, lastDeliveryNs: deliveries[deliveries.length - 1]!.timeNs };
    };
    const cold = lagging(64 * 1024);
    expect(cold.stats.reduce((sum, st) => sum + st.pageCacheEvictedBytes, 0)).toBeGreaterThan(0);
    expect(cold.stats.reduce((sum, st) => sum + st.deviceReadRequests, 0)).toBeGreaterThan(0);
    const effects = countIds(events(cold.s.history, "effect"));
    expect(allIds(cold.written).every((id) => effects.get(id) === 1)).toBe(true);
    // The same run with everything still cached: no fetch response waits for a device read, so the backlog is read sooner.
    const warm = lagging(64 * 1024 * 1024);
    expect(warm.stats.reduce((sum, st) => sum + st.deviceReadRequests, 0)).toBe(0);
    expect(cold.lastDeliveryNs).toBeGreaterThan(warm.lastDeliveryNs);
  });

  it("is deterministic: the same seed gives the same history and digest", () => {
    const run = (): { history: readonly HistoryEvent[]; digest: string } => {
      const config: Partial<KafkaConsumerConfig> = { "mqsim.processing.ms": 50, "session.timeout.ms": 6_000, "heartbeat.interval.ms": 1_000 };
      const s = setup({ seed: 99, consumers: ["c1", "c2"], config });
      write(s, 5, 10);
      s.kernel.scheduler.run({ untilNs: s.kernel.now + SECOND });
      s.c.world.processCrash("c2");
      s.kernel.scheduler.run({ untilNs: s.kernel.now + 2 * SECOND });
      s.c.world.restart("c2");
      s.kernel.scheduler.run({ untilNs: s.kernel.now + 15 * SECOND });
      return { history: s.history.events, digest: s.kernel.digestHex() };
    };
    const first = run();
    const second = run();
    expect(first.history.length).toBeGreaterThan(20);
    expect(second.history).toEqual(first.history);
    expect(second.digest).toBe(first.digest);
  });

  it("rejects a bad configuration as bad input", () => {
    const s = setup({ consumers: [], config: {} });
    const base = { world: s.c.world, node: s.c.world.node("writer"), bootstrap: s.c.brokerNames, coordinator: COORDINATOR_NODE, group: "g", topics: ["t"], history: s.history, clientName: "x" };
    expect(() => new KafkaConsumer({ ...base, config: { "heartbeat.interval.ms": 50_000 } })).toThrow(/heartbeat.interval.ms/);
    expect(() => new KafkaConsumer({ ...base, config: { "mqsim.idempotent": true } })).toThrow(/idempotentConsumer/);
    expect(() => new KafkaConsumer({ ...base, config: { "enable.auto.commit": false } })).toThrow(/enable.auto.commit/);
    expect(new KafkaConsumer({ ...base, config: { "mqsim.commit": "after-process" } }).config.autoCommit).toBe(false);
  });
});
