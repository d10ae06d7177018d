/**
 * The push consumer against stub brokers (push-consumer.test-support.ts):
 * the group divides its queues, consumes every message, commits offsets to
 * the broker; a crash redelivers what was consumed after the last offset the
 * broker heard (duplicates), which an idempotent consumer applies once; a
 * group whose master is out of the route reads from the slave; an illegal
 * offset moves the consumer back to where the broker's queue now ends.
 */
import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../../history/history.js";
import { countsById, consumerWorld, GROUP, MS, routeOf, SEC, TOPIC, type ConsumerWorld } from "./push-consumer.test-support.js";
import { rocketStream } from "./rocket-stream.js";

const FIRST = { consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET" } as const;
const TWO_MASTERS = routeOf(
  [
    ["broker-a", [[0, "a0"]]],
    ["broker-b", [[0, "b0"]]],
  ],
  4,
);
const streamsOf = (brokerName: string, queues: number): string[] => Array.from({ length: queues }, (_, k) => rocketStream(TOPIC, brokerName, k));

function deliveries(world: ConsumerWorld, where: (event: Extract<HistoryEvent, { type: "deliver" }>) => boolean = () => true): Extract<HistoryEvent, { type: "deliver" }>[] {
  return world.history.events.filter((event): event is Extract<HistoryEvent, { type: "deliver" }> => event.type === "deliver" && where(event));
}

function commits(world: ConsumerWorld, stream: string): Extract<HistoryEvent, { type: "commit" }>[] {
  return world.history.events.filter((event): event is Extract<HistoryEvent, { type: "commit" }> => event.type === "commit" && event.stream === stream);
}

describe("a group of two push consumers", () => {
  it("splits 8 queues 4/4 and together delivers every message once", () => {
    const world = consumerWorld({
      brokers: [
        { node: "a0", queues: 4 },
        { node: "b0", queues: 4 },
      ],
      consumers: [
        { name: "c1", config: FIRST },
        { name: "c2", config: FIRST },
      ],
      route: TWO_MASTERS,
    });
    const fed: number[] = [];
    for (const broker of ["a0", "b0"]) for (let queueId = 0; queueId < 4; queueId++) fed.push(...world.feed([broker], queueId, 25));
    world.runTo(5 * SEC);
    const [c1, c2] = [world.consumers.get("c1")!, world.consumers.get("c2")!];
    expect(c1.assignment()).toEqual(streamsOf("broker-a", 4));
    expect(c2.assignment()).toEqual(streamsOf("broker-b", 4));
    // The first rebalance runs 1 s after start (minInterval), its pulls 500 ms after it.
    const firstDelivery = deliveries(world)[0]!;
    expect(firstDelivery.timeNs).toBeGreaterThanOrEqual(1500 * MS);
    expect(firstDelivery.timeNs).toBeLessThan(1510 * MS);
    for (const broker of ["a0", "b0"]) for (let queueId = 0; queueId < 4; queueId++) fed.push(...world.feed([broker], queueId, 10));
    world.runTo(20 * SEC);
    const { delivered, effects } = countsById(world.history);
    expect([...delivered.keys()].sort((a, b) => a - b)).toEqual(fed);
    expect([...delivered.values()].every((count) => count === 1)).toBe(true);
    expect([...effects.values()].every((count) => count === 1)).toBe(true);
    expect(effects.size).toBe(fed.length);
    for (const event of deliveries(world)) expect(event.client).toBe(event.stream.includes("broker-a") ? "c1" : "c2");
    for (const broker of ["a0", "b0"]) {
      expect(world.brokers.get(broker)!.membersOf(GROUP)).toEqual(["c1", "c2"]);
      for (let queueId = 0; queueId < 4; queueId++) expect(world.brokers.get(broker)!.storedOffset(queueId)).toBe(35);
    }
    expect(c1.consumedOffsets()).toEqual(streamsOf("broker-a", 4).map((stream) => ({ stream, offset: 35 })));
    expect(c1.isIdle() && c2.isIdle()).toBe(true);
  });

  it("hands half the queues to a member that joins, at once: the brokers' notice wakes the other's rebalance", () => {
    const world = consumerWorld({
      brokers: [
        { node: "a0", queues: 4 },
        { node: "b0", queues: 4 },
      ],
      consumers: [
        { name: "c1", config: FIRST },
        { name: "c2", config: FIRST },
      ],
      route: TWO_MASTERS,
    });
    world.world.processCrash("c2");
    const fed: number[] = [];
    for (const broker of ["a0", "b0"]) for (let queueId = 0; queueId < 4; queueId++) fed.push(...world.feed([broker], queueId, 20));
    world.runTo(5 * SEC);
    const [c1, c2] = [world.consumers.get("c1")!, world.consumers.get("c2")!];
    expect(c1.assignment()).toEqual([...streamsOf("broker-a", 4), ...streamsOf("broker-b", 4)]);
    world.world.restart("c2");
    // c2's heartbeat (10 ms after its start) makes both brokers notify c1, which gives broker-b's queues up well before its 20 s tick.
    world.runTo(5 * SEC + 50 * MS);
    expect(c1.assignment()).toEqual(streamsOf("broker-a", 4));
    expect(world.kernel.marks.count("rocketmq.consumer.notified-ids-changed")).toBeGreaterThanOrEqual(1);
    // c2's own first rebalance, 1 s after its start, takes them from the offsets c1 persisted.
    world.runTo(7 * SEC);
    expect(c2.assignment()).toEqual(streamsOf("broker-b", 4));
    for (let queueId = 0; queueId < 4; queueId++) world.feed(["b0"], queueId, 5);
    world.runTo(10 * SEC);
    const { delivered } = countsById(world.history);
    expect([...delivered.values()].every((count) => count === 1)).toBe(true);
    expect(delivered.size).toBe(fed.length + 20);
    const late = deliveries(world, (event) => event.timeNs > 7 * SEC);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((event) => event.client === "c2" && event.position >= 20)).toBe(true);
  });
});

interface CrashRun {
  world: ConsumerWorld;
  fed: number[];
  /** Per stream: the broker's offset just after the crash, and the last position delivered before it. */
  atCrash: Map<string, { stored: number; lastDelivered: number; lastCommit: number }>;
}

const CRASH_NS = 12_345 * MS;
const RESTART_NS = 13 * SEC;

/** One consumer on 4 queues fed a message per queue every 10 ms until 20 s, crashed at 12.345 s and restarted at 13 s. */
function crashRun(idempotent: boolean): CrashRun {
  const world = consumerWorld({ brokers: [{ node: "a0", queues: 4 }], consumers: [{ name: "c1", config: FIRST, idempotent }], route: routeOf([["broker-a", [[0, "a0"]]]], 4) });
  const fed: number[] = [];
  const feeder = world.world.node("a0");
  const feed = (): void => {
    for (let queueId = 0; queueId < 4; queueId++) fed.push(...world.feed(["a0"], queueId, 1));
    if (feeder.now < 20 * SEC) feeder.after(10 * MS, feed);
  };
  feeder.after(10 * MS, feed);
  world.runTo(CRASH_NS);
  world.world.processCrash("c1");
  world.runTo(CRASH_NS + 1 * MS);
  const atCrash = new Map<string, { stored: number; lastDelivered: number; lastCommit: number }>();
  for (const stream of streamsOf("broker-a", 4)) {
    const queueId = Number(stream.slice(stream.lastIndexOf("-") + 1));
    const before = deliveries(world, (event) => event.stream === stream);
    const last = before[before.length - 1]!;
    atCrash.set(stream, { stored: world.brokers.get("a0")!.storedOffset(queueId)!, lastDelivered: last.position + last.count - 1, lastCommit: commits(world, stream).at(-1)!.position });
  }
  world.runTo(RESTART_NS);
  world.world.restart("c1");
  world.runTo(30 * SEC);
  return { world, fed, atCrash };
}

describe("a consumer crash", () => {
  it("redelivers what was consumed after the offset the broker last heard: duplicates", () => {
    const { world, fed, atCrash } = crashRun(false);
    const { delivered, effects } = countsById(world.history);
    // Nothing lost: every message fed is delivered.
    expect([...delivered.keys()].sort((a, b) => a - b)).toEqual(fed);
    let duplicates = 0;
    for (const [stream, { stored, lastDelivered, lastCommit }] of atCrash) {
      // The History's last commit before the crash is the offset the broker holds.
      expect(lastCommit).toBe(stored);
      expect(stored).toBeLessThanOrEqual(lastDelivered);
      const after = deliveries(world, (event) => event.stream === stream && event.timeNs > CRASH_NS);
      // The new incarnation resumes exactly at the broker's offset, after its first rebalance (1 s) and the 500 ms pull delay.
      expect(after[0]!.position).toBe(stored);
      expect(after[0]!.timeNs).toBeGreaterThanOrEqual(RESTART_NS + 1500 * MS);
      const redelivered = after.filter((event) => event.position <= lastDelivered);
      const positions = redelivered.flatMap((event) => Array.from({ length: event.count }, (_, k) => event.position + k)).filter((position) => position <= lastDelivered);
      expect(positions).toEqual(Array.from({ length: lastDelivered - stored + 1 }, (_, k) => stored + k));
      duplicates += positions.length;
    }
    expect(duplicates).toBeGreaterThanOrEqual(4);
    const twice = [...delivered].filter(([, count]) => count === 2).map(([id]) => id);
    expect(twice).toHaveLength(duplicates);
    expect([...delivered.values()].every((count) => count <= 2)).toBe(true);
    // Without an idempotent consumer every delivery is applied: the duplicates are applied twice.
    expect([...effects].filter(([, count]) => count === 2).map(([id]) => id)).toEqual(twice);
  });

  it("with an IdempotentConsumer, the redelivered messages' effects stay once", () => {
    const { world, fed, atCrash } = crashRun(true);
    const { delivered, effects } = countsById(world.history);
    const twice = [...delivered].filter(([, count]) => count === 2);
    expect(twice.length).toBe([...atCrash.values()].reduce((sum, { stored, lastDelivered }) => sum + lastDelivered - stored + 1, 0));
    expect(twice.length).toBeGreaterThan(0);
    expect([...effects.keys()].sort((a, b) => a - b)).toEqual(fed);
    expect([...effects.values()].every((count) => count === 1)).toBe(true);
    expect(world.dedupe.appliedCount).toBe(fed.length);
  });
});

describe("a broker group whose master is out of the route", () => {
  it("is read from its slave, and from its master again once the route lists it", () => {
    const world = consumerWorld({
      brokers: [
        { node: "a0", queues: 2 },
        { node: "a1", queues: 2, isSlave: true },
      ],
      consumers: [{ name: "c1", config: FIRST }],
      route: routeOf([["broker-a", [[1, "a1"]]]], 2),
    });
    const [master, slave] = [world.brokers.get("a0")!, world.brokers.get("a1")!];
    const fed: number[] = [];
    for (let queueId = 0; queueId < 2; queueId++) fed.push(...world.feed(["a0", "a1"], queueId, 10));
    world.runTo(12 * SEC);
    expect(countsById(world.history).delivered.size).toBe(20);
    expect(master.pulls).toHaveLength(0);
    expect(slave.pulls.length).toBeGreaterThan(0);
    // A slave never gets a commitOffset (the flag is cleared); the offset query and the persisted offsets go to it instead.
    expect(slave.pulls.every((pull) => pull.commitOffset === -1)).toBe(true);
    expect(slave.queries.map((query) => query.queueId)).toEqual([0, 1]);
    expect(slave.offsetUpdates.filter((update) => update.atNs < 11 * SEC).map((update) => [update.queueId, update.offset])).toEqual([
      [0, 10],
      [1, 10],
    ]);
    expect(master.offsetUpdates).toHaveLength(0);
    expect(slave.membersOf(GROUP)).toEqual(["c1"]);
    expect(master.membersOf(GROUP)).toEqual([]);
    // The master is back in the NameServer's route; the client sees it at its next poll (30.01 s).
    world.nameServer.route = routeOf([["broker-a", [[0, "a0"], [1, "a1"]]]], 2);
    for (let queueId = 0; queueId < 2; queueId++) fed.push(...world.feed(["a0", "a1"], queueId, 5));
    world.runTo(31 * SEC);
    for (let queueId = 0; queueId < 2; queueId++) fed.push(...world.feed(["a0", "a1"], queueId, 5));
    world.runTo(50 * SEC);
    const { delivered } = countsById(world.history);
    expect([...delivered.keys()].sort((a, b) => a - b)).toEqual(fed);
    expect([...delivered.values()].every((count) => count === 1)).toBe(true);
    expect(master.pulls.length).toBeGreaterThan(0);
    expect(master.pulls[0]!.atNs).toBeGreaterThan(30 * SEC);
    // Pulls to the master carry the consumer's offset, which the master stores.
    expect(master.pulls.some((pull) => pull.commitOffset === 20)).toBe(true);
    expect(master.storedOffset(0)).toBe(20);
    expect(master.membersOf(GROUP)).toEqual(["c1"]);
    expect(slave.pulls.filter((pull) => pull.atNs > master.pulls[0]!.atNs)).toHaveLength(0);
    // Every pull the slave saw, including those made after offsets had moved past 0, came without a commitOffset.
    expect(slave.pulls.filter((pull) => pull.queueOffset >= 10).length).toBeGreaterThanOrEqual(4);
    expect(slave.pulls.every((pull) => pull.commitOffset === -1)).toBe(true);
  });
});

describe("a 5.x slave without slaveReadEnable", () => {
  it("answers every pull SYSTEM_BUSY: the consumer retries each queue every 3 s and reads nothing until the master is back", () => {
    const world = consumerWorld({
      brokers: [
        { node: "a0", queues: 2 },
        { node: "a1", queues: 2, isSlave: true, rejectsPulls: true },
      ],
      consumers: [{ name: "c1", config: FIRST }],
      route: routeOf([["broker-a", [[1, "a1"]]]], 2),
    });
    const [master, slave] = [world.brokers.get("a0")!, world.brokers.get("a1")!];
    const fed: number[] = [];
    for (let queueId = 0; queueId < 2; queueId++) fed.push(...world.feed(["a0", "a1"], queueId, 10));
    world.runTo(20 * SEC);
    expect(deliveries(world)).toHaveLength(0);
    // First pulls at 1.5 s, then one every 3 s per queue: 1.5, 4.5, …, 19.5 s.
    const queue0 = slave.pulls.filter((pull) => pull.queueId === 0);
    expect(queue0).toHaveLength(7);
    for (let k = 1; k < queue0.length; k++) expect(queue0[k]!.atNs - queue0[k - 1]!.atNs).toBeGreaterThanOrEqual(3 * SEC);
    expect(queue0.every((pull) => pull.queueOffset === 0)).toBe(true);
    expect(world.kernel.marks.count("rocketmq.consumer.pull-failed")).toBe(14);
    world.nameServer.route = routeOf([["broker-a", [[0, "a0"], [1, "a1"]]]], 2);
    world.runTo(40 * SEC);
    const { delivered } = countsById(world.history);
    expect([...delivered.keys()].sort((a, b) => a - b)).toEqual(fed);
    expect(master.pulls[0]!.atNs).toBeGreaterThan(30 * SEC);
  });
});

describe("an illegal offset", () => {
  it("moves the consumer's offset to where the queue now ends, and new messages reuse the lost offsets", () => {
    const world = consumerWorld({ brokers: [{ node: "a0", queues: 1 }], consumers: [{ name: "c1", config: FIRST }], route: routeOf([["broker-a", [[0, "a0"]]]], 1) });
    const broker = world.brokers.get("a0")!;
    const stream = rocketStream(TOPIC, "broker-a", 0);
    const lost = world.feed(["a0"], 0, 10).slice(6);
    world.runTo(11 * SEC);
    expect(broker.storedOffset(0)).toBe(10);
    // The master loses its last 4 messages (unflushed at a power loss, say): the consumer's offset 10 is past its end.
    broker.truncate(0, 6);
    world.runTo(20 * SEC);
    // The 15 s persist still sends 10; the held pull, re-checked at its end (16.5 s), answers OFFSET_ILLEGAL, and the
    // client sends the new offset at once (persist, then again as it removes the queue).
    expect(world.kernel.marks.count("rocketmq.consumer.offset-illegal")).toBe(1);
    const moved = broker.offsetUpdates.filter((update) => update.atNs > 11 * SEC);
    expect(moved.map((update) => update.offset)).toEqual([10, 6, 6]);
    expect(moved[1]!.atNs).toBeGreaterThan(16.5 * SEC);
    expect(moved[1]!.atNs).toBeLessThan(16.51 * SEC);
    expect(broker.storedOffset(0)).toBe(6);
    expect(commits(world, stream).map((commit) => commit.position)).toEqual([10, 6]);
    const fresh = world.feed(["a0"], 0, 3);
    world.runTo(40 * SEC);
    const late = deliveries(world, (event) => event.timeNs > 20 * SEC);
    expect(late.map((event) => [event.position, event.idFirst, event.count])).toEqual([[6, fresh[0]!, 3]]);
    // Positions 6..8 first held the lost messages, now the fresh ones.
    const early = deliveries(world, (event) => event.timeNs < 11 * SEC);
    expect(early.flatMap((event) => Array.from({ length: event.count }, (_, k) => [event.position + k, event.idFirst + k])).filter(([position]) => position! >= 6)).toEqual(lost.map((id, k) => [6 + k, id]));
    expect(broker.storedOffset(0)).toBe(9);
    expect(world.consumers.get("c1")!.consumedOffsets()).toEqual([{ stream, offset: 9 }]);
  });
});

describe("a brand-new group with CONSUME_FROM_LAST_OFFSET", () => {
  it("starts at the queue's max offset when the broker has no offset for it", () => {
    const world = consumerWorld({ brokers: [{ node: "a0", queues: 1 }], consumers: [{ name: "c1" }], route: routeOf([["broker-a", [[0, "a0"]]]], 1) });
    world.feed(["a0"], 0, 7);
    world.runTo(3 * SEC);
    expect(deliveries(world)).toHaveLength(0);
    const fresh = world.feed(["a0"], 0, 2);
    world.runTo(5 * SEC);
    expect(deliveries(world).map((event) => [event.position, event.idFirst, event.count])).toEqual([[7, fresh[0]!, 2]]);
  });
});
